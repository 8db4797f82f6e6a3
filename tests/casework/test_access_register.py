"""The access register (law of 30 July 2018): who has access to what, by role and by patient,
for the clinical lead only; looking a file up is an access to it."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories import UserFactory, make_group

URL = reverse("workspace:access_register")


def holders_of(page) -> dict[str, str]:
    return {
        holder.user.username: (
            sorted(zone.name for zone in holder.zones),
            "; ".join(holder.reasons),
        )
        for holder in page.context["holders"]
    }


def test_the_lead_sees_who_can_open_a_file_and_through_what(
    patient, treating_psychologist, other_psychologist, administrator, clinical_lead, client_for
):
    facilitator = UserFactory(username="psy.groups", role=Role.PSYCHOLOGIST)
    make_group(by=administrator, regular=[facilitator], members=[patient])
    UserFactory(username="root", is_superuser=True)

    page = client_for(clinical_lead).get(URL, {"file_number": patient.file_number})

    assert page.status_code == 200
    holders = holders_of(page)
    assert holders["psy.treating"][0] == ["CLINICAL", "FRAME"]
    assert "care team: Lead therapist" in holders["psy.treating"][1]
    assert holders["admin"] == (["FRAME"], "every file, as Administrator")
    assert holders["lead"][0] == ["CLINICAL", "FRAME"]
    assert holders["psy.groups"][0] == [] and "its pages only" in holders["psy.groups"][1]
    assert "technical superuser" in holders["root"][1]
    assert "psy.other" not in holders
    logged = AccessEvent.objects.get(user=clinical_lead, action="view", patient_id=patient.pk)
    assert logged.label == "Access register"


def test_the_register_by_role_names_each_roles_rights_and_holders(
    treating_psychologist, administrator, clinical_lead, client_for
):
    page = client_for(clinical_lead).get(URL)

    roles = {entry["role"]: entry for entry in page.context["roles"]}
    assert set(roles) == set(Role)
    assert administrator in roles[Role.ADMINISTRATOR]["holders"]
    assert treating_psychologist in roles[Role.PSYCHOLOGIST]["holders"]
    assert "Can access the clinical zone of a patient" in roles[Role.CLINICAL_LEAD]["rights"]
    assert "Can access the clinical zone of a patient" not in roles[Role.ADMINISTRATOR]["rights"]
    assert page.context["holders"] is None


def test_an_unknown_file_number_says_so(clinical_lead, client_for):
    page = client_for(clinical_lead).get(URL, {"file_number": "1999-9999"})

    assert "No file has the number" in page.content.decode()
    assert not AccessEvent.objects.filter(action="view", label="Access register").exists()


@pytest.mark.parametrize(
    "persona", ["treating_psychologist", "administrator", "auditor", "helpline_listener"]
)
def test_only_the_lead_may_read_the_register(persona, request, patient, client_for):
    response = client_for(request.getfixturevalue(persona)).get(
        URL, {"file_number": patient.file_number}
    )

    assert response.status_code == 403
    assert not AccessEvent.objects.filter(label="Access register").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_the_rights_are_named_in_the_readers_language_whatever_the_database_holds(
    clinical_lead, client_for
):
    from django.contrib.auth.models import Permission

    # The table's copy of a name is written in whatever language was active when it was filled.
    Permission.objects.filter(codename="access_clinical").update(name="Kan het klinische ...")
    clinical_lead.language = "fr"
    clinical_lead.save()
    page = client_for(clinical_lead).get(URL)

    rights = {entry["role"]: entry for entry in page.context["roles"]}[Role.CLINICAL_LEAD]
    assert "Peut accéder au volet clinique du dossier d'un patient" in rights["rights"]
