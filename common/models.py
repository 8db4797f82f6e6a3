"""Abstract models shared by apps that know nothing of each other (no table of their own)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInLanguages(models.Model):
    """Reference data that people read: its name in each language the clinic writes in (the
    interface speaks English, French and Dutch; letters also go out in German)."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """In the active language; English when that translation is missing."""
        return self.in_language("name", get_language() or "en")

    def in_language(self, field: str, language: str) -> str:
        """A text kept in each language (`name_fr`...), in `language`; English when missing."""
        return getattr(self, f"{field}_{language[:2]}", "") or getattr(self, f"{field}_en")
