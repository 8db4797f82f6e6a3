"""Permission-aware reads of casework, one module a concern, as casework/services/ is for
writes. patients.py holds the patient door: every patient-scoped view, endpoint and task comes
through `patient_for` or `patients_visible_to`; the other modules read what it lets through."""

from casework.selectors.access_register import (
    AccessHolder,
    access_holders,
)
from casework.selectors.agenda import (
    AgendaDay,
    Reach,
    agenda,
    agenda_days,
    appointments_visible_to,
    awaiting_evidence,
    awaiting_outcome,
    patient_attendances,
    reach_of,
    reminders_undelivered,
)
from casework.selectors.calendar import GridCell, GridSession, WeekGrid, week_grid
from casework.selectors.compliance import (
    EARLIER_ALERTS_SHOWN,
    compliance_counters,
    compliance_counters_many,
    counter_expressions,
    counter_filters,
    latest_open_alerts,
    recent_alerts,
)
from casework.selectors.emergency import (
    emergency_accesses_of,
    emergency_accesses_to_review,
    emergency_requests_of,
    emergency_requests_to_decide,
)
from casework.selectors.groups import (
    group_for,
    groups_visible_to,
    non_associations_of,
)
from casework.selectors.patients import (
    active_authorities,
    caseload_by_clinician,
    caseload_by_stage,
    clinicians,
    emergency_only,
    patient_detail,
    patient_for,
    patient_list,
    patients_visible_to,
    patients_without_lead_therapist,
    possible_clinicians_for,
    referrals_waiting,
    visible_patient_ids,
)

__all__ = [
    "EARLIER_ALERTS_SHOWN",
    "AccessHolder",
    "AgendaDay",
    "GridCell",
    "GridSession",
    "Reach",
    "WeekGrid",
    "access_holders",
    "active_authorities",
    "agenda",
    "agenda_days",
    "appointments_visible_to",
    "awaiting_evidence",
    "awaiting_outcome",
    "caseload_by_clinician",
    "caseload_by_stage",
    "clinicians",
    "compliance_counters",
    "compliance_counters_many",
    "counter_expressions",
    "counter_filters",
    "emergency_accesses_of",
    "emergency_accesses_to_review",
    "emergency_only",
    "emergency_requests_of",
    "emergency_requests_to_decide",
    "group_for",
    "groups_visible_to",
    "latest_open_alerts",
    "non_associations_of",
    "patient_attendances",
    "patient_detail",
    "patient_for",
    "patient_list",
    "patients_visible_to",
    "patients_without_lead_therapist",
    "possible_clinicians_for",
    "reach_of",
    "recent_alerts",
    "referrals_waiting",
    "reminders_undelivered",
    "visible_patient_ids",
    "week_grid",
]
