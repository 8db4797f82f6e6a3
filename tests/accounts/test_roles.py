import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role


def test_every_role_is_a_group_with_exactly_its_declared_permissions(db):
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(perms), role


@pytest.mark.parametrize(
    ("persona", "label"),
    [
        ("treating_psychologist", "Psychologist"),
        ("administrator", "Administrator"),
        ("clinical_lead", "Clinical lead"),
        ("helpline_listener", "Helpline listener"),
        ("auditor", "Auditor"),
    ],
)
def test_the_header_shows_each_users_role(persona, label, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"), follow=True)

    assert response.status_code == 200
    assert f'<span class="role-badge">{label}</span>' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("treating_psychologist", "/dashboard/"),
        ("administrator", "/dashboard/"),
        ("clinical_lead", "/dashboard/"),
        ("auditor", "/audit/access-log/"),
    ],
)
def test_each_role_lands_on_its_own_home(persona, home, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == home


def test_a_helpline_listener_is_sent_to_the_helpline_without_patients(
    helpline_listener, client_for
):
    client = client_for(helpline_listener)
    response = client.get(reverse("home"))

    assert response["Location"] == reverse("helpline:log")
    page = client.get(response["Location"]).content.decode()
    assert "Log a contact" in page and "Patients" not in page


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_the_casework_dashboard_is_not_for_helpline_or_audit(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get("/dashboard/").status_code == 403


def test_a_wrong_password_is_refused_with_a_clear_message(treating_psychologist, client):
    response = client.post(reverse("login"), {"username": "psy.treating", "password": "nope"})

    assert response.status_code == 200
    assert "didn" in response.content.decode()  # "Your user name and password didn't match"
    assert "_auth_user_id" not in client.session


def test_the_role_table_names_only_real_roles():
    assert set(ROLE_PERMISSIONS) == set(Role)
