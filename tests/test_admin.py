"""The admin: reference data only, no way out of it to a patient, and each role's share."""

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
