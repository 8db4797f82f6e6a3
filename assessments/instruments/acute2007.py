"""ACUTE-2007: seven acute factors rated 0, 1 or 3, at every contact; two sub-totals."""

from django.utils.translation import gettext_lazy as _

from assessments.instruments.base import Choice, Instrument, Item, Scores

ZERO_ONE_THREE = (
    Choice("0", _("0: no problem"), 0),
    Choice("1", _("1: maybe, some problem"), 1),
    Choice("3", _("3: yes, definite problem"), 3),
)

SEXUAL_VIOLENT = "sexual_violent"
GENERAL = "general"


class Acute2007(Instrument):
    code = "acute2007"
    name = "ACUTE-2007"
    version = "2007"
    published = 2007
    kind = _("dynamic")
    total_range = (0, 21)
    reassess_months = 1  # rated at every contact: at least monthly
    items = (
        Item("1", _("Victim access"), ZERO_ONE_THREE, domain=SEXUAL_VIOLENT),
        Item("2", _("Hostility"), ZERO_ONE_THREE, domain=SEXUAL_VIOLENT),
        Item("3", _("Sexual preoccupation"), ZERO_ONE_THREE, domain=SEXUAL_VIOLENT),
        Item("4", _("Rejection of supervision"), ZERO_ONE_THREE, domain=SEXUAL_VIOLENT),
        Item("5", _("Emotional collapse"), ZERO_ONE_THREE, domain=GENERAL),
        Item("6", _("Collapse of social supports"), ZERO_ONE_THREE, domain=GENERAL),
        Item("7", _("Substance abuse"), ZERO_ONE_THREE, domain=GENERAL),
    )

    def score(self, *, facts, responses) -> Scores:
        points = {item.code: item.points(responses[item.code]) for item in self.items}
        sexual_violent = sum(points[c] for c in ("1", "2", "3", "4"))
        return Scores(totals={"sexual_violent": sexual_violent, "general": sum(points.values())})
