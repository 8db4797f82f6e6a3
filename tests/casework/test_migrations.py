"""Data migrations fill what the code expects of rows written before them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("casework", "0012_awaiting_outcome_index_covers_the_session")]
AFTER = [("casework", "0013_patient_lead_therapist")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_file_gets_its_current_lead_therapist(treating_psychologist, other_psychologist):
    old = migrate(BEFORE)
    try:
        Patient, Place = (
            old.get_model("casework", "Patient"),
            old.get_model("casework", "CareTeamMembership"),
        )
        day = datetime.date(2026, 1, 5)

        def patient(number):
            return Patient.objects.create(
                file_number=number,
                last_name="Old",
                first_name="Row",
                date_of_birth=datetime.date(1980, 1, 1),
                sex="male",
                preferred_language="fr",
                created_by_id=treating_psychologist.pk,
            )

        def place(who, clinician, role, ends_on=None):
            Place.objects.create(
                patient=who,
                clinician_id=clinician.pk,
                role=role,
                starts_on=day,
                ends_on=ends_on,
                assigned_by_id=clinician.pk,
            )

        led, left, co_only = patient("M-1"), patient("M-2"), patient("M-3")
        place(led, treating_psychologist, "lead")
        place(led, other_psychologist, "co")
        place(left, treating_psychologist, "lead", ends_on=day)
        place(co_only, other_psychologist, "co")

        new = migrate(AFTER)

        leads = dict(
            new.get_model("casework", "Patient").objects.values_list(
                "file_number", "lead_therapist_id"
            )
        )
        assert leads == {"M-1": treating_psychologist.pk, "M-2": None, "M-3": None}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
