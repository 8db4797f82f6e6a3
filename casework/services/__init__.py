"""Workflows that change casework state. Keyword-only, atomic, and each one logs its access.

Views and API endpoints check permissions (casework.permissions) before calling these; the
services keep the data consistent and write the access log.
"""

from casework.services.appointments import (
    SchedulingConflict,
    appointment_cancel,
    appointment_reschedule,
    appointment_schedule,
    scheduling_conflicts,
)
from casework.services.attendance import (
    AttendanceRowErrors,
    StaleOutcome,
    attendance_record,
    evidence_received,
    group_attendance_record,
    outcome_reminders_send,
)
from casework.services.compliance import compliance_alert_acknowledge, compliance_evaluate
from casework.services.emergency import (
    emergency_access_open,
    emergency_access_review,
    emergency_request_decide,
)
from casework.services.follow_up import follow_up_check_record
from casework.services.groups import (
    NonAssociationWarning,
    group_member_add,
    group_member_end,
    group_save,
    non_association_add,
)
from casework.services.patients import (
    PossibleDuplicate,
    care_team_assign,
    care_team_end,
    episode_close,
    episode_open,
    episode_record_intake,
    episode_start_treatment,
    mandate_create,
    mandate_update,
    patient_register,
    patient_update,
)
from casework.services.reminders import reminders_send
from casework.services.session_counts import (
    session_counts_recount_all,
    session_counts_update,
    sessions_changed,
)

__all__ = [
    "AttendanceRowErrors",
    "NonAssociationWarning",
    "PossibleDuplicate",
    "SchedulingConflict",
    "StaleOutcome",
    "appointment_cancel",
    "appointment_reschedule",
    "appointment_schedule",
    "attendance_record",
    "care_team_assign",
    "care_team_end",
    "compliance_alert_acknowledge",
    "compliance_evaluate",
    "emergency_access_open",
    "emergency_access_review",
    "emergency_request_decide",
    "episode_close",
    "episode_open",
    "episode_record_intake",
    "episode_start_treatment",
    "evidence_received",
    "follow_up_check_record",
    "group_attendance_record",
    "group_member_add",
    "group_member_end",
    "group_save",
    "mandate_create",
    "mandate_update",
    "non_association_add",
    "outcome_reminders_send",
    "patient_register",
    "patient_update",
    "reminders_send",
    "scheduling_conflicts",
    "session_counts_recount_all",
    "session_counts_update",
    "sessions_changed",
]
