"""Each user's language, kept on their account and applied wherever they log in.

LocaleMiddleware picks the language from the cookie or the browser; once the user is known,
their saved choice (if any) takes over, for the request that logs them in as for every later
one. Anonymous visitors keep following the cookie and the browser.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.i18n import set_language as django_set_language


def offered(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def apply_user_language(request, user) -> None:
    if offered(getattr(user, "language", "")):
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in user's saved language wins over the
    browser's and over a cookie left on the device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            apply_user_language(request, request.user)
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="accounts.language.on_login")
def on_login(sender, request, user, **kwargs):
    if request is not None:
        apply_user_language(request, user)


@login_not_required  # anyone may pick a language, including on the login page
def set_language(request):
    """Django's set_language (a cookie for this device), and for a logged-in user the choice
    saved on their account, so that it follows them to any device."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and offered(language) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
