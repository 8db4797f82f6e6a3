"""Casework models, one module per part of the workflow.

patients: patients, episodes, care teams; mandates: the decisions that bring them; justice: the
authorities and justice contacts; follow_up: what is learnt of the record after treatment
(all the frame);
appointments: appointments and their series; groups: therapy groups and who must not meet;
attendance: outcomes, attendance, compliance rules and alerts; session_counts: the counters by
month the statistics add up. (Clinical notes: the notes app.)
"""

from casework.models.appointments import Appointment, AppointmentSeries, CalendarFeed
from casework.models.attendance import (
    AppointmentReminder,
    Attendance,
    AttendanceOutcome,
    ComplianceAlert,
    ComplianceAlertQuerySet,
    ComplianceRule,
    OutcomeReminder,
)
from casework.models.emergency import EmergencyAccess
from casework.models.follow_up import FollowUpCheck
from casework.models.frameworks import LegalFramework
from casework.models.groups import (
    GroupFacilitator,
    GroupMembership,
    NonAssociation,
    TherapyGroup,
    Weekday,
)
from casework.models.justice import Authority, JusticeContact, Region
from casework.models.mandates import Mandate
from casework.models.patients import (
    CareStage,
    CareTeamMembership,
    Episode,
    FileNumberSequence,
    Language,
    Patient,
    PatientGroupObjectPermission,
    PatientUserObjectPermission,
)
from casework.models.rooms import Room
from casework.models.session_counts import SESSION_COUNTERS, SessionCount, SessionCountPending

__all__ = [
    "SESSION_COUNTERS",
    "Appointment",
    "AppointmentReminder",
    "AppointmentSeries",
    "Attendance",
    "AttendanceOutcome",
    "Authority",
    "CalendarFeed",
    "CareStage",
    "CareTeamMembership",
    "ComplianceAlert",
    "ComplianceAlertQuerySet",
    "ComplianceRule",
    "EmergencyAccess",
    "Episode",
    "FileNumberSequence",
    "FollowUpCheck",
    "GroupFacilitator",
    "GroupMembership",
    "JusticeContact",
    "Language",
    "LegalFramework",
    "Mandate",
    "NonAssociation",
    "OutcomeReminder",
    "Patient",
    "PatientGroupObjectPermission",
    "PatientUserObjectPermission",
    "Region",
    "Room",
    "SessionCount",
    "SessionCountPending",
    "TherapyGroup",
    "Weekday",
]
