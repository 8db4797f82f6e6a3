"""Test data. Patients are made through the services, as the app makes them."""

import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from casework import services
from casework.models import Authority, CareTeamMembership, JusticeContact, Mandate

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    kind = Authority.Kind.PROBATION_COMMISSION
    name = factory.Sequence(lambda n: f"Commission de probation {n}")
    region = "wallonia"
    language = "fr"
    address = "Palais de justice\nPlace Saint-Lambert 16\n4000 Liège"


class JusticeContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JusticeContact

    name = factory.Sequence(lambda n: f"Assistant {n}")
    service = "Maison de justice de Liège"
    language = "fr"


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def register_patient(actor, **overrides):
    """A referral registered through the service. Tests make look-alike patients on purpose:
    the duplicate warning is tested where it is meant (allow_duplicate=False)."""
    data = {
        "allow_duplicate": True,
        "last_name": "Dupont",
        "first_name": "Jean",
        "date_of_birth": datetime.date(1980, 5, 17),
        "sex": "male",
        "preferred_language": "fr",
        "referral_source": "justice_assistant",
        # two years back: room for the sessions and absences the tests book in the past
        "referral_received_on": _today() - datetime.timedelta(days=730),
        **overrides,
    }
    return services.patient_register(actor=actor, **data)


def mandate_data(authority, **overrides):
    return {
        "authority": authority,
        "legal_framework": Mandate.LegalFramework.PROBATION,
        "decision_date": datetime.date(2025, 12, 1),
        "decision_reference": "2025/123",
        "starts_on": datetime.date(2025, 12, 15),
        "ends_on": datetime.date(2028, 12, 15),
        "conditions": "Suivre un traitement spécialisé.",
        "session_frequency": Mandate.SessionFrequency.FORTNIGHTLY,
        "reporting_interval_months": 6,
        "sharing_basis": Mandate.SharingBasis.CONSENT,
        "consent_on": datetime.date(2025, 12, 15),
        **overrides,
    }


def assign(patient, clinician, *, by, role=CareTeamMembership.Role.LEAD_THERAPIST):
    return services.care_team_assign(actor=by, patient=patient, clinician=clinician, role=role)


def patient_in_care(*, administrator, lead, psychologist, authority=None, justice_contact=None):
    """The personas' patient (tests/conftest.py): registered by the administrator, in the
    psychologist's care team, with a mandate of the authority given (or a new one)."""
    patient = register_patient(administrator)
    assign(patient, psychologist, by=lead)
    services.mandate_create(
        actor=administrator,
        patient=patient,
        **mandate_data(
            authority or AuthorityFactory(name="Commission de probation de Liège"),
            justice_contact=justice_contact or JusticeContactFactory(name="Claire Renard"),
        ),
    )
    return patient


def at(days: int, hour: int = 10, minute: int = 0):
    """A local time `days` from today (negative: in the past)."""
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def book(patient, clinician, *, by=None, days=-7, hour=10, minute=0, **options):
    """One individual appointment (in the past by default); returns it."""
    from casework.models import Appointment

    booked = services.appointment_schedule(
        actor=by or clinician,
        kind=options.pop("kind", Appointment.Kind.INDIVIDUAL),
        starts_at=options.pop("starts_at", None) or at(days, hour, minute),
        clinicians=[clinician],
        patient=patient,
        allow_conflicts=options.pop("allow_conflicts", True),
        **options,
    )
    return booked[0] if len(booked) == 1 else booked


def outcome(code):
    from casework.models import AttendanceOutcome

    return AttendanceOutcome.objects.get(code=code)


def record(appointment, code, *, by, patient=None, **details):
    """Record (or correct) an outcome as someone who has the attendance in front of them."""
    attendance = appointment.attendances.get(**({"patient": patient} if patient else {}))
    details.setdefault("revision", attendance.revision)
    return services.attendance_record(
        actor=by, attendance=attendance, outcome=outcome(code), **details
    )


def make_group(*, by, regular, cover=(), members=(), name="Tuesday group", weekday=1, hour=18):
    """A therapy group with its facilitators; the members joined a month ago."""
    from casework.models import TherapyGroup

    group = services.group_save(
        actor=by,
        group=TherapyGroup(name=name, weekday=weekday, start_time=datetime.time(hour)),
        regular=list(regular),
        cover=list(cover),
    )
    for member in members:
        services.group_member_add(actor=by, group=group, patient=member, joined_on=at(-30).date())
    return group


def book_group_session(group, *, by, clinicians, days=-1, hour=18, **options):
    """One session of the group (in the past by default), every current member expected."""
    from casework.models import Appointment

    return services.appointment_schedule(
        actor=by,
        kind=Appointment.Kind.GROUP,
        starts_at=at(days, hour),
        clinicians=list(clinicians),
        group=group,
        **options,
    )[0]


def enrol(user):
    """The user's authenticator app, set up (django-otp's TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    )


def code_for(device) -> str:
    """The code the app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def verify_session(client, user) -> None:
    """A logged-in test client past the second factor, as after typing the code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol(user).persistent_id
    session.save()


def pass_second_factor(client, user):
    """Type the app's code on the second-factor page, as the user would after the password.
    (A code is accepted once: the test may log the same user in twice within 30 s.)"""
    from django.urls import reverse

    device = enrol(user)
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
