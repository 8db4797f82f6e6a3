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


class JusticeContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JusticeContact

    name = factory.Sequence(lambda n: f"Assistant {n}")
    service = "Maison de justice de Liège"
    language = "fr"


def register_patient(actor, **overrides):
    data = {
        "last_name": "Dupont",
        "first_name": "Jean",
        "date_of_birth": datetime.date(1980, 5, 17),
        "sex": "male",
        "preferred_language": "fr",
        "referral_source": "justice_assistant",
        "referral_received_on": datetime.date(2026, 1, 5),
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
