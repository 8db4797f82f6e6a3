"""A proportion written as a percentage in the reader's locale (86.6% or 86,6 %)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value: float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return _("%(percent)s%%") % {"percent": number_format(value * 100, places)}
