"""The clinical lead's staff accounts page: every account with its roles, second factor, lock
and last login; creating an account (a "set your password" e-mail), deactivating and
reactivating it, changing its role, lifting a lock and resetting a second factor. Each action
is asked first, done by a service under a rule of accounts.permissions, and logged."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions, staff
from accounts.models import User
from accounts.roles import Role
from audit.models import AccessEvent
from common.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory, enrol, pass_second_factor
from tests.forms import browser_form, offered

pytestmark = pytest.mark.django_db

STAFF = reverse("accounts:staff_list")
CREATE = reverse("accounts:staff_create")
LIMIT = 10  # LOGIN_FAILURE_LIMIT's default


def action_url(name: str, user) -> str:
    return reverse(f"accounts:staff_{name}", args=[user.pk])


ACTIONS = ["deactivate", "reactivate", "role", "unlock", "two_factor_reset"]


def logged_in_with_password(user, address="10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return client


def lock_out_address(username: str) -> str:
    return f"10.1.{len(username) % 250}.{sum(map(ord, username)) % 250}"


def lock_out(username: str) -> None:
    """Wrong passwords for this account, from an address of its own: the name is locked at
    that address (docs/security.md)."""
    address = lock_out_address(username)
    for _ in range(LIMIT):
        Client(REMOTE_ADDR=address).post(
            reverse("login"), {"username": username, "password": "wrong password"}
        )


def staff_events(action: str):
    """The lead's own lines; not the line that says which credentials ended with them
    (tests/accounts/test_credentials.py)."""
    return AccessEvent.objects.filter(action=action, object_type="accounts.user").exclude(
        label__contains=" ended: "
    )


def message_text(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


# --- The list ---------------------------------------------------------------------------------


def test_the_lead_sees_every_account_with_its_roles_second_factor_lock_and_last_login(
    clinical_lead, treating_psychologist, administrator, helpline_listener, client_for
):
    enrol(treating_psychologist)
    logged_in_with_password(treating_psychologist)  # a last login to show
    administrator.is_active = False
    administrator.save()
    lock_out(helpline_listener.username)

    page = client_for(clinical_lead).get(STAFF)

    assert page.status_code == 200
    rows = {row.person.username: row for row in page.context["page"].object_list}
    assert set(rows) >= {"lead", "psy.treating", "admin", "helpline"}
    assert rows["psy.treating"].roles == [Role.PSYCHOLOGIST]
    assert rows["psy.treating"].enrolled and not rows["helpline"].enrolled
    assert rows["helpline"].locked and not rows["psy.treating"].locked
    assert rows["psy.treating"].person.last_login is not None
    assert not rows["admin"].person.is_active
    html = page.content.decode()
    assert "Deactivated" in html and "Locked out" in html
    # Each action is offered where it applies: lifting a lock only on a locked account.
    assert action_url("unlock", helpline_listener) in html
    assert action_url("unlock", treating_psychologist) not in html
    assert action_url("reactivate", administrator) in html
    assert action_url("deactivate", administrator) not in html
    assert action_url("two_factor_reset", treating_psychologist) in html
    assert action_url("two_factor_reset", helpline_listener) not in html


def test_the_list_is_filtered_by_status_and_role_and_searched_by_name(
    clinical_lead, treating_psychologist, other_psychologist, administrator, client_for
):
    administrator.is_active = False
    administrator.save()
    User.objects.filter(pk=other_psychologist.pk).update(first_name="Éloïse", last_name="Verlaine")
    lead = client_for(clinical_lead)

    def listed(**params):
        page = lead.get(STAFF, params)
        assert page.status_code == 200
        return {row.person.username for row in page.context["page"].object_list}

    assert listed(status="deactivated") == {"admin"}
    assert "admin" not in listed(status="active")
    assert listed(role=Role.PSYCHOLOGIST) == {"psy.treating", "psy.other"}
    assert listed(q="verlaine") == {"psy.other"}
    assert listed(q="eloise verl") == {"psy.other"}  # any case, no accents needed
    assert listed(q="psy.treating") == {"psy.treating"}
    assert listed(q="nobody-here") == set()


def test_a_filter_that_is_not_offered_is_a_bad_request(clinical_lead, client_for):
    lead = client_for(clinical_lead)
    assert lead.get(STAFF, {"status": "sleeping"}).status_code == 400
    assert lead.get(STAFF, {"role": "janitor"}).status_code == 400
    assert lead.get(STAFF, {"q": "x" * 500}).status_code == 400


def test_the_list_costs_the_same_queries_for_5_or_30_accounts_and_is_paginated(
    clinical_lead, client_for
):
    lead = client_for(clinical_lead)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert lead.get(STAFF).status_code == 200
        return len(captured)

    def accounts(n):
        for _ in range(n):
            person = UserFactory(role=Role.PSYCHOLOGIST)
            enrol(person)
            if person.pk % 3 == 0:  # some locked out: their locks are one query too
                lock_out(person.username)

    accounts(4)  # with the lead: 5
    few = queries()
    accounts(25)  # 30
    many = queries()

    assert few == many
    second = lead.get(STAFF, {"page": 2})
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 30 - staff.PAGE_SIZE


# --- Who may ----------------------------------------------------------------------------------


NOT_THE_LEAD = ["treating_psychologist", "administrator", "helpline_listener", "auditor"]


@pytest.mark.parametrize("persona", NOT_THE_LEAD)
def test_nobody_but_the_lead_may_reach_the_staff_pages_or_act(
    persona, request, client_for, other_psychologist
):
    user = request.getfixturevalue(persona)
    assert not permissions.can_manage_staff(user)
    enrol(other_psychologist)
    lock_out(other_psychologist.username)
    client = client_for(user)

    assert client.get(STAFF).status_code == 403
    assert client.get(CREATE).status_code == 403
    posted = {"username": "intruder", "first_name": "A", "last_name": "B"}
    posted |= {"email": "a@clinic.example", "role": Role.CLINICAL_LEAD}
    assert client.post(CREATE, posted).status_code == 403
    for name in ACTIONS:
        assert client.get(action_url(name, other_psychologist)).status_code == 403, name
        assert client.post(action_url(name, other_psychologist)).status_code == 403, name

    other_psychologist.refresh_from_db()
    assert other_psychologist.is_active and other_psychologist.roles == [Role.PSYCHOLOGIST]
    assert AccessAttempt.objects.filter(username=other_psychologist.username).exists()
    assert TOTPDevice.objects.filter(user=other_psychologist).exists()
    assert not User.objects.filter(username="intruder").exists()


def test_anonymous_visitors_are_sent_to_log_in(other_psychologist):
    for url in [STAFF, CREATE, *(action_url(name, other_psychologist) for name in ACTIONS)]:
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


def test_the_lead_may_manage_staff(clinical_lead, treating_psychologist):
    assert permissions.can_manage_staff(clinical_lead)
    clinical_lead.is_active = False
    assert not permissions.can_manage_staff(clinical_lead)


def test_the_services_refuse_whoever_is_not_the_lead(administrator, other_psychologist):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        staff.account_deactivate(actor=administrator, user=other_psychologist)
    with pytest.raises(PermissionDenied):
        staff.account_change_role(actor=administrator, user=other_psychologist, role="auditor")
    other_psychologist.refresh_from_db()
    assert other_psychologist.is_active and other_psychologist.roles == [Role.PSYCHOLOGIST]


# --- Creating an account -----------------------------------------------------------------------


def fill_new_account(page, **values) -> dict:
    data = browser_form(page)
    assert set(offered(page, "role")) == set(Role.values)
    data.update(
        username="psy.nouveau",
        first_name="Camille",
        last_name="Nouveau",
        email="camille.nouveau@clinic.example",
        role=Role.PSYCHOLOGIST,
    )
    data.update(values)
    return data


def test_the_lead_creates_an_account_and_the_new_user_sets_their_password_from_the_email(
    clinical_lead, client_for
):
    lead = client_for(clinical_lead)
    page = lead.get(CREATE)
    assert page.status_code == 200

    response = lead.post(CREATE, fill_new_account(page), follow=True)

    assert response.redirect_chain[-1][0] == STAFF
    assert "Account psy.nouveau created" in message_text(response)
    person = User.objects.get(username="psy.nouveau")
    assert (person.first_name, person.last_name) == ("Camille", "Nouveau")
    assert person.roles == [Role.PSYCHOLOGIST] and person.is_active
    assert not person.has_usable_password()
    event = staff_events("create").get()
    assert (event.user, event.object_id) == (clinical_lead, str(person.pk))
    assert "psy.nouveau" in event.label

    mail = OutboxMessage.objects.get(to=["camille.nouveau@clinic.example"])
    link = re.search(r"https?://\S+/password/reset/\S+/", mail.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    newcomer = Client()
    form_page = newcomer.get("/" + path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "a long password for Camille 2026"
    done = newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new_password)
    # The link works once.
    assert not Client().get("/" + path, follow=True).context["validlink"]


def test_the_new_colleague_is_written_to_in_the_language_chosen_for_them(clinical_lead, client_for):
    lead = client_for(clinical_lead)
    page = lead.get(CREATE)
    assert "nl" in offered(page, "language")

    lead.post(CREATE, fill_new_account(page, language="nl", role=Role.ADMINISTRATOR))

    mail = OutboxMessage.objects.get()
    assert mail.subject.startswith("Uw account bij")
    assert "psy.nouveau" in mail.body
    person = User.objects.get(username="psy.nouveau")
    assert (person.language, person.roles, person.is_staff) == ("nl", [Role.ADMINISTRATOR], True)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"username": "PSY.Treating"}, "username", "already"),
        ({"email": "not an address"}, "email", "valid email"),
        ({"role": ""}, "role", "required"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_bad_input_when_creating_gives_a_clear_message_and_creates_nothing(
    values, field, words, clinical_lead, treating_psychologist, client_for
):
    lead = client_for(clinical_lead)
    before = User.objects.count()
    data = fill_new_account(lead.get(CREATE), **values)

    response = lead.post(CREATE, data)

    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field]).lower()
    assert User.objects.count() == before
    assert not OutboxMessage.objects.exists()
    assert not staff_events("create").exists()


def test_the_creation_form_speaks_french(clinical_lead, client_for):
    lead = client_for(clinical_lead)
    data = fill_new_account(lead.get(CREATE), username="psy.treating")
    UserFactory(username="psy.treating")

    response = lead.post(CREATE, data, HTTP_ACCEPT_LANGUAGE="fr")

    assert "existe déjà" in " ".join(response.context["form"].errors["username"])


# --- Deactivating and reactivating -------------------------------------------------------------


def test_the_lead_deactivates_an_account_its_sessions_end_and_reactivates_it(
    clinical_lead, treating_psychologist, client_for
):
    enrol(treating_psychologist)
    colleague = logged_in_with_password(treating_psychologist)
    pass_second_factor(colleague, treating_psychologist)
    assert colleague.get("/dashboard/").status_code == 200
    lead = client_for(clinical_lead)
    url = action_url("deactivate", treating_psychologist)

    question = lead.get(url)
    assert question.status_code == 200
    assert str(treating_psychologist) in question.content.decode()
    treating_psychologist.refresh_from_db()
    assert treating_psychologist.is_active  # asked, not done

    done = lead.post(url, follow=True)
    assert done.redirect_chain[-1][0] == STAFF
    assert "deactivated" in message_text(done)
    treating_psychologist.refresh_from_db()
    assert not treating_psychologist.is_active
    assert colleague.get("/dashboard/").status_code == 302  # the session ended
    assert "deactivated" in staff_events("update").get().label

    again = lead.post(action_url("reactivate", treating_psychologist), follow=True)
    assert "active again" in message_text(again)
    treating_psychologist.refresh_from_db()
    assert treating_psychologist.is_active
    assert staff_events("update").count() == 2


def test_the_lead_may_not_deactivate_their_own_account(clinical_lead, client_for):
    assert permissions.deactivate_refusal(clinical_lead, clinical_lead)
    lead = client_for(clinical_lead)
    url = action_url("deactivate", clinical_lead)

    assert url not in lead.get(STAFF).content.decode()
    refused = lead.post(url, follow=True)
    assert "your own account" in message_text(refused)
    clinical_lead.refresh_from_db()
    assert clinical_lead.is_active
    assert not staff_events("update").exists()


def test_an_active_account_is_not_reactivated_nor_a_deactivated_one_deactivated(
    clinical_lead, treating_psychologist, client_for
):
    assert permissions.reactivate_refusal(clinical_lead, treating_psychologist)
    assert not permissions.deactivate_refusal(clinical_lead, treating_psychologist)
    lead = client_for(clinical_lead)
    assert lead.get(action_url("reactivate", treating_psychologist)).status_code == 302
    treating_psychologist.is_active = False
    treating_psychologist.save()
    assert permissions.deactivate_refusal(clinical_lead, treating_psychologist)
    assert not permissions.reactivate_refusal(clinical_lead, treating_psychologist)
    assert lead.post(action_url("deactivate", treating_psychologist)).status_code == 302
    assert not staff_events("update").exists()


# --- Changing a role ---------------------------------------------------------------------------


def test_the_lead_changes_a_role_as_the_form_offers_and_the_sessions_end(
    clinical_lead, treating_psychologist, client_for
):
    enrol(treating_psychologist)
    colleague = logged_in_with_password(treating_psychologist)
    pass_second_factor(colleague, treating_psychologist)
    lead = client_for(clinical_lead)
    url = action_url("role", treating_psychologist)
    page = lead.get(url)
    data = browser_form(page)
    assert data["role"] == Role.PSYCHOLOGIST  # the current role, chosen
    assert Role.ADMINISTRATOR in offered(page, "role")
    data["role"] = Role.ADMINISTRATOR

    done = lead.post(url, data, follow=True)

    assert done.redirect_chain[-1][0] == STAFF
    assert "Administrator" in message_text(done)
    treating_psychologist = User.objects.get(pk=treating_psychologist.pk)
    assert treating_psychologist.roles == [Role.ADMINISTRATOR]
    assert treating_psychologist.is_staff  # the admin's reference data, as administrators have
    assert colleague.get("/dashboard/").status_code == 302
    event = staff_events("update").get()
    assert "psy.treating" in event.label and "administrator" in event.label.lower()


def test_the_last_active_clinical_lead_may_not_lose_the_role(clinical_lead, client_for):
    refusal = permissions.change_role_refusal(clinical_lead, clinical_lead, Role.PSYCHOLOGIST)
    assert "last" in refusal
    lead = client_for(clinical_lead)
    url = action_url("role", clinical_lead)

    response = lead.post(url, {"role": Role.PSYCHOLOGIST})

    assert response.status_code == 200
    assert "last" in " ".join(response.context["form"].errors["role"])
    assert User.objects.get(pk=clinical_lead.pk).roles == [Role.CLINICAL_LEAD]
    assert not staff_events("update").exists()


def test_with_another_lead_a_lead_may_become_a_psychologist(clinical_lead, client_for):
    other = UserFactory(username="lead.two", role=Role.CLINICAL_LEAD)
    assert not permissions.change_role_refusal(clinical_lead, other, Role.PSYCHOLOGIST)

    response = client_for(clinical_lead).post(
        action_url("role", other), {"role": Role.PSYCHOLOGIST}
    )

    assert response.status_code == 302
    assert User.objects.get(pk=other.pk).roles == [Role.PSYCHOLOGIST]


def test_a_role_not_offered_is_refused_and_changes_nothing(
    clinical_lead, treating_psychologist, client_for
):
    response = client_for(clinical_lead).post(
        action_url("role", treating_psychologist), {"role": "superuser"}
    )
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert User.objects.get(pk=treating_psychologist.pk).roles == [Role.PSYCHOLOGIST]
    assert not Group.objects.filter(name="superuser").exists()


# --- Lifting a lock ----------------------------------------------------------------------------


def test_the_lead_lifts_a_lock_and_the_colleague_logs_in(
    clinical_lead, treating_psychologist, client_for
):
    lock_out(treating_psychologist.username)
    assert staff.locked_usernames([treating_psychologist.username]) == {"psy.treating"}
    where = lock_out_address(treating_psychologist.username)
    blocked = Client(REMOTE_ADDR=where).post(
        reverse("login"), {"username": "psy.treating", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    lead = client_for(clinical_lead)
    url = action_url("unlock", treating_psychologist)

    assert lead.get(url).status_code == 200
    done = lead.post(url, follow=True)

    assert "lifted" in message_text(done)
    assert not staff.locked_usernames([treating_psychologist.username])
    logged_in_with_password(treating_psychologist, address=where)
    assert "lock" in staff_events("update").get().label


def test_a_lock_is_lifted_only_when_there_is_one(clinical_lead, treating_psychologist, client_for):
    for _ in range(LIMIT - 1):  # one short of the limit: no lock
        Client().post(reverse("login"), {"username": "psy.treating", "password": "wrong"})
    assert not staff.locked_usernames(["psy.treating"])
    assert permissions.unlock_refusal(clinical_lead, treating_psychologist)

    refused = client_for(clinical_lead).post(
        action_url("unlock", treating_psychologist), follow=True
    )

    assert "not locked out" in message_text(refused)
    assert AccessAttempt.objects.filter(username="psy.treating").exists()  # untouched
    assert not staff_events("update").exists()


def test_a_lock_older_than_the_lock_out_time_is_no_lock(treating_psychologist):
    import datetime

    from django.utils import timezone

    lock_out(treating_psychologist.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert not staff.locked_usernames(["psy.treating"])


def test_failures_spread_over_addresses_are_no_lock(treating_psychologist):
    """A name is locked at an address (docs/security.md): half the limit from two addresses
    each locks it nowhere, and the page says so."""
    for address in ("10.2.0.1", "10.2.0.2"):
        for _ in range(LIMIT // 2):
            Client(REMOTE_ADDR=address).post(
                reverse("login"), {"username": "psy.treating", "password": "wrong password"}
            )

    assert not staff.locked_usernames(["psy.treating"])
    lock_out("psy.treating")
    assert staff.locked_usernames(["psy.treating"]) == {"psy.treating"}


# --- Resetting a second factor -----------------------------------------------------------------


def test_the_lead_resets_a_second_factor_and_the_colleague_enrols_again(
    clinical_lead, treating_psychologist, client_for
):
    enrol(treating_psychologist)
    lead = client_for(clinical_lead)
    url = action_url("two_factor_reset", treating_psychologist)

    assert lead.get(url).status_code == 200
    assert TOTPDevice.objects.filter(user=treating_psychologist).exists()
    done = lead.post(url, follow=True)

    assert "set up two-factor authentication again" in message_text(done)
    assert not TOTPDevice.objects.filter(user=treating_psychologist).exists()
    again = logged_in_with_password(treating_psychologist)
    assert again.get("/dashboard/")["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert staff_events("update").get().user == clinical_lead


def test_a_second_factor_not_set_up_is_not_reset(clinical_lead, treating_psychologist, client_for):
    assert permissions.two_factor_reset_refusal(clinical_lead, treating_psychologist)
    refused = client_for(clinical_lead).post(
        action_url("two_factor_reset", treating_psychologist), follow=True
    )
    assert "not set up" in message_text(refused)
    assert not staff_events("update").exists()


def test_the_old_team_page_is_now_the_staff_page(clinical_lead, client_for):
    lead = client_for(clinical_lead)
    assert STAFF in lead.get(reverse("accounts:account")).content.decode()
    assert STAFF in lead.get("/dashboard/").content.decode()  # in the navigation
