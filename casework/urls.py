from django.urls import path

from casework.views import agenda, emergency, follow_up, groups, sessions
from casework.views import patients as views

app_name = "casework"

# Every URL that shows or changes a patient's data starts with patients/<patient_id>/, so that
# tests/casework/test_patient_urls.py finds it and checks that it answers 404 to outsiders.
urlpatterns = [
    path("patients/", views.PatientListView.as_view(), name="patient_list"),
    path("emergency-access/", emergency.EmergencyAccessView.as_view(), name="emergency_access"),
    path(
        "emergency-access/<id:request_id>/decide/",
        emergency.EmergencyDecisionView.as_view(),
        name="emergency_decide",
    ),
    path(
        "emergency-access/<id:access_id>/review/",
        emergency.EmergencyReviewView.as_view(),
        name="emergency_review",
    ),
    path("patients/new/", views.PatientCreateView.as_view(), name="patient_create"),
    path(
        "patients/<id:patient_id>/edit/",
        views.PatientUpdateView.as_view(),
        name="patient_update",
    ),
    path(
        "patients/<id:patient_id>/mandates/new/",
        views.MandateCreateView.as_view(),
        name="mandate_create",
    ),
    path(
        "patients/<id:patient_id>/mandates/<id:mandate_id>/edit/",
        views.MandateUpdateView.as_view(),
        name="mandate_update",
    ),
    path(
        "patients/<id:patient_id>/episodes/new/",
        views.EpisodeCreateView.as_view(),
        name="episode_create",
    ),
    path(
        "patients/<id:patient_id>/episodes/<id:episode_id>/intake/",
        views.EpisodeStepView.as_view(step="intake"),
        name="episode_intake",
    ),
    path(
        "patients/<id:patient_id>/episodes/<id:episode_id>/treatment/",
        views.EpisodeStepView.as_view(step="treatment"),
        name="episode_treatment",
    ),
    path(
        "patients/<id:patient_id>/episodes/<id:episode_id>/close/",
        views.EpisodeStepView.as_view(step="close"),
        name="episode_close",
    ),
    path(
        "patients/<id:patient_id>/care-team/new/",
        views.CareTeamAddView.as_view(),
        name="care_team_add",
    ),
    path(
        "patients/<id:patient_id>/care-team/<id:membership_id>/end/",
        views.CareTeamEndView.as_view(),
        name="care_team_end",
    ),
    path("authorities/", views.AuthorityListView.as_view(), name="authority_list"),
    path("authorities/new/", views.AuthorityFormView.as_view(), name="authority_create"),
    path("authorities/<id:pk>/edit/", views.AuthorityFormView.as_view(), name="authority_update"),
    path("justice-contacts/", views.JusticeContactListView.as_view(), name="justice_contact_list"),
    path(
        "justice-contacts/new/",
        views.JusticeContactFormView.as_view(),
        name="justice_contact_create",
    ),
    path(
        "justice-contacts/<id:pk>/edit/",
        views.JusticeContactFormView.as_view(),
        name="justice_contact_update",
    ),
]

urlpatterns += [
    # Agendas and the to-do list: the user's own, or the clinic's for those who see every file.
    path("agenda/", agenda.AgendaView.as_view(), name="agenda"),
    path("agenda/clinic/", agenda.ClinicAgendaView.as_view(), name="clinic_agenda"),
    path("agenda/week/", agenda.WeekGridView.as_view(), name="week_grid"),
    path("agenda/feed/", agenda.CalendarFeedView.as_view(), name="calendar_feed"),
    path("calendar/<str:token>.ics", agenda.calendar_ics, name="calendar_ics"),
    # A patient's appointments, outcomes, alerts and notes.
    path(
        "patients/<id:patient_id>/appointments/new/",
        sessions.AppointmentCreateView.as_view(),
        name="appointment_create",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/reschedule/",
        sessions.AppointmentRescheduleView.as_view(),
        name="appointment_reschedule",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/cancel/",
        sessions.AppointmentCancelView.as_view(),
        name="appointment_cancel",
    ),
    path(
        "patients/<id:patient_id>/appointments/<id:appointment_id>/outcome/",
        sessions.OutcomeView.as_view(),
        name="outcome",
    ),
    path(
        "patients/<id:patient_id>/alerts/<id:alert_id>/acknowledge/",
        sessions.AlertAcknowledgeView.as_view(),
        name="alert_acknowledge",
    ),
    path(
        "patients/<id:patient_id>/follow-up-checks/new/",
        follow_up.FollowUpCheckCreateView.as_view(),
        name="follow_up_check_create",
    ),
    path(
        "patients/<id:patient_id>/non-associations/new/",
        groups.NonAssociationCreateView.as_view(),
        name="non_association_create",
    ),
    # Therapy groups: every URL of a group takes group_id and resolves it through its door.
    path("groups/", groups.GroupListView.as_view(), name="group_list"),
    path("groups/new/", groups.GroupFormView.as_view(), name="group_create"),
    path("groups/<id:group_id>/", groups.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<id:group_id>/edit/", groups.GroupFormView.as_view(), name="group_update"),
    path(
        "groups/<id:group_id>/members/new/",
        groups.GroupMemberAddView.as_view(),
        name="group_member_add",
    ),
    path(
        "groups/<id:group_id>/members/<id:membership_id>/end/",
        groups.GroupMemberEndView.as_view(),
        name="group_member_end",
    ),
    path(
        "groups/<id:group_id>/sessions/new/",
        groups.GroupSessionsCreateView.as_view(),
        name="group_sessions_create",
    ),
    path(
        "groups/<id:group_id>/sessions/<id:appointment_id>/attendance/",
        groups.GroupAttendanceView.as_view(),
        name="group_attendance",
    ),
]
