"""SVR-20: twenty factors in three domains, rated N, ? or Y; the clinician judges the risk."""

from django.utils.translation import gettext_lazy as _

from assessments.instruments.base import LOW_MODERATE_HIGH, Choice, Instrument, Item

N_Q_Y = (
    Choice("N", _("N: absent")),
    Choice("?", _("?: possibly present")),
    Choice("Y", _("Y: present")),
)

PSYCHOSOCIAL = _("Psychosocial adjustment")
SEXUAL_OFFENCES = _("Sexual offences")
FUTURE_PLANS = _("Future plans")

FACTORS = [
    (PSYCHOSOCIAL, _("Sexual deviation")),
    (PSYCHOSOCIAL, _("Victim of child abuse")),
    (PSYCHOSOCIAL, _("Psychopathy")),
    (PSYCHOSOCIAL, _("Major mental illness")),
    (PSYCHOSOCIAL, _("Substance use problems")),
    (PSYCHOSOCIAL, _("Suicidal or homicidal ideation")),
    (PSYCHOSOCIAL, _("Relationship problems")),
    (PSYCHOSOCIAL, _("Employment problems")),
    (PSYCHOSOCIAL, _("Past non-sexual violent offences")),
    (PSYCHOSOCIAL, _("Past non-violent offences")),
    (PSYCHOSOCIAL, _("Past supervision failure")),
    (SEXUAL_OFFENCES, _("High-density sex offences")),
    (SEXUAL_OFFENCES, _("Multiple sex offence types")),
    (SEXUAL_OFFENCES, _("Physical harm to victims")),
    (SEXUAL_OFFENCES, _("Uses weapons or threats of death")),
    (SEXUAL_OFFENCES, _("Escalation in frequency or severity")),
    (SEXUAL_OFFENCES, _("Extreme minimisation or denial of sex offences")),
    (SEXUAL_OFFENCES, _("Attitudes that support or condone sex offences")),
    (FUTURE_PLANS, _("Lacks realistic plans")),
    (FUTURE_PLANS, _("Negative attitude toward intervention")),
]


class SVR20(Instrument):
    code = "svr20"
    name = "SVR-20"
    version = "1"
    published = 1997
    kind = _("structured judgement")
    reassess_months = 12
    items = tuple(
        Item(str(number), name, N_Q_Y, domain=domain)
        for number, (domain, name) in enumerate(FACTORS, start=1)
    )
    judgements = (Item("summary_risk", _("Summary risk of sexual violence"), LOW_MODERATE_HIGH),)
