"""A believable demo clinic: staff of every role and about forty patients.

Everything goes through the services, so the demo has the same care-team grants and access-log
entries that real use would leave. Running it twice changes nothing.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from assessments import services as assessment_services
from casework import services
from casework.models import (
    Appointment,
    Attendance,
    AttendanceOutcome,
    Authority,
    CareStage,
    CareTeamMembership,
    Episode,
    JusticeContact,
    LegalFramework,
    Mandate,
    Patient,
    Room,
    TherapyGroup,
)
from common.dates import add_months
from common.pdf import render_pdf
from common.text import search_key
from documents import services as document_services
from notes import services as note_services
from reports import drafting, rendering
from reports import services as letter_services

DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 (the demo's published password)

STAFF = [
    ("lead", "Anne", "Lambert", Role.CLINICAL_LEAD),
    ("psy.martin", "Sophie", "Martin", Role.PSYCHOLOGIST),
    ("psy.peeters", "Jan", "Peeters", Role.PSYCHOLOGIST),
    ("psy.dubois", "Marc", "Dubois", Role.PSYCHOLOGIST),
    ("admin.leroy", "Nathalie", "Leroy", Role.ADMINISTRATOR),
    ("admin.janssens", "Els", "Janssens", Role.ADMINISTRATOR),
    ("helpline.claes", "Lucas", "Claes", Role.HELPLINE_LISTENER),
    ("auditor.mertens", "Ingrid", "Mertens", Role.AUDITOR),
]

K = Authority.Kind
# (kind, name, jurisdiction, region, language, postal address): real-shaped addresses of the
# courthouses of those towns, in the authority's language.
AUTHORITIES = [
    (
        K.PROBATION_COMMISSION,
        "Commission de probation de Liège",
        "Arrondissement judiciaire de Liège",
        "wallonia",
        "fr",
        "Palais de justice\nPlace Saint-Lambert 16\n4000 Liège",
    ),
    (
        K.PROBATION_COMMISSION,
        "Commission de probation de Namur",
        "Arrondissement judiciaire de Namur",
        "wallonia",
        "fr",
        "Palais de justice\nPlace du Palais de Justice 5\n5000 Namur",
    ),
    (
        K.PROBATION_COMMISSION,
        "Commission de probation de Bruxelles",
        "Arrondissement judiciaire de Bruxelles",
        "brussels",
        "fr",
        "Palais de justice\nPlace Poelaert 1\n1000 Bruxelles",
    ),
    (
        K.PROBATION_COMMISSION,
        "Probatiecommissie Gent",
        "Gerechtelijk arrondissement Oost-Vlaanderen",
        "flanders",
        "nl",
        "Gerechtsgebouw\nOpgeëistenlaan 401\n9000 Gent",
    ),
    (
        K.SENTENCE_ENFORCEMENT_COURT,
        "Tribunal de l'application des peines de Liège",
        "Ressort de la cour d'appel de Liège",
        "wallonia",
        "fr",
        "Palais de justice\nPlace Saint-Lambert 16\n4000 Liège",
    ),
    (
        K.SENTENCE_ENFORCEMENT_COURT,
        "Tribunal de l'application des peines de Bruxelles",
        "Ressort de la cour d'appel de Bruxelles",
        "brussels",
        "fr",
        "Rue des Quatre Bras 13\n1000 Bruxelles",
    ),
    (
        K.SENTENCE_ENFORCEMENT_COURT,
        "Strafuitvoeringsrechtbank Gent",
        "Rechtsgebied van het hof van beroep Gent",
        "flanders",
        "nl",
        "Gerechtsgebouw\nOpgeëistenlaan 401\n9000 Gent",
    ),
    (
        K.SOCIAL_PROTECTION_CHAMBER,
        "Chambre de protection sociale de Mons",
        "Ressort de la cour d'appel de Mons",
        "wallonia",
        "fr",
        "Palais de justice\nRue de Nimy 70\n7000 Mons",
    ),
    (
        K.SOCIAL_PROTECTION_CHAMBER,
        "Kamer voor de bescherming van de maatschappij Antwerpen",
        "Rechtsgebied van het hof van beroep Antwerpen",
        "flanders",
        "nl",
        "Justitiepaleis\nBolivarplaats 20\n2000 Antwerpen",
    ),
    (
        K.PROSECUTOR,
        "Parquet du procureur du Roi de Namur",
        "Arrondissement judiciaire de Namur",
        "wallonia",
        "fr",
        "Palais de justice\nPlace du Palais de Justice 5\n5000 Namur",
    ),
    (
        K.INVESTIGATING_JUDGE,
        "Juge d'instruction de Liège",
        "Tribunal de première instance de Liège",
        "wallonia",
        "fr",
        "Palais de justice\nPlace Saint-Lambert 16\n4000 Liège",
    ),
    (
        K.YOUTH_JUDGE,
        "Tribunal de la jeunesse de Charleroi",
        "Hainaut, division Charleroi",
        "wallonia",
        "fr",
        "Palais de justice\nAvenue Général Michel 2\n6000 Charleroi",
    ),
]

# The courts that pronounced the probations the commissions follow, by language: a letter's
# measure line names both (docs/letters.md).
DECIDING_COURTS = [
    (
        K.TRIAL_COURT,
        "Tribunal de première instance de Liège",
        "Arrondissement judiciaire de Liège",
        "wallonia",
        "fr",
        "Palais de justice\nPlace Saint-Lambert 16\n4000 Liège",
    ),
    (
        K.TRIAL_COURT,
        "Rechtbank van eerste aanleg Oost-Vlaanderen",
        "Gerechtelijk arrondissement Oost-Vlaanderen",
        "flanders",
        "nl",
        "Gerechtsgebouw\nOpgeëistenlaan 401\n9000 Gent",
    ),
    (
        K.TRIAL_COURT,
        "Gericht Erster Instanz Eupen",
        "Gerichtsbezirk Eupen",
        "german_speaking",
        "de",
        "Gerichtsgebäude\nKlötzerbahn 27\n4700 Eupen",
    ),
]
# The German-speaking Community's probation commission, its house of justice, and one patient
# of theirs: letters go out in German too.
GERMAN_SPEAKING_COMMISSION = (
    K.PROBATION_COMMISSION,
    "Bewährungskommission Eupen",
    "Gerichtsbezirk Eupen",
    "german_speaking",
    "de",
    "Gerichtsgebäude\nKlötzerbahn 27\n4700 Eupen",
)
GERMAN_SPEAKING_ASSISTANT = ("Monika Kessler", "Justizhaus Eupen", "de")

JUSTICE_CONTACTS = [
    ("Claire Renard", "Maison de justice de Liège", "fr"),
    ("Thomas Gérard", "Maison de justice de Liège", "fr"),
    ("Julie Lemaire", "Maison de justice de Namur", "fr"),
    ("Olivier Simon", "Maison de justice de Bruxelles", "fr"),
    ("Sarah Wauters", "Justitiehuis Gent", "nl"),
    ("Pieter De Smet", "Justitiehuis Gent", "nl"),
    ("Inge Maes", "Justitiehuis Antwerpen", "nl"),
    ("Nicolas Dupont", "Maison de justice de Mons", "fr"),
]

# The goals of the demo's treatment plans (made up), with their interventions.
DEMO_GOALS = [
    (
        "Recognise the situations of risk and have a plan for each",
        "Relapse prevention plan, reviewed in individual sessions",
    ),
    (
        "Build a support network outside the family",
        "Group sessions; contact with a local association",
    ),
    ("Keep a regular day: work or training", "Weekly check-in; contact with the job centre"),
]

# The demo's scanned paper: what a court decision and a medical certificate say (made up).
DEMO_DECISION = (
    "<h1>{court}</h1><p>Decision of {date}, file {file_number}.</p>"
    "<p>{name} is granted probation on condition of following a specialised treatment "
    "and of reporting to a justice assistant. (Demo document.)</p>"
)
DEMO_CERTIFICATE = (
    "<h1>Medical certificate</h1><p>I, the undersigned physician, certify that {name} "
    "was unable to leave home on the day of the appointment. (Demo document.)</p>"
)

# Where each service's letters are posted: street and number, then postcode and town.
SERVICE_ADDRESSES = {
    "Maison de justice de Liège": "Place Saint-Michel 86\n4000 Liège",
    "Maison de justice de Namur": "Rue Lelièvre 5\n5000 Namur",
    "Maison de justice de Bruxelles": "Rue de la Régence 63\n1000 Bruxelles",
    "Justitiehuis Gent": "Cataloniëstraat 9\n9000 Gent",
    "Justitiehuis Antwerpen": "Lange Lozanastraat 223\n2018 Antwerpen",
    "Maison de justice de Mons": "Rue Verte 13\n7000 Mons",
    "Justizhaus Eupen": "Aachener Straße 62\n4700 Eupen",
}

SURNAMES_FR = [
    "Lefèvre",
    "Dupuis",
    "Lambot",
    "Collard",
    "Renson",
    "Thiry",
    "Hubert",
    "Delvaux",
    "Gilson",
    "Noël",
    "Marchal",
    "Pirard",
    "Lejeune",
    "Dethier",
    "Bertrand",
    "Laurent",
    "Mathieu",
    "Henrard",
    "Jacquet",
    "Rousseau",
    "Warnier",
    "Louis",
]
SURNAMES_NL = [
    "Vermeulen",
    "De Backer",
    "Willems",
    "Goossens",
    "Van Damme",
    "Hermans",
    "Verstraete",
    "Desmet",
    "Jacobs",
    "Aerts",
    "Van den Broeck",
    "Michiels",
    "Claessens",
    "Wouters",
    "Declercq",
    "Verhaegen",
]
FIRST_FR = [
    "Jean",
    "Michel",
    "Philippe",
    "Didier",
    "Christophe",
    "Stéphane",
    "Kevin",
    "Julien",
    "Patrick",
    "Alain",
    "Frédéric",
    "Nicolas",
    "Damien",
    "Sébastien",
    "Jérôme",
    "Yves",
]
FIRST_NL = [
    "Koen",
    "Bart",
    "Tom",
    "Wim",
    "Geert",
    "Dirk",
    "Stijn",
    "Kristof",
    "Johan",
    "Pieter",
    "Jeroen",
    "Luc",
    "Wouter",
    "Dieter",
]
FIRST_FEMALE = ["Isabelle", "Nathalie", "Griet", "Sandra"]
STREETS_FR = ["rue Saint-Gilles", "rue de Fer", "avenue Rogier", "rue des Carmes", "rue Haute"]
STREETS_NL = ["Kortrijksesteenweg", "Brugsesteenweg", "Sint-Pietersnieuwstraat", "Dampoortstraat"]
CITIES_FR = ["4000 Liège", "5000 Namur", "7000 Mons", "6000 Charleroi", "1000 Bruxelles"]
CITIES_NL = ["9000 Gent", "2000 Antwerpen", "8000 Brugge"]

CONDITIONS = [
    "Suivre une guidance ou un traitement auprès d'un service spécialisé dans la guidance ou "
    "le traitement des auteurs d'infractions à caractère sexuel.",
    "Ne pas fréquenter de lieux principalement fréquentés par des mineurs. Suivre un traitement "
    "spécialisé et en justifier tous les mois auprès de l'assistant de justice.",
    "Een begeleiding of behandeling volgen bij een gespecialiseerde dienst voor daders van "
    "seksueel misbruik; geen contact met minderjarigen zonder toezicht.",
]

# (stage, number of patients) — a clinic mostly in treatment, with a waiting list.
STAGES = [
    (CareStage.REFERRAL, 6),
    (CareStage.INTAKE, 4),
    (CareStage.IN_TREATMENT, 24),
    (CareStage.CLOSED, 6),
]


# How sessions turn out in the demo clinic (and the benchmark's): mostly present; sometimes
# late, excused, or absent without a reason. Outcome codes and their weights.
OUTCOME_MIX = [
    ("attended", 74),
    ("attended-late", 8),
    ("absence-medical", 8),
    ("absence-employment", 4),
    ("absence-unacceptable", 2),
    ("attended-failed-to-comply", 2),
    ("absence-awaiting-evidence", 2),
]


class Command(BaseCommand):
    help = "Load the demo clinic (staff, authorities, ~40 patients). Safe to run again."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username="lead").exists():
            self.stdout.write("The demo clinic is already loaded.")
        else:
            self._seed()
            self.stdout.write(self.style.SUCCESS("Demo clinic loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role in STAFF:
            self.stdout.write(f"  {username:<17} {first} {last} — {role.label}")

    @transaction.atomic
    def _seed(self) -> None:
        rng = random.Random(2026)  # the same clinic on every machine
        today = timezone.localdate()
        User = get_user_model()
        staff = {}
        for username, first, last, role in STAFF:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@clinic.example",
                # the Django admin, for reference data only (authorities, justice contacts)
                is_staff=role in (Role.CLINICAL_LEAD, Role.ADMINISTRATOR),
            )
            user.groups.add(Group.objects.get(name=role))
            staff[username] = user
        lead, admins = staff["lead"], [staff["admin.leroy"], staff["admin.janssens"]]
        psychologists = [staff["psy.martin"], staff["psy.peeters"], staff["psy.dubois"]]

        authorities = [self._authority(index, *values) for index, values in enumerate(AUTHORITIES)]
        self.courts = {
            court.language: court
            for court in (
                self._authority(len(AUTHORITIES) + index, *values)
                for index, values in enumerate(DECIDING_COURTS)
            )
        }
        contacts = [self._contact(rng, *values) for values in JUSTICE_CONTACTS]

        for stage, count in STAGES:
            for _ in range(count):
                self._patient(rng, today, stage, authorities, contacts, admins, psychologists, lead)
        self._german_speaking_patient(rng, today, admins[0], lead, psychologists[0])
        self._rooms()
        self._sessions(rng, admins[0])
        self._group(rng, admins[0], psychologists)
        self._assessments(rng)
        services.compliance_evaluate()
        self._letters(lead, admins[0])
        self._documents(admins[0])
        self._reminders(admins[0])
        self._plans()
        self._helpline(rng, staff["helpline.claes"])

    def _authority(self, index, kind, name, jurisdiction, region, language, address):
        return Authority.objects.create(
            kind=kind,
            name=name,
            jurisdiction=jurisdiction,
            region=region,
            language=language,
            address=address,
            email=f"greffe.{index}@justice.example",
        )

    def _contact(self, rng, name, service, language):
        return JusticeContact.objects.create(
            name=name,
            service=service,
            language=language,
            address=SERVICE_ADDRESSES[service],
            # without accents: "Gérard" is no e-mail address's local part
            email=f"{search_key(name).replace(' ', '.')}@justice.example",
            phone=f"+32 4 {rng.randint(200, 299)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        )

    def _german_speaking_patient(self, rng, today, admin, lead, therapist):
        """A patient of the German-speaking Community, in treatment for seven months: his
        second follow-up report fell due ten days ago (in German, to Eupen)."""
        intake = add_months(today, -7) - datetime.timedelta(days=10)
        patient = services.patient_register(
            actor=admin,
            last_name="Krings",
            first_name="Jürgen",
            date_of_birth=datetime.date(1979, 3, 14),
            sex="male",
            preferred_language="de",
            phone="+32 471 55 21 90",
            address="Haasstraße 12\n4700 Eupen",
            referral_source="justice_assistant",
            referral_received_on=intake - datetime.timedelta(days=20),
        )
        commission = self._authority(99, *GERMAN_SPEAKING_COMMISSION)
        start = intake - datetime.timedelta(days=5)
        services.mandate_create(
            actor=admin,
            patient=patient,
            authority=commission,
            decided_by=self.courts["de"],
            legal_framework_id="probation",
            decision_date=start - datetime.timedelta(days=21),
            decision_reference=f"{start.year}/4711",
            authority_file_number=f"BK/EU/{start.year}/0031",
            starts_on=start,
            ends_on=add_months(start, 36),
            conditions="Eine spezialisierte Behandlung befolgen.",
            session_frequency=Mandate.SessionFrequency.FORTNIGHTLY,
            reporting_interval_months=6,
            justice_contact=self._contact(rng, *GERMAN_SPEAKING_ASSISTANT),
            justice_assistant_file_number=f"JH-EU/{start.year}/0112",
            sharing_basis=Mandate.SharingBasis.CONSENT,
            consent_on=start,
        )
        episode = patient.episodes.get()
        services.episode_record_intake(actor=admin, episode=episode, on=intake)
        services.care_team_assign(
            actor=lead,
            patient=patient,
            clinician=therapist,
            role=CareTeamMembership.Role.LEAD_THERAPIST,
            starts_on=intake,
        )
        services.episode_start_treatment(
            actor=therapist, episode=episode, on=intake + datetime.timedelta(days=21)
        )

    def _helpline(self, rng, listener):
        """A year of the anonymous line: a few contacts a week, some missed, some repeat callers
        with a follow-up code. Written straight into the table: the service logs today's only."""
        from helpline.models import Contact, FollowUpCode, ProblemTag, ReferralService

        tags = list(ProblemTag.objects.all())
        services_ = list(ReferralService.objects.all())
        # Three repeat callers; a listener can look them up by these codes.
        codes = [
            FollowUpCode.objects.create(digest=FollowUpCode.digest_of(code))
            for code in ("ABC234", "DEF567", "GHJ789")
        ]
        now = timezone.now().replace(second=0, microsecond=0)
        for _ in range(160):
            started = now - datetime.timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 9))
            if rng.random() < 0.12:
                Contact.objects.create(
                    channel="phone", started_at=started, missed=True, listener=listener
                )
                continue
            code = rng.choice(codes) if rng.random() < 0.15 else None
            contact = Contact.objects.create(
                channel=rng.choices(["phone", "email", "chat"], weights=[47, 18, 35])[0],
                started_at=started,
                duration_minutes=rng.randint(3, 55),
                hung_up=rng.random() < 0.08,
                repeat=code is not None or rng.random() < 0.2,
                caller_type=rng.choices(
                    [value for value, _label in Contact.CallerType.choices],
                    weights=[52, 6, 20, 14, 3, 5],
                )[0],
                referral=rng.choice(services_) if rng.random() < 0.2 else None,
                summary="Exemple de résumé (données de démonstration).",
                follow_up=code,
                listener=listener,
            )
            contact.tags.set(rng.sample(tags, rng.randint(1, 2)))

    def _letters(self, lead, admin):
        """What the daily run drafts (reports due, notices, acceptances, ends of treatment),
        and letters at each step: a periodic report in each language signed and sent to both
        its recipients (the justice assistant by e-mail where one is on file), an absence
        notice sent by post, a report ready for signature, a serious-risk alert waiting for
        the clinical lead's co-signature."""
        drafted = drafting.draft_due_letters()
        today = timezone.localdate()
        ended = [
            letter
            for letter in drafted
            if letter.kind == "periodic_report" and letter.period_end < today
        ]
        one_per_language = {letter.language: letter for letter in reversed(ended)}
        for letter in one_per_language.values():
            self._send(letter, lead, admin, by_email=True)
        waiting = [letter for letter in drafted if letter.kind == "periodic_report"]
        waiting = [letter for letter in waiting if letter not in one_per_language.values()]
        if waiting:
            letter_services.letter_ready(actor=admin, letter=waiting[0])
        notices = [letter for letter in drafted if letter.kind == "unjustified_absence"]
        if notices:
            self._send(notices[0], lead, admin, by_email=False)
        reports = [letter for letter in one_per_language.values() if letter.language == "fr"]
        if reports:
            patient = reports[0].patient
            risk = letter_services.letter_draft(
                actor=admin,
                patient=patient,
                kind="serious_risk",
                mandate=reports[0].mandate,
                risk_to="others",
                paragraph=(
                    "Lors de la séance de ce jour, la personne a déclaré avoir repris contact "
                    "avec un mineur de son entourage, en contradiction avec ses conditions."
                ),
            )
            letter_services.letter_sign(actor=patient.lead_therapist or lead, letter=risk)

    def _send(self, letter, lead, admin, *, by_email):
        """Signed by the patient's lead therapist, rendered here rather than after the commit
        (so that the demo starts complete), sent to each recipient."""
        signer = letter.patient.lead_therapist or lead
        letter = letter_services.letter_sign(actor=signer, letter=letter)
        letter_services.letter_render(letter_id=letter.pk)
        letter.refresh_from_db()
        for recipient in letter.recipients:
            email = rendering.recipient_block(letter, recipient)["email"]
            by_email_here = by_email and email and recipient != "authority"
            channel = "email" if by_email_here and letter_services.may_email(letter) else "post"
            letter_services.letter_dispatch(
                actor=admin,
                letter=letter,
                recipient=recipient,
                channel=channel,
                to=email if channel == "email" else "",
            )

    def _plans(self):
        """A treatment plan for the first patients in treatment, one reviewed, one due for
        review within the fortnight (on its clinician's to-do list)."""
        today = timezone.localdate()
        in_treatment = Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("pk")
        for index, patient in enumerate(in_treatment[:4]):
            lead = patient.care_team.get(ends_on__isnull=True, role="lead").clinician
            goals = [
                {"goal": goal, "interventions": interventions} for goal, interventions in DEMO_GOALS
            ]
            note_services.plan_write(
                actor=lead,
                patient=patient,
                review_on=today + datetime.timedelta(days=7 if index == 1 else 90),
                goals=goals,
            )
            if index == 0:
                note_services.plan_write(
                    actor=lead,
                    patient=patient,
                    review_on=today + datetime.timedelta(days=120),
                    goals=[
                        goal | {"progress": progress}
                        for goal, progress in zip(
                            goals, ["clear", "some", "not_started"], strict=True
                        )
                    ],
                )

    def _rooms(self):
        """Three offices and the group room, open on weekdays (the group meets till 19:30)."""
        for name in ("Bureau 1", "Bureau 2", "Bureau 3"):
            Room.objects.create(name=name)
        Room.objects.create(name="Salle de groupe", closes_at=datetime.time(21))

    def _reminders(self, admin):
        """Some patients in treatment asked to be reminded of their appointments by SMS, one
        by e-mail (the console prints them: docs/reminders.md)."""
        in_treatment = Patient.objects.filter(status=CareStage.IN_TREATMENT).exclude(phone="")
        for index, patient in enumerate(in_treatment.order_by("pk")[:6]):
            if index == 0 and not patient.email:
                patient.email = f"{search_key(patient.first_name).replace(' ', '')}@example.org"
            services.patient_update(
                actor=admin, patient=patient, reminders="email" if index == 0 else "sms"
            )

    def _documents(self, admin):
        """The court's decision on the files of the first patients in treatment, as the
        administrator scanned them; and a medical certificate for one absence that awaited it."""
        in_treatment = Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("pk")
        for patient in in_treatment[:4]:
            mandate = patient.mandates.order_by("pk").first()
            if mandate is None:
                continue
            decided = mandate.starts_on - datetime.timedelta(days=21)
            html = DEMO_DECISION.format(
                court=mandate.authority.name,
                date=decided.strftime("%d/%m/%Y"),
                file_number=patient.file_number,
                name=patient.full_name,
            )
            document_services.document_upload(
                actor=admin,
                patient=patient,
                kind="court_decision",
                dated=decided,
                upload=ContentFile(render_pdf(html), name="decision.pdf"),
                title=str(mandate.authority.name),
            )
        awaiting = Attendance.objects.filter(evidence=Attendance.Evidence.AWAITED).order_by("pk")
        if absence := awaiting.select_related("patient").first():
            html = DEMO_CERTIFICATE.format(name=absence.patient.full_name)
            document_services.document_upload(
                actor=admin,
                patient=absence.patient,
                kind="absence_evidence",
                dated=timezone.localdate(),
                upload=ContentFile(render_pdf(html), name="certificat.pdf"),
                attendance=absence,
            )

    def _assessments(self, rng):
        """Static-99R and STABLE-2007 for one patient in treatment in three; some are due."""
        today = timezone.localdate()
        in_treatment = Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("pk")
        for index, patient in enumerate(in_treatment):
            if index % 3 or patient.sex == "female":
                continue
            lead = patient.care_team.get(ends_on__isnull=True, role="lead").clinician
            assessed = today - datetime.timedelta(days=rng.randint(60, 200))
            static = {
                "1": f"{rng.randint(22, 58)}.{rng.randint(0, 9)}",
                "2": rng.choice(["yes", "no"]),
                "5c": rng.randint(0, 3),
                "5v": rng.randint(0, 2),
                "6": rng.randint(0, 5),
                **{
                    code: rng.choice(["no", "no", "yes"])
                    for code in ("3", "4", "7", "8", "9", "10")
                },
            }
            stable = {str(n): rng.choice(["0", "0", "1", "1", "2"]) for n in range(1, 14)}
            for instrument, facts, responses in (
                ("static99r", {"non_contact_only": "no"}, static),
                ("stable2007", {"child_victims": rng.choice(["yes", "no"])}, stable),
            ):
                draft = assessment_services.assessment_save(
                    actor=lead,
                    patient=patient,
                    instrument=instrument,
                    assessed_on=assessed,
                    facts=facts,
                    responses=responses,
                    trained_assessor=True,
                    complete=True,
                )
                assessment_services.assessment_sign(actor=lead, assessment=draft)

    def _sessions(self, rng, admin):
        """Eight weeks of individual sessions for every patient in treatment, and two to come."""
        now = timezone.localtime()
        outcomes = {o.code: o for o in AttendanceOutcome.objects.all()}
        codes, chances = zip(*OUTCOME_MIX, strict=True)
        in_treatment = Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("pk")
        for index, patient in enumerate(in_treatment):
            lead = patient.care_team.get(ends_on__isnull=True, role="lead").clinician
            hour = 9 + index % 8
            day = now.date() - datetime.timedelta(days=56 - index % 5)
            day -= datetime.timedelta(days=max(0, day.weekday() - 4))  # a weekday, not a weekend
            first = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            series = services.appointment_schedule(
                actor=admin,
                kind=Appointment.Kind.INDIVIDUAL,
                starts_at=first,
                clinicians=[lead],
                patient=patient,
                room=rng.choice(list(Room.objects.filter(name__startswith="Bureau"))),
                repeat="weekly",
                occurrences=10,
                allow_conflicts=True,
            )
            unlucky = index == 3  # one patient who misses twice: the rules notice him
            for appointment in series:
                if appointment.starts_at > now - datetime.timedelta(days=2 if index % 4 else 0):
                    continue  # recent or coming: outcome still to record
                code = rng.choices(codes, chances)[0]
                if unlucky and appointment.series_index in (3, 5):
                    code = "absence-unacceptable"
                services.attendance_record(
                    actor=lead,
                    attendance=appointment.attendances.get(),
                    outcome=outcomes[code],
                    minutes_late=rng.choice([5, 10, 20]) if code == "attended-late" else None,
                )
            if index % 6 == 0:
                signed = note_services.note_create(
                    actor=lead,
                    patient=patient,
                    kind="session",
                    appointment=series[0],
                    text="Exemple de note de séance (données de démonstration).",
                )
                note_services.note_sign(actor=lead, note=signed)

    def _group(self, rng, admin, psychologists):
        group = services.group_save(
            actor=admin,
            group=TherapyGroup(
                name="Groupe du mardi",
                description="Groupe de prévention de la récidive",
                weekday=1,
                start_time=datetime.time(18),
                duration_minutes=90,
                room=Room.objects.get(name="Salle de groupe"),
            ),
            regular=[psychologists[0]],
            cover=[psychologists[2]],
        )
        members = list(Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("pk")[:6])
        services.non_association_add(
            actor=admin,
            patient=members[0],
            other=Patient.objects.filter(status=CareStage.IN_TREATMENT).order_by("-pk").first(),
            reason="Co-accusés",
        )
        today = timezone.localdate()
        for member in members:
            services.group_member_add(
                actor=admin,
                group=group,
                patient=member,
                joined_on=today - datetime.timedelta(days=60),
            )
        last_tuesday = today - datetime.timedelta(days=(today.weekday() - 1) % 7 or 7)
        first = timezone.make_aware(
            datetime.datetime.combine(last_tuesday - datetime.timedelta(weeks=3), group.start_time)
        )
        sessions = services.appointment_schedule(
            actor=admin,
            kind=Appointment.Kind.GROUP,
            starts_at=first,
            clinicians=[psychologists[0]],
            group=group,
            duration_minutes=90,
            room=group.room,
            repeat="weekly",
            occurrences=8,
            allow_conflicts=True,
        )
        attended = AttendanceOutcome.objects.get(code="attended")
        excused = AttendanceOutcome.objects.get(code="absence-family")
        for session in sessions[:3]:
            services.group_attendance_record(
                actor=psychologists[0],
                appointment=session,
                rows={
                    a.pk: {"outcome": excused if rng.random() < 0.1 else attended}
                    for a in session.attendances.all()
                },
            )

    def _patient(self, rng, today, stage, authorities, contacts, admins, psychologists, lead):
        dutch = rng.random() < 0.35
        female = rng.random() < 0.06
        first = rng.choice(FIRST_FEMALE if female else (FIRST_NL if dutch else FIRST_FR))
        last = rng.choice(SURNAMES_NL if dutch else SURNAMES_FR)
        admin = rng.choice(admins)
        referred = today - datetime.timedelta(
            days={"referral": rng.randint(3, 40), "intake": rng.randint(30, 70)}.get(
                stage, rng.randint(120, 1000)
            )
        )
        patient = services.patient_register(
            actor=admin,
            last_name=last,
            first_name=first,
            date_of_birth=datetime.date(
                rng.randint(1958, 2004), rng.randint(1, 12), rng.randint(1, 28)
            ),
            sex="female" if female else "male",
            preferred_language="nl" if dutch else "fr",
            phone="+32 47{} {} {} {}".format(
                rng.randint(0, 9), *(rng.randint(10, 99) for _ in range(3))
            ),
            address=f"{rng.choice(STREETS_NL if dutch else STREETS_FR)} {rng.randint(1, 180)}\n"
            f"{rng.choice(CITIES_NL if dutch else CITIES_FR)}",
            referral_source=rng.choice(
                ["justice_assistant", "justice_assistant", "authority", "prison", "support_centre"]
            ),
            referral_received_on=referred,
        )
        # Voluntary patients (no mandate) are a minority.
        if rng.random() > 0.08:
            self._mandates(rng, today, patient, referred, authorities, contacts, admin, dutch)
        if stage == CareStage.REFERRAL:
            return
        episode = patient.episodes.get()
        intake = referred + datetime.timedelta(days=rng.randint(14, 28))
        services.episode_record_intake(actor=admin, episode=episode, on=min(intake, today))
        therapist = rng.choice(psychologists)
        services.care_team_assign(
            actor=lead,
            patient=patient,
            clinician=therapist,
            role=CareTeamMembership.Role.LEAD_THERAPIST,
            starts_on=min(intake, today),
        )
        if stage == CareStage.INTAKE:
            return
        started = intake + datetime.timedelta(days=rng.randint(14, 35))
        services.episode_start_treatment(actor=therapist, episode=episode, on=min(started, today))
        if rng.random() < 0.25:  # some patients also attend a co-therapist's group
            co = rng.choice([p for p in psychologists if p != therapist])
            services.care_team_assign(
                actor=lead,
                patient=patient,
                clinician=co,
                role=CareTeamMembership.Role.CO_THERAPIST,
                starts_on=min(started, today),
            )
        if stage == CareStage.CLOSED:
            closed = min(started + datetime.timedelta(days=rng.randint(180, 700)), today)
            services.episode_close(
                actor=therapist,
                episode=episode,
                on=closed,
                exit_reason=rng.choice(
                    [
                        Episode.ExitReason.COMPLETED,
                        Episode.ExitReason.COMPLETED,
                        Episode.ExitReason.STOPPED_BY_PATIENT,
                        Episode.ExitReason.MANDATE_ENDED,
                        Episode.ExitReason.TRANSFERRED,
                        Episode.ExitReason.REVOKED,
                    ]
                ),
            )
            for membership in patient.care_team.filter(ends_on__isnull=True):
                services.care_team_end(actor=lead, membership=membership)
        self._follow_up_checks(today, patient, intake, admin)

    def _follow_up_checks(self, today, patient, intake, admin):
        """A yearly look at the justice record since the intake, as the clinic asks for it; now
        and then a new offence, which ends the checks (docs/statistics.md). A random of its own,
        so that the rest of the demo stays as it was."""
        rng = random.Random(patient.pk)
        checked = intake + datetime.timedelta(days=rng.randint(330, 400))
        while checked <= today:
            offence = rng.random() < 0.12
            before = datetime.timedelta(days=rng.randint(20, 200))
            offence_on = max(checked - before, intake) if offence else None
            services.follow_up_check_record(
                actor=admin,
                patient=patient,
                checked_on=checked,
                source=rng.choice(["justice_record", "justice_record", "justice_assistant"]),
                new_offence=offence,
                offence_on=offence_on,
                kind=rng.choice(["charge", "conviction"]) if offence else "",
                category=rng.choice(["sexual", "violent", "other", "other"]) if offence else "",
            )
            if offence:
                return
            checked += datetime.timedelta(days=rng.randint(330, 400))

    def _mandates(self, rng, today, patient, referred, authorities, contacts, admin, dutch):
        language = "nl" if dutch else "fr"
        suitable = [a for a in authorities if a.language == language] or authorities
        framework_for = {
            Authority.Kind.PROBATION_COMMISSION: "probation",
            Authority.Kind.SENTENCE_ENFORCEMENT_COURT: rng.choice(
                ["conditional_release", "electronic_monitoring"]
            ),
            Authority.Kind.SOCIAL_PROTECTION_CHAMBER: "internment",
            Authority.Kind.PROSECUTOR: "pretrial",
            Authority.Kind.INVESTIGATING_JUDGE: "pretrial",
            Authority.Kind.YOUTH_JUDGE: "youth",
        }
        frameworks = LegalFramework.objects.in_bulk()
        # One patient in six had an earlier mandate that has since ended.
        if rng.random() < 0.17:
            authority = rng.choice(suitable)
            start = referred - datetime.timedelta(days=rng.randint(900, 1500))
            end = start + datetime.timedelta(days=rng.randint(365, 720))
            services.mandate_create(
                actor=admin,
                patient=patient,
                authority=authority,
                legal_framework_id=framework_for.get(authority.kind, "other"),
                decision_date=start - datetime.timedelta(days=rng.randint(10, 40)),
                decision_reference=f"{start.year}/{rng.randint(100, 999)}",
                starts_on=start,
                ends_on=end,
                conditions=rng.choice(CONDITIONS),
                session_frequency=Mandate.SessionFrequency.FORTNIGHTLY,
                reporting_interval_months=6,
                sharing_basis=Mandate.SharingBasis.CONSENT,
                consent_on=start,
                status=Mandate.Status.ENDED,
                ended_on=end,
                end_reason=Mandate.EndReason.COMPLETED,
            )
        authority = rng.choice(suitable)
        start = referred - datetime.timedelta(days=rng.randint(5, 60))
        internment = authority.kind == Authority.Kind.SOCIAL_PROTECTION_CHAMBER
        framework = frameworks[framework_for.get(authority.kind, "other")]
        # As often as the law of the framework allows (every six months at least, for most).
        interval = rng.choice([6, 6, 6, 3, 12])
        probation = framework.code == "probation"
        services.mandate_create(
            actor=admin,
            patient=patient,
            authority=authority,
            # A probation is pronounced by a court and followed by its commission.
            decided_by=self.courts.get(authority.language) if probation else None,
            legal_framework=framework,
            decision_date=start - datetime.timedelta(days=rng.randint(5, 30)),
            decision_reference=f"{start.year}/{rng.randint(100, 999)}",
            # What the recipients file letters by, without drawing on the clinic's chance.
            authority_file_number=f"{start.year}/{patient.pk:04d}" if not probation else "",
            justice_assistant_file_number=f"{language.upper()}-{start.year}-{patient.pk:04d}",
            starts_on=start,
            ends_on=start + datetime.timedelta(days=365 * rng.choice([2, 3, 5])),
            conditions=rng.choice(CONDITIONS),
            session_frequency=rng.choice(
                [
                    Mandate.SessionFrequency.WEEKLY,
                    Mandate.SessionFrequency.FORTNIGHTLY,
                    Mandate.SessionFrequency.MONTHLY,
                ]
            ),
            reporting_interval_months=min(
                interval, framework.longest_reporting_interval_months or interval
            ),
            justice_contact=rng.choice([c for c in contacts if c.language == language] or contacts),
            sharing_basis=(
                Mandate.SharingBasis.LEGAL_BASIS if internment else Mandate.SharingBasis.CONSENT
            ),
            consent_on=None if internment else start,
            legal_basis="Loi du 5 mai 2014 relative à l'internement, art. 57" if internment else "",
        )
