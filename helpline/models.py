"""The anonymous helpline: a log of contacts that identifies nobody (docs/helpline.md).

People worried about their own sexual attraction to children call, write or chat before anything
happens; they speak only if nothing can identify them. So no model here has a field for a name,
a phone number, an e-mail address or a network address, and no field is free to hold one except
the short summary, which is erased after HELPLINE_SUMMARY_MONTHS (tests/helpline inspects the
models). The helpline knows no patient: it imports nothing from the clinic's files.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.models import NamedInLanguages


class MinuteField(models.DateTimeField):
    """A moment kept to the minute, however it is written (a save, `auto_now_add`, an
    `update()`): a time to the second could be matched with a phone company's records
    (docs/helpline.md, "Times to the minute"). Every time the helpline keeps is one."""

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, datetime.datetime):
            value = value.replace(second=0, microsecond=0)
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        # Writes only: a lookup (`started_at__lt=…`) keeps the moment it is given.
        if isinstance(value, datetime.datetime):  # not an expression (TruncMinute, say)
            value = value.replace(second=0, microsecond=0)
        return super().get_db_prep_save(value, connection)


class ProblemTag(NamedInLanguages):
    """What the contact was about (several per contact); reference data, seeded, editable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("problem tag")
        verbose_name_plural = _("problem tags")
        ordering = ["position", "code"]


class ReferralService(NamedInLanguages):
    """A kind of service callers are referred to; the list the clinical lead maintains."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("kind of service referred to")
        verbose_name_plural = _("kinds of service referred to")
        ordering = ["position", "name_en"]


class FollowUpCode(models.Model):
    """A pseudonym a caller may keep, so that the line recognises a repeat caller without
    knowing who they are. The code is shown once, to the listener, to give to the caller;
    only its keyed hash is kept (HELPLINE_CODE_KEY), so the table cannot list the codes."""

    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = MinuteField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up code")
        verbose_name_plural = _("follow-up codes")

    def __str__(self) -> str:
        return f"{self.pk}"

    @staticmethod
    def digest_of(code: str) -> str:
        key = settings.HELPLINE_CODE_KEY.encode()
        return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


# Letters and digits that cannot be mistaken for one another when said or heard on the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31**6: about 887 million codes, shown as "K7M-2QX"


def normalise_code(code: str) -> str:
    """What a listener types, as the code is kept: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


# What the statistics split the contacts by (helpline.statistics), kept counted by month
# (MonthlyCount's columns); with the moment, what a change must be counted again for.
COUNTED_DIMENSIONS = ("channel", "caller_type", "repeat", "missed", "hung_up", "referral")
COUNTED_FIELDS = frozenset({"started_at", *COUNTED_DIMENSIONS})


def _counted(fields) -> bool:
    """Whether writing these fields (names or attnames) can change the monthly counts."""
    return fields is None or bool({f.removesuffix("_id") for f in fields} & COUNTED_FIELDS)


class ContactQuerySet(models.QuerySet):
    """Every way the ORM writes contacts in bulk keeps their months counted in the same
    transaction (helpline.counts); only raw SQL does not: `manage.py helpline_recount`."""

    def answered(self):
        return self.filter(missed=False)

    def bulk_create(self, objs, *args, **kwargs):
        from helpline import counts

        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            counts.count_months({counts.month_of(o.started_at) for o in objs}, using=self.db)
        return created

    def update(self, **kwargs):
        if not _counted(kwargs):  # the summaries' erasure, say
            return super().update(**kwargs)
        from helpline import counts

        with transaction.atomic(using=self.db):
            before = dict(self.values_list("pk", "started_at"))
            changed = super().update(**kwargs)
            after = self.model.objects.filter(pk__in=before).values_list("started_at", flat=True)
            months = {counts.month_of(t) for t in [*before.values(), *after]}
            counts.count_months(months, using=self.db)
        return changed

    def delete(self):
        from helpline import counts

        with transaction.atomic(using=self.db):
            months = {counts.month_of(t) for t in self.values_list("started_at", flat=True)}
            deleted = super().delete()
            counts.count_months(months, using=self.db)
        return deleted


class Contact(models.Model):
    """One contact with the line: a call, an e-mail or a chat, answered or missed."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")

    class CallerType(models.TextChoices):
        CONCERNED_ADULT = "concerned_adult", _("The person concerned, an adult")
        CONCERNED_ADOLESCENT = "concerned_adolescent", _("The person concerned, an adolescent")
        RELATIVE = "relative", _("A relative")
        PROFESSIONAL = "professional", _("A professional")
        POTENTIAL_VICTIM = "potential_victim", _("A potential victim")
        OTHER = "other", _("Other")

    channel = models.CharField(
        pgettext_lazy("helpline", "channel"), max_length=10, choices=Channel.choices
    )
    started_at = MinuteField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=0)
    missed = models.BooleanField(
        _("missed contact"), default=False, help_text=_("Nobody could answer it.")
    )
    hung_up = models.BooleanField(
        _("hung up before speaking"), default=False, help_text=_("The caller said nothing.")
    )
    repeat = models.BooleanField(
        _("repeat contact"), default=False, help_text=_("The caller has contacted the line before.")
    )
    caller_type = models.CharField(
        _("who is calling"), max_length=30, choices=CallerType.choices, blank=True
    )
    tags = models.ManyToManyField(
        ProblemTag, verbose_name=_("what it is about"), blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        ReferralService,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(
        _("summary"),
        max_length=1000,
        blank=True,
        help_text=_(
            "A few words for the next listener. Nothing that identifies the caller: no name, "
            "number, address, place of work or school. Erased after a year."
        ),
    )
    summary_erased_at = MinuteField(_("summary erased"), null=True, blank=True)
    follow_up = models.ForeignKey(
        FollowUpCode,
        verbose_name=_("follow-up code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    listener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listener"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = MinuteField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("helpline contact")
        verbose_name_plural = _("helpline contacts")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["-started_at"], name="helpline_contact_time"),
            # the listener's time on the line today
            models.Index(fields=["listener", "started_at"], name="helpline_listener_day"),
            # the daily erasure of old summaries
            models.Index(
                fields=["started_at"],
                condition=~Q(summary=""),
                name="helpline_summary_to_erase",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=600),
                name="helpline_duration_bounded",
                violation_error_message=_("A contact lasts ten hours at most: check the duration."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        """Saved with its month counted again (and the month it left, if it moved)."""
        if not _counted(kwargs.get("update_fields")):
            return super().save(*args, **kwargs)
        from helpline import counts

        using = kwargs.get("using") or router.db_for_write(Contact, instance=self)
        with transaction.atomic(using=using):
            before, adding = None, self._state.adding
            if not adding and self.pk is not None:
                stored = Contact.objects.using(using).filter(pk=self.pk)
                before = stored.values_list("started_at", flat=True).first()
            super().save(*args, **kwargs)
            moments = [self.started_at] + ([before] if before else [])
            months = {counts.month_of(t) for t in moments}
            # A new contact has no tags yet: setting them counts them (helpline.counts).
            counts.count_months(months, tags=not adding, using=using)

    def delete(self, *args, **kwargs):
        from helpline import counts

        using = kwargs.get("using") or router.db_for_write(Contact, instance=self)
        with transaction.atomic(using=using):
            deleted = super().delete(*args, **kwargs)
            counts.count_months({counts.month_of(self.started_at)}, using=using)
        return deleted


class CountedMonth(models.Model):
    """A month whose contacts are counted (MonthlyCount, MonthlyTagCount): its row is locked
    while they are counted again, so that two contacts saved at once are both counted."""

    month = models.DateField(unique=True)  # its first day, local time

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyCount(models.Model):
    """How many contacts a month had with these values of what the statistics split by
    (helpline.counts keeps it; helpline.statistics adds the rows up)."""

    month = models.DateField()  # its first day, local time
    channel = models.CharField(max_length=10, choices=Contact.Channel.choices)
    caller_type = models.CharField(max_length=30, choices=Contact.CallerType.choices, blank=True)
    repeat = models.BooleanField()
    missed = models.BooleanField()
    hung_up = models.BooleanField()
    referral = models.ForeignKey(
        ReferralService, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="helpline_count_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.n}"


class MonthlyTagCount(models.Model):
    """How many answered contacts of a month had this problem tag."""

    month = models.DateField()  # its first day, local time
    tag = models.ForeignKey(ProblemTag, on_delete=models.PROTECT, related_name="+")
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "tag"], name="helpline_tag_count_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.tag_id}: {self.n}"
