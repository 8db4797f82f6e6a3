"""Abstract models shared by apps that know nothing of each other (no table of their own)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInThreeLanguages(models.Model):
    """Reference data that people read: its name in each language the interface speaks."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """In the active language; English when that translation is missing."""
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name_en
