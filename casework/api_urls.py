from django.urls import path

from casework import api

# As for the pages: every patient-scoped endpoint lives under patients/<patient_id>/.
urlpatterns = [
    path("patients/", api.PatientListAPI.as_view(), name="patient_list"),
    path("patients/<int:patient_id>/", api.PatientDetailAPI.as_view(), name="patient_detail"),
    path(
        "patients/<int:patient_id>/mandates/",
        api.MandateListAPI.as_view(),
        name="mandate_list",
    ),
    path(
        "patients/<int:patient_id>/mandates/<int:mandate_id>/",
        api.MandateDetailAPI.as_view(),
        name="mandate_detail",
    ),
    path(
        "patients/<int:patient_id>/episodes/",
        api.EpisodeListAPI.as_view(),
        name="episode_list",
    ),
    path(
        "patients/<int:patient_id>/care-team/",
        api.CareTeamListAPI.as_view(),
        name="care_team_list",
    ),
    path(
        "patients/<int:patient_id>/care-team/<int:membership_id>/end/",
        api.CareTeamEndAPI.as_view(),
        name="care_team_end",
    ),
    path("authorities/", api.AuthorityListAPI.as_view(), name="authority_list"),
    path("authorities/<int:pk>/", api.AuthorityDetailAPI.as_view(), name="authority_detail"),
    path(
        "justice-contacts/",
        api.JusticeContactListAPI.as_view(),
        name="justice_contact_list",
    ),
    path(
        "justice-contacts/<int:pk>/",
        api.JusticeContactDetailAPI.as_view(),
        name="justice_contact_detail",
    ),
]
