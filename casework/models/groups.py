"""Therapy groups: facilitators, members over time, a weekly slot, and who must not meet."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from casework.models.patients import Patient


class Weekday(models.IntegerChoices):
    # A context of their own: the bare "Monday"... are Django's, used inside dates, where
    # French and Dutch write them in lower case; as a label they start with a capital.
    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class TherapyGroup(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("What the group is for, without anything about its members."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    # The room its sessions are booked in, with the clash and opening-hours warnings of any
    # room (docs/calendar.md); `place` when it meets elsewhere.
    room = models.ForeignKey(
        "casework.Room",
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GroupFacilitator",
        related_name="facilitated_groups",
        verbose_name=_("facilitators"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("therapy group")
        verbose_name_plural = _("therapy groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("casework:group_detail", args=[self.pk])


class GroupFacilitator(models.Model):
    class Role(models.TextChoices):
        REGULAR = "regular", _("Regular facilitator")
        COVER = "cover", _("Cover facilitator")

    group = models.ForeignKey(TherapyGroup, on_delete=models.CASCADE, related_name="facilitation")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group facilitator")
        verbose_name_plural = _("group facilitators")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "clinician"],
                name="group_facilitator_once",
                violation_error_message=_("This clinician already facilitates the group."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician} — {self.get_role_display()}"


class GroupMembership(models.Model):
    """A patient's time in a group; ended, never deleted."""

    group = models.ForeignKey(
        TherapyGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="members"
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "patient"],
                condition=Q(left_on__isnull=True),
                name="group_member_once",
                violation_error_message=_("This patient is already a member of the group."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="group_member_leaves_after_joining",
                violation_error_message=_("A member cannot leave the group before joining it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.group}"


class NonAssociation(models.Model):
    """Two patients who must not meet (co-accused, a victim's relative...): groups warn."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    other = models.ForeignKey(
        Patient, verbose_name=_("must not meet"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("A short factual reason, e.g. co-accused.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("non-association")
        verbose_name_plural = _("non-associations")
        constraints = [
            # stored once per pair, lower id first
            models.CheckConstraint(
                condition=Q(patient__lt=F("other")),
                name="nonassociation_ordered_pair",
                violation_error_message=_("A patient cannot be kept apart from themself."),
            ),
            models.UniqueConstraint(
                fields=["patient", "other"],
                name="nonassociation_once",
                violation_error_message=_("These two patients are already kept apart."),
            ),
        ]
        indexes = [models.Index(fields=["other"], name="nonassociation_other")]

    def __str__(self) -> str:
        return f"{self.patient} ≠ {self.other}"
