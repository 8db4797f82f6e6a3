from django.urls import path

from casework.api import follow_up, groups, patients, sessions

# As for the pages: every patient-scoped endpoint lives under patients/<patient_id>/.
urlpatterns = [
    path("patients/", patients.PatientListAPI.as_view(), name="patient_list"),
    path("patients/<id:patient_id>/", patients.PatientDetailAPI.as_view(), name="patient_detail"),
    path(
        "patients/<id:patient_id>/mandates/",
        patients.MandateListAPI.as_view(),
        name="mandate_list",
    ),
    path(
        "patients/<id:patient_id>/mandates/<id:mandate_id>/",
        patients.MandateDetailAPI.as_view(),
        name="mandate_detail",
    ),
    path(
        "patients/<id:patient_id>/episodes/",
        patients.EpisodeListAPI.as_view(),
        name="episode_list",
    ),
    path(
        "patients/<id:patient_id>/care-team/",
        patients.CareTeamListAPI.as_view(),
        name="care_team_list",
    ),
    path(
        "patients/<id:patient_id>/care-team/<id:membership_id>/end/",
        patients.CareTeamEndAPI.as_view(),
        name="care_team_end",
    ),
    path(
        "patients/<id:patient_id>/follow-up-checks/",
        follow_up.FollowUpCheckListAPI.as_view(),
        name="follow_up_check_list",
    ),
    path("authorities/", patients.AuthorityListAPI.as_view(), name="authority_list"),
    path("authorities/<id:pk>/", patients.AuthorityDetailAPI.as_view(), name="authority_detail"),
    path(
        "justice-contacts/",
        patients.JusticeContactListAPI.as_view(),
        name="justice_contact_list",
    ),
    path(
        "justice-contacts/<id:pk>/",
        patients.JusticeContactDetailAPI.as_view(),
        name="justice_contact_detail",
    ),
]

# Sessions and attendance (issue 3).
urlpatterns += [
    path("outcomes/", sessions.OutcomeListAPI.as_view(), name="outcome_list"),
    path(
        "patients/<id:patient_id>/appointments/",
        sessions.AppointmentListAPI.as_view(),
        name="appointment_list",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/",
        sessions.AppointmentDetailAPI.as_view(),
        name="appointment_detail",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/reschedule/",
        sessions.AppointmentRescheduleAPI.as_view(),
        name="appointment_reschedule",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/cancel/",
        sessions.AppointmentCancelAPI.as_view(),
        name="appointment_cancel",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/outcome/",
        sessions.AppointmentOutcomeAPI.as_view(),
        name="appointment_outcome",
    ),
    path(
        "patients/<id:patient_id>/mandates/<id:mandate_id>/compliance/",
        sessions.MandateComplianceAPI.as_view(),
        name="mandate_compliance",
    ),
    path("patients/<id:patient_id>/alerts/", sessions.AlertListAPI.as_view(), name="alert_list"),
    path(
        "patients/<id:patient_id>/alerts/<id:alert_id>/acknowledge/",
        sessions.AlertAcknowledgeAPI.as_view(),
        name="alert_acknowledge",
    ),
    # Group-scoped, not patient-scoped: the group comes through selectors.group_for.
    path("groups/", groups.GroupListAPI.as_view(), name="group_list"),
    path("groups/<id:group_id>/", groups.GroupDetailAPI.as_view(), name="group_detail"),
    path(
        "groups/<id:group_id>/sessions/",
        groups.GroupSessionListAPI.as_view(),
        name="group_sessions",
    ),
    path(
        "groups/<id:group_id>/sessions/<id:appointment_id>/attendance/",
        groups.GroupAttendanceAPI.as_view(),
        name="group_attendance",
    ),
]
