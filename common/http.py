"""Request parameters: ids in URLs and query strings, the 400 that names what was wrong, and
the request's user even where authentication has not run."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# Database ids are 64-bit; 18 digits always fit, so a longer number is simply not an id.
ID_MAX_DIGITS = 18


class InvalidParameter(BadRequest):
    """A 400 whose message is written for the person who sent the request (shown as is)."""


def request_user(request):
    """The user of the request; anonymous when the request was refused before the
    authentication middleware ran (a Host the clinic does not serve): its error page is
    rendered all the same."""
    return getattr(request, "user", None) or AnonymousUser()


class IdConverter:
    """`<id:name>` in URL patterns: a positive database id; anything longer answers 404."""

    regex = f"[0-9]{{1,{ID_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def query_id(value: str | None) -> int | None:
    """An id from a query string ("" or absent: None); InvalidParameter otherwise."""
    if not value:
        return None
    if not value.isdigit() or len(value) > ID_MAX_DIGITS:
        raise InvalidParameter(_("Choose one of the options offered."))
    return int(value)


# A search box holds a name, a file number, a few words: each word is one more condition on
# every row searched, so both are bounded.
SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS = 100, 6


def query_search(value: str | None) -> str:
    """A search from a query string, stripped; InvalidParameter when it is too long."""
    text = (value or "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise InvalidParameter(
            _("A search can be %(max)d characters long at most.") % {"max": SEARCH_MAX_LENGTH}
        )
    if len(text.split()) > SEARCH_MAX_WORDS:
        raise InvalidParameter(_("Search with %(max)d words at most.") % {"max": SEARCH_MAX_WORDS})
    return text


class APIViewMixin:
    """API views authenticate themselves (token or session): the login redirect is for pages,
    so every API view opts out of LoginRequiredMiddleware through this one mixin."""

    @classmethod
    def as_view(cls, **initkwargs):
        from django.contrib.auth.decorators import login_not_required

        return login_not_required(super().as_view(**initkwargs))
