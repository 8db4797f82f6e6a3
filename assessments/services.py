"""Risk assessment workflows: draft, sign (final), amend (a new version)."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import instruments, permissions
from assessments.models import Assessment
from audit.services import Action, record_access
from casework.mail import mail_clinician_once_a_day
from common.permissions import require


def _errors(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS if key == "__all__" else key: value for key, value in errors.items()}
    )


def _date_errors(definition, patient, assessed_on: datetime.date) -> list[str]:
    """Why an assessment cannot carry this date: it is to come, or the instrument or the
    person did not exist yet (a date typed as 1900 or 0001 is a slip, never a fact)."""
    if assessed_on > timezone.localdate():
        return [_("The assessment date cannot be in the future.")]
    errors = []
    if assessed_on < datetime.date(definition.published, 1, 1):
        errors.append(
            _("%(instrument)s was published in %(year)d: the assessment cannot be dated earlier.")
            % {"instrument": definition.name, "year": definition.published}
        )
    if assessed_on < patient.twelfth_birthday:
        errors.append(
            _("The assessment cannot be dated before the patient's 12th birthday (%(date)s).")
            % {"date": date_format(patient.twelfth_birthday, "DATE_FORMAT")}
        )
    return errors


@transaction.atomic
def assessment_save(
    *,
    actor,
    patient,
    instrument: str,
    assessed_on: datetime.date,
    facts: dict,
    responses: dict,
    judgements: dict | None = None,
    level_override: str = "",
    override_reason: str = "",
    trained_assessor: bool = False,
    complete: bool = False,
    assessment: Assessment | None = None,
) -> Assessment:
    """Create a draft, or update one: responses are checked against the instrument and the
    totals computed here, never taken from the caller."""
    if instrument not in instruments.INSTRUMENTS:
        raise ValidationError({"instrument": _("Unknown instrument.")})
    definition = instruments.get(instrument)
    if assessment is not None:
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        refusal = permissions.edit_refusal(actor, assessment)
        if refusal:
            raise ValidationError(refusal)
    date_errors = _date_errors(definition, patient, assessed_on)
    if date_errors:
        raise ValidationError({"assessed_on": date_errors})
    # A draft may be saved a part at a time: what is given is checked, what is missing waits
    # for signing; the total and levels come once every item that applies is rated.
    clean_facts, clean_responses, clean_judgements, errors = definition.clean(
        facts=facts,
        responses=responses,
        judgements=judgements or {},
        sex=patient.sex,
        partial=True,
    )
    if errors:
        raise _errors(errors)
    scores = definition.result(facts=clean_facts, responses=clean_responses)
    if level_override:
        table = definition.band_tables[0] if definition.band_tables else None
        if table is None or level_override not in {b.code for b in table.bands}:
            raise ValidationError({"level_override": _("Choose one of the instrument's levels.")})
        if not override_reason.strip():
            raise ValidationError(
                {"override_reason": _("Say why the computed level is set aside.")}
            )
    fields = {
        "facts": clean_facts,
        "responses": clean_responses,
        "judgements": clean_judgements,
        "totals": scores.totals,
        "levels": {version: band.code for version, band in scores.levels.items()},
        "level_override": level_override,
        "override_reason": override_reason.strip() if level_override else "",
        "trained_assessor": trained_assessor,
        "complete": complete,
        "assessed_on": assessed_on,
    }
    if assessment is None:
        assessment = Assessment(
            patient=patient,
            instrument=instrument,
            instrument_version=definition.version,
            assessor=actor,
            **fields,
        )
        action = Action.CREATE
    else:
        for name, value in fields.items():
            setattr(assessment, name, value)
        action = Action.UPDATE
    assessment.save()
    record_access(actor=actor, action=action, patient=patient, obj=assessment)
    return assessment


@transaction.atomic
def assessment_sign(
    *,
    actor,
    assessment: Assessment,
    trained_assessor: bool | None = None,
    complete: bool | None = None,
) -> Assessment:
    """Attest and sign a draft in one step: from then on it never changes; its next-due date
    is set. An attestation given here (the signing page's boxes) replaces the draft's; one left
    out (None) keeps it. Refused, nothing changes: not even the attestations."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    refusal = permissions.sign_refusal(actor, assessment)
    if refusal:
        raise ValidationError(refusal)
    if trained_assessor is not None:
        assessment.trained_assessor = trained_assessor
    if complete is not None:
        assessment.complete = complete
    definition = assessment.definition
    missing: dict[str, str | list[str]] = {}
    # Everything rated, the person eligible (checked again: the draft may have been saved
    # before the facts that decide it were there), and the two attestations.
    incomplete = definition.missing(
        facts=assessment.facts, responses=assessment.responses, judgements=assessment.judgements
    ) + definition.eligibility(
        facts=assessment.facts, responses=assessment.responses, sex=assessment.patient.sex
    )
    if incomplete:
        missing[NON_FIELD_ERRORS] = [str(message) for message in incomplete]
    if not assessment.trained_assessor:
        missing["trained_assessor"] = _("Attest that you are trained to use this instrument.")
    if not assessment.complete:
        missing["complete"] = _("Attest that every item was rated from sufficient information.")
    if missing:
        raise ValidationError(missing)
    assessment.status = Assessment.Status.SIGNED
    assessment.signed_at = timezone.now()
    assessment.next_due_on = assessment.due_after()
    assessment.save()
    record_access(actor=actor, action=Action.UPDATE, patient=assessment.patient, obj=assessment)
    return assessment


@transaction.atomic
def assessment_discard(*, actor, assessment: Assessment) -> None:
    """Delete an unsigned draft for good, at its assessor's request.

    Deleted for real, not hidden: a draft is not part of the record. Nobody has attested it,
    no decision or letter rests on it, and it may be a false start (the wrong instrument, the
    wrong patient); keeping it would keep clinical content with no purpose. What remains is
    the fact, in the access log: who discarded which draft of which patient (identifiers
    only). A signed assessment is never discarded: it is corrected by an amendment.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    refusal = permissions.discard_refusal(actor, assessment)
    if not assessment.is_signed:
        require(refusal)  # someone else's draft (403): who asks, not what was sent
    if refusal:
        raise ValidationError(refusal)
    record_access(actor=actor, action=Action.DELETE, patient=assessment.patient, obj=assessment)
    assessment.delete()


@transaction.atomic
def assessment_amend(*, actor, assessment: Assessment) -> Assessment:
    """Start a new version of a signed assessment; the signed one stays as it was."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_signed:
        raise ValidationError(_("Only a signed assessment can be amended; edit the draft instead."))
    if Assessment.objects.filter(amends=assessment).exists():
        raise ValidationError(_("This assessment already has an amendment."))
    amendment = Assessment(
        patient=assessment.patient,
        instrument=assessment.instrument,
        instrument_version=assessment.definition.version,
        assessor=actor,
        assessed_on=timezone.localdate(),
        facts=assessment.facts,
        responses=assessment.responses,
        judgements=assessment.judgements,
        totals=assessment.totals,
        levels=assessment.levels,
        level_override=assessment.level_override,
        override_reason=assessment.override_reason,
        amends=assessment,
    )
    amendment.save()
    record_access(actor=actor, action=Action.CREATE, patient=assessment.patient, obj=amendment)
    return amendment


def due_reminders_send(*, today: datetime.date | None = None, within_days: int = 14) -> int:
    """E-mail each clinician, once a day at most, the assessments due soon or overdue."""
    from django.contrib.auth import get_user_model

    from assessments.models import DueReminder
    from assessments.selectors import due_for_clinician

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    due_soon = Assessment.objects.filter(next_due_on__lte=horizon).values("patient")
    clinicians = (
        get_user_model()
        .objects.filter(
            is_active=True,
            care_team_memberships__ends_on__isnull=True,
            care_team_memberships__patient__in=due_soon,
        )
        .distinct()
    )
    sent = 0
    for clinician in clinicians:
        due = list(due_for_clinician(clinician, within_days=within_days, today=today))
        if not due:
            continue

        def compose(due=due):
            subject = ngettext(
                "%(count)d risk assessment due", "%(count)d risk assessments due", len(due)
            ) % {"count": len(due)}
            lines = [
                f"- {a.next_due_on:%d/%m/%Y}  {a.patient.file_number}  {a.definition.name}"
                + ("  " + _("overdue") if a.next_due_on < today else "")
                for a in due
            ]
            return subject, _("These assessments are due within two weeks, or overdue:"), lines

        sent += mail_clinician_once_a_day(
            DueReminder,
            clinician,
            today,
            defaults={"due": len(due)},
            compose=compose,
            purpose=_("Risk assessments due"),
        )
    return sent
