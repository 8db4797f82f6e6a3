"""The reference data a new clinic starts with: attendance outcomes (docs/domain.md, adapted
from the UK probation outcome table) and two compliance rules. The clinic edits them in the
admin, which keeps their history.

Written when the tables are empty, after every migrate (casework/apps.py): a new database, or
one flushed by the tests.
"""

from simple_history.utils import bulk_create_with_history

# code, English, French, Dutch, counts as attended, compliant, enforceable, needs evidence
OUTCOMES = [
    ("attended", "Attended", "Présent", "Aanwezig", True, True, False, False),
    (
        "attended-late",
        "Attended late",
        "Présent, en retard",
        "Te laat aanwezig",
        True,
        True,
        False,
        False,
    ),
    (
        "attended-failed-to-comply",
        "Attended but failed to comply",
        "Présent, mais n'a pas respecté le cadre",
        "Aanwezig, maar kader niet nageleefd",
        True,
        False,
        True,
        False,
    ),
    ("sent-home", "Sent home", "Renvoyé", "Naar huis gestuurd", True, False, True, False),
    (
        "absence-medical",
        "Acceptable absence: medical",
        "Absence justifiée : médicale",
        "Gewettigde afwezigheid: medisch",
        False,
        True,
        False,
        True,
    ),
    (
        "absence-legal",
        "Acceptable absence: court or legal",
        "Absence justifiée : tribunal ou justice",
        "Gewettigde afwezigheid: rechtbank of justitie",
        False,
        True,
        False,
        True,
    ),
    (
        "absence-employment",
        "Acceptable absence: employment",
        "Absence justifiée : travail",
        "Gewettigde afwezigheid: werk",
        False,
        True,
        False,
        True,
    ),
    (
        "absence-family",
        "Acceptable absence: family",
        "Absence justifiée : famille",
        "Gewettigde afwezigheid: familie",
        False,
        True,
        False,
        False,
    ),
    (
        "absence-religious",
        "Acceptable absence: religious",
        "Absence justifiée : religieuse",
        "Gewettigde afwezigheid: religieus",
        False,
        True,
        False,
        False,
    ),
    (
        "absence-judgement",
        "Acceptable absence: professional judgement",
        "Absence justifiée : jugement professionnel",
        "Gewettigde afwezigheid: professioneel oordeel",
        False,
        True,
        False,
        False,
    ),
    (
        "absence-unacceptable",
        "Unacceptable absence",
        "Absence injustifiée",
        "Ongewettigde afwezigheid",
        False,
        False,
        True,
        False,
    ),
    (
        "absence-awaiting-evidence",
        "Absent, awaiting evidence",
        "Absent, justificatif attendu",
        "Afwezig, bewijsstuk verwacht",
        False,
        False,
        False,
        True,
    ),
]

RULES = [
    (
        "Two unacceptable absences within 12 months",
        "Deux absences injustifiées en 12 mois",
        "Twee ongewettigde afwezigheden binnen 12 maanden",
        "within_window",
        "unacceptable_absence",
        2,
        12,
    ),
    (
        "Three missed sessions in a row",
        "Trois séances manquées d'affilée",
        "Drie gemiste sessies op rij",
        "consecutive",
        "missed",
        3,
        None,
    ),
]


def seed_when_empty(outcome_model, rule_model) -> None:
    if not outcome_model.objects.exists():
        bulk_create_with_history(
            [
                outcome_model(
                    code=code,
                    name_en=en,
                    name_fr=fr,
                    name_nl=nl,
                    counts_as_attended=attended,
                    compliant=compliant,
                    enforceable=enforceable,
                    needs_evidence=evidence,
                    position=position * 10,
                )
                for position, (code, en, fr, nl, attended, compliant, enforceable, evidence) in (
                    enumerate(OUTCOMES)
                )
            ],
            outcome_model,
        )
    if not rule_model.objects.exists():
        bulk_create_with_history(
            [
                rule_model(
                    name_en=en,
                    name_fr=fr,
                    name_nl=nl,
                    kind=kind,
                    counts=counts,
                    threshold=threshold,
                    window_months=window,
                )
                for en, fr, nl, kind, counts, threshold, window in RULES
            ],
            rule_model,
        )
