"""Casework models, one module per part of the workflow.

patients: patients, mandates, authorities, justice contacts, episodes, care teams (the frame);
appointments: appointments and their series; groups: therapy groups and who must not meet;
attendance: outcomes, attendance, compliance rules and alerts. (Clinical notes: the notes app.)
"""

from casework.models.appointments import Appointment, AppointmentSeries, CalendarFeed
from casework.models.attendance import (
    Attendance,
    AttendanceOutcome,
    ComplianceAlert,
    ComplianceAlertQuerySet,
    ComplianceRule,
    OutcomeReminder,
)
from casework.models.emergency import EmergencyAccess
from casework.models.frameworks import LegalFramework
from casework.models.groups import (
    GroupFacilitator,
    GroupMembership,
    NonAssociation,
    TherapyGroup,
    Weekday,
)
from casework.models.patients import (
    Authority,
    CareStage,
    CareTeamMembership,
    Episode,
    FileNumberSequence,
    JusticeContact,
    Language,
    Mandate,
    Patient,
    PatientGroupObjectPermission,
    PatientUserObjectPermission,
    Region,
)

__all__ = [
    "Appointment",
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
    "TherapyGroup",
    "Weekday",
]
