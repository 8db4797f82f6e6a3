"""The reference data a new clinic starts with: the legal frameworks and the reporting duty each
one's law sets, attendance outcomes (docs/domain.md, adapted from the UK probation outcome table)
and two compliance rules. The clinic edits them in the admin, which keeps their history.

Written when missing, after every migrate (casework/apps.py): a new database, or one flushed by
the tests. A clinic's own edits are never overwritten.
"""

from simple_history.utils import bulk_create_with_history

# The reporting duty of the laws behind the Belgian frameworks (docs/letters.md, "The law"):
# the specialised service reports to the authority and to the justice assistant "within the
# month", then "at least once every six months". Law of 29 June 1964 on suspension, stay and
# probation, art. 9bis; law of 17 May 2006 on the external legal position of sentenced persons
# (conditional release, electronic monitoring); law of 5 May 2014 on internment, art. 57 §5,
# which took over art. 20 of the law of 1 July 1964 on social defence.
SIX_MONTHS, WITHIN_THE_MONTH = 6, 1
PROBATION_DUTY = (
    "Law of 29 June 1964 on suspension, stay and probation, art. 9bis",
    "Loi du 29 juin 1964 concernant la suspension, le sursis et la probation, art. 9bis",
    "Wet van 29 juni 1964 betreffende de opschorting, het uitstel en de probatie, art. 9bis",
    "Gesetz vom 29. Juni 1964 über die Aussetzung, den Aufschub und die Bewährung, Art. 9bis",
)
EXTERNAL_POSITION_DUTY = (
    "Law of 17 May 2006 on the external legal position of persons sentenced to a custodial "
    "sentence",
    "Loi du 17 mai 2006 relative au statut juridique externe des personnes condamnées à une "
    "peine privative de liberté",
    "Wet van 17 mei 2006 betreffende de externe rechtspositie van de veroordeelden tot een "
    "vrijheidsstraf",
    "Gesetz vom 17. Mai 2006 über die externe Rechtsstellung der zu einer Freiheitsstrafe "
    "verurteilten Personen",
)
INTERNMENT_DUTY = (
    "Law of 5 May 2014 on internment, art. 57 §5",
    "Loi du 5 mai 2014 relative à l'internement, art. 57, § 5",
    "Wet van 5 mei 2014 betreffende de internering, art. 57, § 5",
    "Gesetz vom 5. Mai 2014 über die Internierung, Art. 57 § 5",
)
NO_DUTY = ("", "", "", "")

# code, names (en, fr, nl, de), longest interval, first report within, reporting duty, and
# whether a serious risk to the patient themself is reported (internment only)
FRAMEWORKS = [
    (
        "probation",
        (
            "Probation (suspended pronouncement or suspended sentence)",
            "Probation (suspension du prononcé ou sursis probatoire)",
            "Probatie (opschorting van de uitspraak of probatieuitstel)",
            "Bewährung (Aussetzung der Verkündung oder Strafaufschub)",
        ),
        SIX_MONTHS,
        WITHIN_THE_MONTH,
        PROBATION_DUTY,
        False,
    ),
    (
        "conditional_release",
        (
            "Conditional release",
            "Libération conditionnelle",
            "Voorwaardelijke invrijheidstelling",
            "Bedingte Freilassung",
        ),
        SIX_MONTHS,
        WITHIN_THE_MONTH,
        EXTERNAL_POSITION_DUTY,
        False,
    ),
    (
        "electronic_monitoring",
        (
            "Electronic monitoring",
            "Surveillance électronique",
            "Elektronisch toezicht",
            "Elektronische Überwachung",
        ),
        SIX_MONTHS,
        WITHIN_THE_MONTH,
        EXTERNAL_POSITION_DUTY,
        False,
    ),
    (
        "internment",
        (
            "Internment (release on trial or final release)",
            "Internement (libération à l'essai ou définitive)",
            "Internering (invrijheidstelling op proef of definitief)",
            "Internierung (Freilassung auf Probe oder endgültige Freilassung)",
        ),
        SIX_MONTHS,
        WITHIN_THE_MONTH,
        INTERNMENT_DUTY,
        True,
    ),
    (
        "pretrial",
        (
            "Release under conditions before trial",
            "Libération sous conditions (avant jugement)",
            "Vrijheid onder voorwaarden (vóór het vonnis)",
            "Freilassung unter Auflagen (vor dem Urteil)",
        ),
        None,
        None,
        NO_DUTY,
        False,
    ),
    (
        "youth",
        (
            "Youth protection measure",
            "Mesure de protection de la jeunesse",
            "Jeugdbeschermingsmaatregel",
            "Jugendschutzmaßnahme",
        ),
        None,
        None,
        NO_DUTY,
        False,
    ),
    ("other", ("Other", "Autre", "Andere", "Sonstige"), None, None, NO_DUTY, False),
]

# code, names (en, fr, nl, de), counts as attended, compliant, enforceable, needs evidence
OUTCOMES = [
    (
        "attended",
        ("Attended", "Présent", "Aanwezig", "Anwesend"),
        True,
        True,
        False,
        False,
    ),
    (
        "attended-late",
        ("Attended late", "Présent, en retard", "Te laat aanwezig", "Verspätet anwesend"),
        True,
        True,
        False,
        False,
    ),
    (
        "attended-failed-to-comply",
        (
            "Attended but failed to comply",
            "Présent, mais n'a pas respecté le cadre",
            "Aanwezig, maar kader niet nageleefd",
            "Anwesend, aber Rahmen nicht eingehalten",
        ),
        True,
        False,
        True,
        False,
    ),
    (
        "sent-home",
        ("Sent home", "Renvoyé", "Naar huis gestuurd", "Nach Hause geschickt"),
        True,
        False,
        True,
        False,
    ),
    (
        "absence-medical",
        (
            "Acceptable absence: medical",
            "Absence justifiée : médicale",
            "Gewettigde afwezigheid: medisch",
            "Entschuldigte Abwesenheit: medizinisch",
        ),
        False,
        True,
        False,
        True,
    ),
    (
        "absence-legal",
        (
            "Acceptable absence: court or legal",
            "Absence justifiée : tribunal ou justice",
            "Gewettigde afwezigheid: rechtbank of justitie",
            "Entschuldigte Abwesenheit: Gericht oder Justiz",
        ),
        False,
        True,
        False,
        True,
    ),
    (
        "absence-employment",
        (
            "Acceptable absence: employment",
            "Absence justifiée : travail",
            "Gewettigde afwezigheid: werk",
            "Entschuldigte Abwesenheit: Arbeit",
        ),
        False,
        True,
        False,
        True,
    ),
    (
        "absence-family",
        (
            "Acceptable absence: family",
            "Absence justifiée : famille",
            "Gewettigde afwezigheid: familie",
            "Entschuldigte Abwesenheit: Familie",
        ),
        False,
        True,
        False,
        False,
    ),
    (
        "absence-religious",
        (
            "Acceptable absence: religious",
            "Absence justifiée : religieuse",
            "Gewettigde afwezigheid: religieus",
            "Entschuldigte Abwesenheit: religiös",
        ),
        False,
        True,
        False,
        False,
    ),
    (
        "absence-judgement",
        (
            "Acceptable absence: professional judgement",
            "Absence justifiée : jugement professionnel",
            "Gewettigde afwezigheid: professioneel oordeel",
            "Entschuldigte Abwesenheit: fachliche Einschätzung",
        ),
        False,
        True,
        False,
        False,
    ),
    (
        "absence-unacceptable",
        (
            "Unacceptable absence",
            "Absence injustifiée",
            "Ongewettigde afwezigheid",
            "Unentschuldigte Abwesenheit",
        ),
        False,
        False,
        True,
        False,
    ),
    (
        "absence-awaiting-evidence",
        (
            "Absent, awaiting evidence",
            "Absent, justificatif attendu",
            "Afwezig, bewijsstuk verwacht",
            "Abwesend, Nachweis erwartet",
        ),
        False,
        False,
        False,
        True,
    ),
]

RULES = [
    (
        (
            "Two unacceptable absences within 12 months",
            "Deux absences injustifiées en 12 mois",
            "Twee ongewettigde afwezigheden binnen 12 maanden",
            "Zwei unentschuldigte Abwesenheiten innerhalb von 12 Monaten",
        ),
        "within_window",
        "unacceptable_absence",
        2,
        12,
    ),
    (
        (
            "Three missed sessions in a row",
            "Trois séances manquées d'affilée",
            "Drie gemiste sessies op rij",
            "Drei versäumte Sitzungen in Folge",
        ),
        "consecutive",
        "missed",
        3,
        None,
    ),
]

LANGUAGES = ("en", "fr", "nl", "de")


def _named(prefix: str, texts: tuple[str, ...]) -> dict[str, str]:
    return {f"{prefix}_{language}": text for language, text in zip(LANGUAGES, texts, strict=True)}


def _known(model, values: dict) -> dict:
    """Only the fields `model` has: a migration calls this with the model of its time."""
    names = {field.name for field in model._meta.fields}
    return {name: value for name, value in values.items() if name in names}


def _create(model, objects: list) -> None:
    if hasattr(model, "history"):
        bulk_create_with_history(objects, model)
    else:  # a migration's model of its time keeps no history
        model.objects.bulk_create(objects)


def seed_frameworks(framework_model) -> None:
    """The frameworks missing from the table, as the law sets them (existing ones are the
    clinic's, kept as they are)."""
    existing = set(framework_model.objects.values_list("code", flat=True))
    _create(
        framework_model,
        [
            framework_model(
                **_known(
                    framework_model,
                    {
                        "code": code,
                        **_named("name", names),
                        "longest_reporting_interval_months": longest,
                        "first_report_within_months": first,
                        **_named("reporting_duty", duty),
                        "reports_risk_to_self": risk_to_self,
                        "position": position * 10,
                    },
                )
            )
            for position, (code, names, longest, first, duty, risk_to_self) in enumerate(FRAMEWORKS)
            if code not in existing
        ],
    )


def seed_when_empty(framework_model, outcome_model, rule_model) -> None:
    seed_frameworks(framework_model)
    if not outcome_model.objects.exists():
        bulk_create_with_history(
            [
                outcome_model(
                    code=code,
                    **_named("name", names),
                    counts_as_attended=attended,
                    compliant=compliant,
                    enforceable=enforceable,
                    needs_evidence=evidence,
                    position=position * 10,
                )
                for position, (code, names, attended, compliant, enforceable, evidence) in (
                    enumerate(OUTCOMES)
                )
            ],
            outcome_model,
        )
    if not rule_model.objects.exists():
        bulk_create_with_history(
            [
                rule_model(
                    **_named("name", names),
                    kind=kind,
                    counts=counts,
                    threshold=threshold,
                    window_months=window,
                )
                for names, kind, counts, threshold, window in RULES
            ],
            rule_model,
        )


def german_names(outcome_model, rule_model) -> None:
    """Letters now go out in German too: the outcomes and rules of the first set get their
    German names where the clinic left them blank (a migration runs this once)."""
    for code, names, *_flags in OUTCOMES:
        outcome_model.objects.filter(code=code, name_de="").update(name_de=names[3])
    for names, *_rest in RULES:
        rule_model.objects.filter(name_en=names[0], name_de="").update(name_de=names[3])
