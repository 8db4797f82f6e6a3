from django.urls import path

from casework import views

app_name = "casework"

# Every URL that shows or changes a patient's data starts with patients/<patient_id>/, so that
# tests/casework/test_patient_urls.py finds it and checks that it answers 404 to outsiders.
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("patients/", views.PatientListView.as_view(), name="patient_list"),
    path("patients/new/", views.PatientCreateView.as_view(), name="patient_create"),
    path("patients/<int:patient_id>/", views.PatientDetailView.as_view(), name="patient_detail"),
    path(
        "patients/<int:patient_id>/edit/",
        views.PatientUpdateView.as_view(),
        name="patient_update",
    ),
    path(
        "patients/<int:patient_id>/mandates/new/",
        views.MandateCreateView.as_view(),
        name="mandate_create",
    ),
    path(
        "patients/<int:patient_id>/mandates/<int:mandate_id>/edit/",
        views.MandateUpdateView.as_view(),
        name="mandate_update",
    ),
    path(
        "patients/<int:patient_id>/episodes/new/",
        views.EpisodeCreateView.as_view(),
        name="episode_create",
    ),
    path(
        "patients/<int:patient_id>/episodes/<int:episode_id>/intake/",
        views.EpisodeStepView.as_view(step="intake"),
        name="episode_intake",
    ),
    path(
        "patients/<int:patient_id>/episodes/<int:episode_id>/treatment/",
        views.EpisodeStepView.as_view(step="treatment"),
        name="episode_treatment",
    ),
    path(
        "patients/<int:patient_id>/episodes/<int:episode_id>/close/",
        views.EpisodeStepView.as_view(step="close"),
        name="episode_close",
    ),
    path(
        "patients/<int:patient_id>/care-team/new/",
        views.CareTeamAddView.as_view(),
        name="care_team_add",
    ),
    path(
        "patients/<int:patient_id>/care-team/<int:membership_id>/end/",
        views.CareTeamEndView.as_view(),
        name="care_team_end",
    ),
    path("authorities/", views.AuthorityListView.as_view(), name="authority_list"),
    path("authorities/new/", views.AuthorityFormView.as_view(), name="authority_create"),
    path("authorities/<int:pk>/edit/", views.AuthorityFormView.as_view(), name="authority_update"),
    path("justice-contacts/", views.JusticeContactListView.as_view(), name="justice_contact_list"),
    path(
        "justice-contacts/new/",
        views.JusticeContactFormView.as_view(),
        name="justice_contact_create",
    ),
    path(
        "justice-contacts/<int:pk>/edit/",
        views.JusticeContactFormView.as_view(),
        name="justice_contact_update",
    ),
]
