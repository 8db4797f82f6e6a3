"""HCR-20 V3: ten historical, five clinical and five risk-management factors, rated N, P or Y
with their relevance; three final judgements. No total decides anything. (V3 names only:
never mix them with V2's.)"""

from django.utils.translation import gettext_lazy as _

from assessments.instruments.base import LOW_MODERATE_HIGH, Choice, Instrument, Item

N_P_Y = (
    Choice("N", _("N: absent")),
    Choice("P", _("P: possibly or partially present")),
    Choice("Y", _("Y: present")),
)

HISTORICAL = _("Historical")
CLINICAL = _("Clinical")
RISK_MANAGEMENT = _("Risk management")

FACTORS = [
    ("H1", HISTORICAL, _("History of problems with violence")),
    ("H2", HISTORICAL, _("History of problems with other antisocial behaviour")),
    ("H3", HISTORICAL, _("History of problems with relationships")),
    ("H4", HISTORICAL, _("History of problems with employment")),
    ("H5", HISTORICAL, _("History of problems with substance use")),
    ("H6", HISTORICAL, _("History of problems with major mental disorder")),
    ("H7", HISTORICAL, _("History of problems with personality disorder")),
    ("H8", HISTORICAL, _("History of problems with traumatic experiences")),
    ("H9", HISTORICAL, _("History of problems with violent attitudes")),
    ("H10", HISTORICAL, _("History of problems with treatment or supervision response")),
    ("C1", CLINICAL, _("Recent problems with insight")),
    ("C2", CLINICAL, _("Recent problems with violent ideation or intent")),
    ("C3", CLINICAL, _("Recent problems with symptoms of major mental disorder")),
    ("C4", CLINICAL, _("Recent problems with instability")),
    ("C5", CLINICAL, _("Recent problems with treatment or supervision response")),
    ("R1", RISK_MANAGEMENT, _("Future problems with professional services and plans")),
    ("R2", RISK_MANAGEMENT, _("Future problems with living situation")),
    ("R3", RISK_MANAGEMENT, _("Future problems with personal support")),
    ("R4", RISK_MANAGEMENT, _("Future problems with treatment or supervision response")),
    ("R5", RISK_MANAGEMENT, _("Future problems with stress or coping")),
]


class HCR20V3(Instrument):
    code = "hcr20v3"
    name = "HCR-20 V3"
    version = "3"
    published = 2013
    kind = _("structured judgement")
    reassess_months = 6
    items = tuple(
        Item(code, name, N_P_Y, domain=domain, relevance=True) for code, domain, name in FACTORS
    )
    judgements = (
        Item("case_prioritisation", _("Case prioritisation"), LOW_MODERATE_HIGH),
        Item("serious_physical_harm", _("Serious physical harm"), LOW_MODERATE_HIGH),
        Item("imminent_violence", _("Imminent violence"), LOW_MODERATE_HIGH),
    )
