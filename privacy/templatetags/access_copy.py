"""The access copy's dates, kept in ISO form in its JSON, written for a reader in its PDF."""

import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def when(value: str | None) -> str:
    """ "2026-05-04" → "4 May 2026"; "2026-05-04T10:00+02:00" → "4 May 2026 10:00"."""
    if not value:
        return ""
    try:
        if "T" in value:
            moment = datetime.datetime.fromisoformat(value)
            return f"{date_format(moment.date(), 'DATE_FORMAT')} {moment:%H:%M}"
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value
