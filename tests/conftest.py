"""Personas and a patient they relate to differently; see tests/README.md for the conventions."""

import os

import pytest
from django.test import Client

from accounts.roles import Role
from casework import services
from tests.factories import (
    AuthorityFactory,
    JusticeContactFactory,
    UserFactory,
    assign,
    mandate_data,
    register_patient,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a service or tool is missing — except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture
def treating_psychologist(db):
    return UserFactory(username="psy.treating", role=Role.PSYCHOLOGIST)


@pytest.fixture
def other_psychologist(db):
    return UserFactory(username="psy.other", role=Role.PSYCHOLOGIST)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def clinical_lead(db):
    return UserFactory(username="lead", role=Role.CLINICAL_LEAD)


@pytest.fixture
def helpline_listener(db):
    return UserFactory(username="helpline", role=Role.HELPLINE_LISTENER)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def authority(db):
    return AuthorityFactory(name="Commission de probation de Liège")


@pytest.fixture
def justice_contact(db):
    return JusticeContactFactory(name="Claire Renard")


@pytest.fixture
def patient(administrator, clinical_lead, treating_psychologist, authority, justice_contact):
    """In the treating psychologist's care team, with a mandate; nobody else's patient."""
    patient = register_patient(administrator)
    assign(patient, treating_psychologist, by=clinical_lead)
    services.mandate_create(
        actor=administrator,
        patient=patient,
        **mandate_data(authority, justice_contact=justice_contact),
    )
    return patient


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
