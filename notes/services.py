"""Clinical notes: drafts, signing (final), addenda; treatment plans, reviewed version by
version. Who may do what is notes.permissions, which the pages ask too."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Appointment, Patient
from notes import permissions
from notes.models import ClinicalNote, PlanGoal, TreatmentPlan


@transaction.atomic
def note_create(
    *,
    actor,
    patient: Patient,
    kind: str,
    text: str,
    appointment: Appointment | None = None,
    addendum_to: ClinicalNote | None = None,
) -> ClinicalNote:
    if addendum_to is not None:
        addendum_to = ClinicalNote.objects.get(pk=addendum_to.pk)  # as signed, not as passed
        if addendum_to.patient_id != patient.pk:
            raise ValidationError(_("An addendum completes a signed note of the same patient."))
        if refusal := permissions.addendum_refusal(actor, addendum_to):
            raise ValidationError(refusal)
        kind, appointment = addendum_to.kind, addendum_to.appointment
    if kind == ClinicalNote.Kind.SESSION:
        if appointment is None or not appointment.attendances.filter(patient=patient).exists():
            raise ValidationError({"appointment": _("Choose one of this patient's sessions.")})
        if addendum_to is None and (
            appointment.status != Appointment.Status.SCHEDULED
            or appointment.starts_at > timezone.now()
        ):
            raise ValidationError(
                {"appointment": _("A session note is written for a session that took place.")}
            )
    else:
        appointment = None
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note = ClinicalNote(
        patient=patient,
        kind=kind,
        appointment=appointment,
        addendum_to=addendum_to,
        author=actor,
        text=text,
    )
    note.full_clean(exclude=["author"])
    note.save()
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=note)
    return note


@transaction.atomic
def note_update(*, actor, note: ClinicalNote, text: str) -> ClinicalNote:
    note = ClinicalNote.objects.select_for_update().get(pk=note.pk)
    if refusal := permissions.edit_refusal(actor, note):
        raise ValidationError(refusal)
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note.text = text
    note.save()
    record_access(actor=actor, action=Action.UPDATE, patient=note.patient, obj=note)
    return note


@transaction.atomic
def note_sign(*, actor, note: ClinicalNote) -> ClinicalNote:
    """Sign a draft: from now on it never changes."""
    note = ClinicalNote.objects.select_for_update().get(pk=note.pk)
    if refusal := permissions.sign_refusal(actor, note):
        raise ValidationError(refusal)
    note.signed_at = timezone.now()
    note.save()
    record_access(actor=actor, action=Action.UPDATE, patient=note.patient, obj=note)
    return note


# --- Treatment plans ------------------------------------------------------------------------

# The goals a version of the plan holds at most (the form's rows).
MAX_GOALS = 6


def _latest_plan(patient: Patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(patient=patient).prefetch_related("goals").order_by("-version")
    ).first()


def _next_version(*, actor, patient, latest, kind, review_on) -> TreatmentPlan:
    plan = TreatmentPlan(
        patient=patient,
        version=latest.version + 1 if latest else 1,
        kind=kind,
        review_on=review_on,
        written_by=actor,
    )
    plan.full_clean(exclude=["written_by"])
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError(
            _("Someone wrote a version of this plan meanwhile: look at it again.")
        ) from None
    return plan


@transaction.atomic
def plan_write(*, actor, patient: Patient, review_on, goals: list[dict]) -> TreatmentPlan:
    """The first version of the plan, or a review (the next version): its goals (goal,
    interventions; on a review, the progress made on each) and the day of its next review."""
    latest = _latest_plan(patient)
    if refusal := permissions.plan_write_refusal(latest):
        raise ValidationError(refusal)
    goals = [goal for goal in goals if goal.get("goal", "").strip()][:MAX_GOALS]
    if not goals:
        raise ValidationError({"goal_1": _("Give the plan at least one goal.")})
    if review_on is None or review_on <= timezone.localdate():
        raise ValidationError({"review_on": _("The next review comes after today.")})
    if latest is not None:  # the goals carried over are rated; a goal added now, not yet
        carried = len(latest.goals.all())
        missing = {
            f"progress_{n}": _("Rate the progress made on this goal.")
            for n, goal in enumerate(goals[:carried], start=1)
            if goal.get("progress") not in PlanGoal.Progress.values
        }
        if missing:
            raise ValidationError(missing)
    kind = TreatmentPlan.Kind.REVIEW if latest else TreatmentPlan.Kind.PLAN
    plan = _next_version(
        actor=actor, patient=patient, latest=latest, kind=kind, review_on=review_on
    )
    PlanGoal.objects.bulk_create(
        PlanGoal(
            plan=plan,
            position=n,
            goal=goal["goal"].strip(),
            interventions=goal.get("interventions", "").strip(),
            progress=goal.get("progress", "") if latest else "",
        )
        for n, goal in enumerate(goals, start=1)
    )
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=plan)
    return plan


@transaction.atomic
def plan_close(*, actor, patient: Patient, summaries: list[dict]) -> TreatmentPlan:
    """The end of the treatment: the last version, which sums up each goal of the plan (how
    far it was reached, and in a few words) and is reviewed no more."""
    latest = _latest_plan(patient)
    if refusal := permissions.plan_close_refusal(latest):
        raise ValidationError(refusal)
    assert latest is not None  # noqa: S101 (plan_close_refusal refuses a missing plan)
    goals = list(latest.goals.all())
    errors = {}
    for n, summary in enumerate(summaries[: len(goals)], start=1):
        if summary.get("progress") not in PlanGoal.Progress.values:
            errors[f"progress_{n}"] = _("Rate how far this goal was reached.")
        if not summary.get("summary", "").strip():
            errors[f"summary_{n}"] = _("Sum up this goal in a few words.")
    if len(summaries) < len(goals) or errors:
        raise ValidationError(errors or _("Sum up every goal of the plan."))
    plan = _next_version(
        actor=actor, patient=patient, latest=latest, kind=TreatmentPlan.Kind.CLOSING, review_on=None
    )
    PlanGoal.objects.bulk_create(
        PlanGoal(
            plan=plan,
            position=goal.position,
            goal=goal.goal,
            interventions=goal.interventions,
            progress=summary["progress"],
            summary=summary["summary"].strip(),
        )
        for goal, summary in zip(goals, summaries, strict=False)
    )
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=plan)
    return plan
