"""The helpline's first lists: the problem tags the Belgian lines record (docs/helpline.md) and
kinds of service to refer to. Seeded after migrating, and again whenever a table is empty (a
flush); the clinical lead edits both in the admin afterwards."""

TAGS = [
    (
        "attraction-minors",
        "Sexual attraction to minors",
        "Attirance sexuelle envers des mineurs",
        "Seksuele gevoelens voor minderjarigen",
    ),
    (
        "abuse-material",
        "Use of child sexual abuse material",
        "Consultation de matériel d'abus sexuel d'enfants",
        "Gebruik van beelden van seksueel kindermisbruik",
    ),
    (
        "intrusive-fantasies",
        "Intrusive sexual fantasies",
        "Fantasmes sexuels envahissants",
        "Opdringerige seksuele fantasieën",
    ),
    (
        "compulsive-behaviour",
        "Compulsive sexual behaviour",
        "Comportement sexuel compulsif",
        "Dwangmatig seksueel gedrag",
    ),
    (
        "fear-acting-out",
        "Fear of acting out",
        "Peur de passer à l'acte",
        "Angst om over te gaan tot de daad",
    ),
    (
        "already-offended",
        "Has already offended",
        "A déjà commis des faits",
        "Heeft al feiten gepleegd",
    ),
    ("other", "Other", "Autre", "Andere"),
]

SERVICES = [
    (
        "Specialised prevention service",
        "Service spécialisé de prévention",
        "Gespecialiseerde preventiedienst",
    ),
    (
        "Mental health service or psychologist",
        "Service de santé mentale ou psychologue",
        "Centrum voor geestelijke gezondheidszorg of psycholoog",
    ),
    ("General practitioner", "Médecin généraliste", "Huisarts"),
    ("Sexual health service", "Service de santé sexuelle", "Seksuele gezondheidszorg"),
    ("Support for relatives", "Soutien aux proches", "Ondersteuning voor naasten"),
    ("Victim support", "Aide aux victimes", "Slachtofferhulp"),
    ("Emergency services", "Services d'urgence", "Hulpdiensten"),
    ("Other", "Autre", "Andere"),
]


def seed_when_empty(tag_model, service_model) -> None:
    if not tag_model.objects.exists():
        tag_model.objects.bulk_create(
            tag_model(code=code, name_en=en, name_fr=fr, name_nl=nl, position=position)
            for position, (code, en, fr, nl) in enumerate(TAGS)
        )
    if not service_model.objects.exists():
        service_model.objects.bulk_create(
            service_model(name_en=en, name_fr=fr, name_nl=nl, position=position)
            for position, (en, fr, nl) in enumerate(SERVICES)
        )
