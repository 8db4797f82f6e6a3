"""STABLE-2007: thirteen stable dynamic needs rated 0, 1 or 2; reassessed every six months."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.instruments.base import YES_NO, Band, BandTable, Choice, Instrument, Item, Scores

ZERO_ONE_TWO = (
    Choice("0", _("0: no problem"), 0),
    Choice("1", _("1: some problem"), 1),
    Choice("2", _("2: definite problem"), 2),
)

NAMES = [
    _("Significant social influences"),
    _("Capacity for relationship stability"),
    _("Emotional identification with children"),
    _("Hostility toward women"),
    _("General social rejection or loneliness"),
    _("Lack of concern for others"),
    _("Impulsive acts"),
    _("Poor cognitive problem-solving skills"),
    _("Negative emotionality or hostility"),
    _("Sex drive or preoccupation"),
    _("Sex as coping"),
    _("Deviant sexual preference"),
    _("Co-operation with supervision"),
]


def _child_victims(facts) -> bool:
    return facts.get("child_victims") == "yes"


class Stable2007(Instrument):
    code = "stable2007"
    name = "STABLE-2007"
    version = "2007"
    published = 2007
    kind = _("dynamic")
    total_range = (0, 26)
    reassess_months = 6
    facts = (
        Item(
            "child_victims",
            _("Are there child victims?"),
            YES_NO,
            help=_("Item 3 is rated only when there are child victims."),
        ),
    )
    items = tuple(
        Item(str(number), name, ZERO_ONE_TWO, applies=_child_victims if number == 3 else None)
        for number, name in enumerate(NAMES, start=1)
    )

    # The nominal bands are 0-3 / 4-11 / 12+, but one source differs (docs/domain.md): the
    # clinic sets where "moderate" and "high" start (STABLE_2007_BANDS), and each assessment
    # records the cut points it was banded with.
    @property
    def band_tables(self) -> tuple[BandTable, ...]:
        return (self._table(settings.STABLE_2007_BANDS),)

    def band_table(self, version: str) -> BandTable | None:
        prefix = f"{self.code}:"
        return self._table(version.removeprefix(prefix)) if version.startswith(prefix) else None

    def _table(self, cut_points: str) -> BandTable:
        moderate, high = (int(point) for point in cut_points.split(","))
        return BandTable(
            f"{self.code}:{moderate},{high}",
            _("Need level"),
            (
                Band("low", _("Low"), 0, moderate - 1),
                Band("moderate", _("Moderate"), moderate, high - 1),
                Band("high", _("High"), high, None),
            ),
        )

    def score(self, *, facts, responses) -> Scores:
        total = sum(item.points(responses[item.code]) for item in self.applicable_items(facts))
        return Scores(
            totals={"total": total},
            levels={table.version: table.level(total) for table in self.band_tables},
        )
