"""Reads of assessments. The clinical zone: callers resolve the patient with Zone.CLINICAL."""

import datetime

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments import instruments
from assessments.models import Assessment, RiskCombination, Static99RNorm
from casework.permissions import Zone
from casework.selectors import patients_visible_to


def _readable(user, patient_id) -> QuerySet[Assessment]:
    """The patient's assessments, if the user may read the patient's clinical zone."""
    readable = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id)
    return Assessment.objects.filter(patient__in=readable)


def assessments_of(user, patient_id) -> QuerySet[Assessment]:
    return _readable(user, patient_id).order_by("-assessed_on", "-pk")


def assessment_for(user, patient_id, assessment_id) -> Assessment:
    """One assessment of the patient, or 404."""
    return get_object_or_404(
        _readable(user, patient_id).select_related("assessor", "amends"), pk=assessment_id
    )


def history(patient) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("assessor", "amends")
        .order_by("instrument", "-assessed_on", "-pk")
    )


def _current(on: datetime.date | None = None) -> QuerySet[Assessment]:
    """The standing assessments: signed, with no newer signed one of the same instrument for
    the same patient (an amendment is newer than what it amends); on a day, as they stood then
    (signed on or before it)."""
    by_then = {} if on is None else {"assessed_on__lte": on}
    newer = Assessment.objects.filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk")),
        patient=OuterRef("patient"),
        instrument=OuterRef("instrument"),
        status=Assessment.Status.SIGNED,
        **by_then,
    )
    return Assessment.objects.filter(status=Assessment.Status.SIGNED, **by_then).exclude(
        Exists(newer)
    )


def current_by_instrument(patient) -> dict[str, Assessment]:
    """The standing assessment of each instrument for this patient."""
    return {a.instrument: a for a in _current().filter(patient=patient)}


def due_dates(patient) -> list[tuple[str, datetime.date, bool]]:
    """Instrument, next due date, overdue: all an administrator may know of assessments."""
    today = timezone.localdate()
    return [
        (assessment.definition.name, assessment.next_due_on, assessment.next_due_on < today)
        for assessment in current_by_instrument(patient).values()
        if assessment.next_due_on
    ]


def due_for_clinician(
    clinician, *, within_days: int = 14, today: datetime.date | None = None
) -> QuerySet[Assessment]:
    """Standing assessments of the clinician's patients due within the days given, or overdue."""
    horizon = (today or timezone.localdate()) + datetime.timedelta(days=within_days)
    return (
        _current()
        .filter(
            next_due_on__lte=horizon,
            patient__care_team__clinician=clinician,
            patient__care_team__ends_on__isnull=True,
        )
        .select_related("patient")
        .order_by("next_due_on", "pk")
        .distinct()
    )


def norms_for(assessment: Assessment) -> list[Static99RNorm]:
    if assessment.instrument != "static99r" or "total" not in assessment.totals:
        return []
    return list(Static99RNorm.objects.filter(score=assessment.totals["total"]))


def combination_for(patient) -> RiskCombination | None:
    """The clinic's combined level for the current Static-99R and STABLE-2007, if entered."""
    current = current_by_instrument(patient)
    static, stable = current.get("static99r"), current.get("stable2007")
    if not (static and stable and static.final_level and stable.final_level):
        return None
    return RiskCombination.objects.filter(
        static_level=static.final_level.code, stable_band=stable.final_level.code
    ).first()


def trend(patient, code: str) -> list[tuple[datetime.date, int]]:
    """(date, total) of the signed assessments of a scored instrument, oldest first."""
    definition = instruments.get(code)
    if not definition.is_scored:
        return []
    key = "general" if code == "acute2007" else "total"
    rows = Assessment.objects.filter(
        patient=patient, instrument=code, status=Assessment.Status.SIGNED
    ).order_by("assessed_on", "pk")
    return [(a.assessed_on, a.totals[key]) for a in rows if key in a.totals]


# The 2016 risk levels (I, II, III, IVa, IVb): the Static-99R's main band table.
STATIC99R_LEVELS = "static99r-2016"


def static99r_levels(user, patients: QuerySet) -> dict[int, list[tuple[datetime.date, str]]]:
    """Each patient's signed Static-99R levels (2016), oldest first, as (assessed on, level):
    the level that counts (an override, or the computed one), one query for every patient.
    A corrected assessment gives way to its amendment; one banded with the older categories
    only has no 2016 level and is left out. Only the patients whose clinical zone the user
    may read (the statistics of clinic_statistics ask for the clinical lead)."""
    readable = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk__in=patients)
    rows = (
        Assessment.objects.filter(
            patient__in=readable,
            instrument="static99r",
            status=Assessment.Status.SIGNED,
            amended_by__isnull=True,
        )
        .order_by("patient_id", "assessed_on", "pk")
        .values_list("patient_id", "assessed_on", "level_override", "levels")
    )
    levels: dict[int, list[tuple[datetime.date, str]]] = {}
    for patient_id, assessed_on, override, computed in rows:
        level = override or (computed or {}).get(STATIC99R_LEVELS, "")
        if level:
            levels.setdefault(patient_id, []).append((assessed_on, level))
    return levels


def main_bands(code: str) -> list[tuple[str, str]]:
    """(band code, label) of the instrument's main band table, in its order."""
    return [(band.code, str(band.label)) for band in instruments.get(code).band_tables[0].bands]


def level_of(code: str, *, since, until, first: bool) -> Subquery:
    """For an outer query on patients: the level that counts (an override, else the band of
    the instrument's main table as the clinic bands it today) of the patient's first, or
    latest, signed assessment of the instrument dated within [since, until]: days, or
    expressions on the outer query (OuterRef(...)); since None: any day up to until. A
    corrected assessment gives way to its amendment; one banded with another table has no
    level here (None, like no assessment). Only for callers that read the clinical zone of
    these patients (clinic_statistics, for the clinical lead)."""
    version = instruments.get(code).band_tables[0].version
    order = ("assessed_on", "pk") if first else ("-assessed_on", "-pk")
    chosen = Assessment.objects.filter(
        patient=OuterRef("pk"),
        instrument=code,
        status=Assessment.Status.SIGNED,
        amended_by__isnull=True,
        assessed_on__lte=until,
    ).order_by(*order)
    if since is not None:
        chosen = chosen.filter(assessed_on__gte=since)
    level = Coalesce(
        NullIf("level_override", Value("")), KT(f"levels__{version}"), output_field=CharField()
    )
    return Subquery(chosen.annotate(level=level).values("level")[:1])


def overdue_on(patients: QuerySet, day: datetime.date) -> int:
    """How many standing assessments of these patients were past their next due date on the
    day: signed on or before it, with no newer signed one of the same instrument by then."""
    return _current(on=day).filter(patient__in=patients, next_due_on__lt=day).count()
