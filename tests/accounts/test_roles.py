import pytest
from django.contrib.auth import get_user_model
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


@pytest.mark.parametrize(
    "persona", ["treating_psychologist", "administrator", "clinical_lead", "auditor"]
)
def test_a_user_holds_exactly_the_rights_of_their_roles(persona, request):
    user = request.getfixturevalue(persona)

    assert user.get_group_permissions() == set(ROLE_PERMISSIONS[user.role])
    assert all(user.has_perm(perm) for perm in ROLE_PERMISSIONS[user.role])


def test_a_right_given_to_a_role_group_outside_the_code_grants_nothing(administrator):
    from django.contrib.auth.models import Permission

    from casework.permissions import Zone

    # The code is where roles are defined (accounts.roles, synced to the groups on migrate):
    # a right added to a group by hand, in the admin or the database, is not one.
    clinical = Permission.objects.get(codename=Zone.CLINICAL.codename)
    Group.objects.get(name=Role.ADMINISTRATOR).permissions.add(clinical)
    fresh = type(administrator).objects.get(pk=administrator.pk)

    assert not fresh.has_perm(Zone.CLINICAL.value)


def test_a_right_given_to_one_user_outside_the_code_grants_nothing(administrator):
    from django.contrib.auth.models import Permission

    from casework.permissions import Zone

    # Rights come with roles only: one given to a user by hand, in the admin or the database,
    # is not one either.
    administrator.user_permissions.add(Permission.objects.get(codename=Zone.CLINICAL.codename))
    fresh = type(administrator).objects.get(pk=administrator.pk)

    assert not fresh.has_perm(Zone.CLINICAL.value)


def test_a_superuser_keeps_every_right(db):
    from casework.permissions import Zone

    superuser = get_user_model().objects.create_superuser("root", password="x" * 16)

    assert superuser.has_perm(Zone.CLINICAL.value)


def test_rights_cost_no_query_beyond_the_users_roles(
    treating_psychologist, django_assert_num_queries
):
    user = type(treating_psychologist).objects.get(pk=treating_psychologist.pk)

    assert user.roles  # read by every request anyway (the header, the access log)
    with django_assert_num_queries(0):  # a role's rights come from the code
        user.has_perm("casework.view_authority")
        user.has_perm("casework.access_frame")
        assert not user.has_perm("casework.access_everything")
