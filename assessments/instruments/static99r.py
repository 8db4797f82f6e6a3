"""Static-99R: ten items, total -3 to 12; risk levels of 2016 and the older four categories."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assessments.instruments.base import (
    YES_NO,
    Band,
    BandTable,
    Choice,
    Instrument,
    Item,
    Scores,
)


def age_points(age: Decimal) -> int:
    """Item 1, age at release from the index offence."""
    if age < 35:
        return 1
    if age < 40:
        return 0
    if age < 60:
        return -1
    return -3


def prior_sex_offence_points(charges: int, convictions: int) -> int:
    """Item 5: the higher of the charges scale and the convictions scale."""
    by_charges = 0 if charges == 0 else 1 if charges <= 2 else 2 if charges <= 5 else 3
    by_convictions = (
        0 if convictions == 0 else 1 if convictions == 1 else 2 if convictions <= 3 else 3
    )
    return max(by_charges, by_convictions)


class Static99R(Instrument):
    code = "static99r"
    name = "Static-99R"
    version = "2016"
    published = 2012
    kind = _("actuarial")
    total_range = (-3, 12)
    reassess_months = None  # re-scored only when the facts change
    facts = (
        Item(
            "non_contact_only",
            _("Are all the person's sexual offences non-contact offences (category B)?"),
            YES_NO,
            help=_("For instance possession of sexual abuse material only."),
        ),
    )
    items = (
        Item(
            "1",
            _("Age at release from index sex offence"),
            minimum=Decimal(10),
            maximum=Decimal(110),
            decimals=1,
            help=_("In years, with one decimal: 34.9"),
        ),
        Item(
            "2",
            _("Ever lived with an intimate partner for two years"),
            # "No" first, as on every yes-or-no question (here "No" scores the point).
            (Choice("no", _("No"), 1), Choice("yes", _("Yes"), 0)),
        ),
        Item("3", _("Index non-sexual violence, any convictions"), YES_NO),
        Item("4", _("Prior non-sexual violence, any convictions"), YES_NO),
        Item(
            "5c",
            _("Prior sex offences: charges"),
            minimum=Decimal(0),
            maximum=Decimal(99),
            help=_("Index offence excluded."),
        ),
        Item(
            "5v",
            _("Prior sex offences: convictions"),
            minimum=Decimal(0),
            maximum=Decimal(99),
            help=_("Index offence excluded."),
        ),
        Item(
            "6",
            _("Prior sentencing dates"),
            minimum=Decimal(0),
            maximum=Decimal(99),
            help=_("Index offence excluded."),
        ),
        Item("7", _("Any convictions for non-contact sex offences"), YES_NO),
        Item("8", _("Any unrelated victims"), YES_NO),
        Item("9", _("Any stranger victims"), YES_NO, help=_("Known for less than 24 hours.")),
        Item("10", _("Any male victims"), YES_NO),
    )
    band_tables = (
        BandTable(
            "static99r-2016",
            _("Risk levels (2016)"),
            (
                Band("I", _("Level I: very low risk"), None, -2),
                Band("II", _("Level II: below average risk"), -1, 0),
                Band("III", _("Level III: average risk"), 1, 3),
                Band("IVa", _("Level IVa: above average risk"), 4, 5),
                Band("IVb", _("Level IVb: well above average risk"), 6, None),
            ),
        ),
        BandTable(
            "static99r-2003",
            _("Older risk categories"),
            (
                Band("low", _("Low"), None, 1),
                Band("moderate-low", _("Moderate-low"), 2, 3),
                Band("moderate-high", _("Moderate-high"), 4, 5),
                Band("high", _("High"), 6, None),
            ),
        ),
    )

    def eligibility(self, *, facts, responses, sex) -> list[str]:
        reasons = []
        if sex == "female":
            reasons.append(_("Static-99R is not for women."))
        if "1" in responses and Decimal(str(responses["1"])) < 18:
            reasons.append(_("Static-99R is not for people under 18 at release."))
        if facts.get("non_contact_only") == "yes":
            reasons.append(
                _(
                    "Static-99R is not for people whose only sexual offences are non-contact "
                    "(category B) offences."
                )
            )
        return reasons

    def item_points(self, responses) -> dict[str, int]:
        points = {
            "1": age_points(Decimal(str(responses["1"]))),
            "5": prior_sex_offence_points(int(responses["5c"]), int(responses["5v"])),
            "6": 1 if int(responses["6"]) >= 4 else 0,
        }
        for item in self.items:
            if item.choices:
                points[item.code] = item.points(responses[item.code])
        return points

    def points_so_far(self, parsed, facts) -> int:
        points = super().points_so_far(parsed, facts)
        if "1" in parsed:
            points += age_points(Decimal(str(parsed["1"])))
        if "5c" in parsed or "5v" in parsed:
            points += prior_sex_offence_points(int(parsed.get("5c", 0)), int(parsed.get("5v", 0)))
        if "6" in parsed:
            points += 1 if int(parsed["6"]) >= 4 else 0
        return points

    def score(self, *, facts, responses) -> Scores:
        total = sum(self.item_points(responses).values())
        return Scores(
            totals={"total": total},
            levels={table.version: table.level(total) for table in self.band_tables},
        )
