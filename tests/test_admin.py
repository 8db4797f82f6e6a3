"""The admin: reference data only, no way out of it to a patient, and each role's share."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from assessments.models import Assessment
from tests.assessments.test_assessments import save


def staff(user):
    """The demo gives the clinical lead and the administrators staff status: do the same."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


# --- "view on site": the admin's redirect from any content type and id to the object's URL


def test_the_admin_does_not_map_an_assessment_id_to_its_patients_page(
    patient, treating_psychologist, administrator, client_for
):
    assessment = save(patient, treating_psychologist)
    content_type = ContentType.objects.get_for_model(Assessment)

    response = client_for(staff(administrator)).get(f"/admin/r/{content_type.pk}/{assessment.pk}/")

    assert response.status_code == 404
    assert str(patient.pk) not in response.get("Location", "")


def test_no_model_admin_offers_a_view_on_site_link():
    offering = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.view_on_site is not False
    ]

    assert offering == []


def test_a_change_form_has_no_view_on_site_link(authority, administrator, client_for):
    url = reverse("admin:casework_authority_change", args=[authority.pk])

    response = client_for(staff(administrator)).get(url)

    assert response.status_code == 200
    assert "viewsitelink" not in response.content.decode()


# --- reference tables: who may view, add and change them through the admin


def reference_rows():
    """One row of each reference table the admin edits (outcomes and rules come seeded)."""
    from assessments.models import RiskCombination, Static99RNorm
    from casework.models import AttendanceOutcome, ComplianceRule
    from helpline.models import ProblemTag, ReferralService

    static_level = RiskCombination._meta.get_field("static_level").choices[0][0]
    stable_band = RiskCombination._meta.get_field("stable_band").choices[0][0]
    return {
        "attendanceoutcome": AttendanceOutcome.objects.get(code="attended"),
        "compliancerule": ComplianceRule.objects.first(),
        "static99rnorm": Static99RNorm.objects.create(
            score=4, window_years=5, estimate_percent="11.40", source="Clinic table"
        ),
        "riskcombination": RiskCombination.objects.create(
            static_level=static_level,
            stable_band=stable_band,
            combined_level="Low",
            source="Clinic table",
        ),
        "problemtag": ProblemTag.objects.first(),
        "referralservice": ReferralService.objects.first(),
    }


# What each role may do with each table: "change" (view, add, change), "view", or nothing.
# Outcome flags and compliance rules decide what the justice system hears of: the lead sets
# them, administrators may read them. The norms and the combination table are clinical. The
# helpline's lists (problem tags, kinds of service referred to) are the lead's.
TABLES = [
    "attendanceoutcome",
    "compliancerule",
    "static99rnorm",
    "riskcombination",
    "problemtag",
    "referralservice",
]
MAY = {
    "clinical_lead": dict.fromkeys(TABLES, "change"),
    "administrator": {"attendanceoutcome": "view", "compliancerule": "view"},
    "treating_psychologist": {},
    "helpline_listener": {},
    "auditor": {},
}
CASES = [(persona, table, may.get(table)) for persona, may in MAY.items() for table in TABLES]


def admin_url(row, action):
    meta = row._meta
    name = f"admin:{meta.app_label}_{meta.model_name}_{action}"
    return reverse(name) if action in {"changelist", "add"} else reverse(name, args=[row.pk])


@pytest.mark.parametrize(("persona", "table", "may"), CASES)
def test_each_role_gets_the_reference_tables_it_may_use_and_no_other(
    persona, table, may, request, db, client_for
):
    row = reference_rows()[table]
    client = client_for(staff(request.getfixturevalue(persona)))

    changelist = client.get(admin_url(row, "changelist"))
    change = client.get(admin_url(row, "change"))

    assert changelist.status_code == (200 if may else 403)
    assert change.status_code == (200 if may else 403)
    assert client.get(admin_url(row, "add")).status_code == (200 if may == "change" else 403)
    if may:
        assert ('name="_save"' in change.content.decode()) == (may == "change")


@pytest.mark.parametrize("persona", list(MAY))
@pytest.mark.parametrize("table", TABLES)
def test_nobody_deletes_a_reference_row(persona, table, request, db, client_for):
    row = reference_rows()[table]
    client = client_for(staff(request.getfixturevalue(persona)))

    assert client.get(admin_url(row, "delete")).status_code == 403
    assert client.post(admin_url(row, "delete"), {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def outcome_form(outcome, **changes):
    data = {
        "code": outcome.code,
        "name_en": outcome.name_en,
        "name_fr": outcome.name_fr,
        "name_nl": outcome.name_nl,
        "position": outcome.position,
    }
    for flag in ["counts_as_attended", "compliant", "enforceable", "needs_evidence", "is_active"]:
        if getattr(outcome, flag):
            data[flag] = "on"
    return {**data, **changes}


def test_the_clinical_lead_renames_an_attendance_outcome(clinical_lead, client_for):
    outcome = reference_rows()["attendanceoutcome"]

    response = client_for(staff(clinical_lead)).post(
        admin_url(outcome, "change"), outcome_form(outcome, name_en="Came and stayed")
    )

    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.name_en == "Came and stayed"


def test_an_administrator_cannot_rename_an_attendance_outcome(administrator, client_for):
    outcome = reference_rows()["attendanceoutcome"]

    response = client_for(staff(administrator)).post(
        admin_url(outcome, "change"), outcome_form(outcome, name_en="Came and stayed")
    )

    assert response.status_code == 403
    outcome.refresh_from_db()
    assert outcome.name_en != "Came and stayed"


# --- users: roles are groups; there is no right to give one user by hand


def test_the_user_page_offers_groups_not_rights_of_ones_own(administrator, client_for):
    root = type(administrator).objects.create_superuser("root", password="x" * 16)

    page = client_for(root).get(reverse("admin:accounts_user_change", args=[administrator.pk]))

    assert page.status_code == 200
    assert 'name="groups"' in page.content.decode()
    assert 'name="user_permissions"' not in page.content.decode()
