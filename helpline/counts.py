"""The helpline's contacts counted by month, so that the statistics add up a few hundred rows
instead of counting a year of contacts at each look (docs/helpline.md, "Statistics").

A month is counted again, whole, in the transaction that changes one of its contacts: a contact
saved, moved, deleted, its tags changed, or contacts written in bulk through the ORM
(helpline.models). Counting the month again rather than adding one keeps the counts exact
whatever the change; its CountedMonth row is locked first, so that two contacts saved at the
same moment are each counted by the one that waits. Only writes past the ORM (raw SQL, COPY)
leave the counts behind: `count_all` (`manage.py helpline_recount`, and every night) counts
everything again, and changes nothing when the counts are right.
"""

import datetime
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Max, Min
from django.db.models.signals import m2m_changed
from django.utils import timezone

from common.dates import add_months, day_bounds
from helpline.models import COUNTED_DIMENSIONS

# What MonthlyCount keeps of a contact, as Contact.values() names it.
DIMENSIONS = COUNTED_DIMENSIONS


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month a moment falls in, local time (as helpline.statistics
    bounds its periods)."""
    return timezone.localtime(moment).date().replace(day=1)


def _models(apps=None) -> SimpleNamespace:
    if apps is None:
        from django.apps import apps
    get = apps.get_model
    contact = get("helpline", "Contact")
    return SimpleNamespace(
        contact=contact,
        tagged=contact.tags.through,
        month=get("helpline", "CountedMonth"),
        count=get("helpline", "MonthlyCount"),
        tag_count=get("helpline", "MonthlyTagCount"),
    )


def count_months(
    months,
    *,
    contacts: bool = True,
    tags: bool = True,
    using: str = DEFAULT_DB_ALIAS,
    apps=None,
) -> None:
    """Count these months' contacts again, replacing what was counted (idempotent); with
    `contacts=False`, only their tags (all a change of tags can change); with `tags=False`,
    not their tags (a contact just created has none yet)."""
    months = sorted(set(months))
    if not months:
        return
    m = _models(apps)
    with transaction.atomic(using=using):
        m.month.objects.using(using).bulk_create(
            [m.month(month=month) for month in months], ignore_conflicts=True
        )
        # In order, so that two transactions locking several months never wait on each other.
        list(
            m.month.objects.using(using)
            .select_for_update()
            .filter(month__in=months)
            .order_by("month")
            .values_list("pk", flat=True)
        )
        for month in months:
            first, after = month, add_months(month, 1)
            start, end = day_bounds(first, (after - first).days)
            period = m.contact.objects.using(using).filter(
                started_at__gte=start, started_at__lt=end
            )
            if contacts:
                rows = period.values(*DIMENSIONS).annotate(n=Count("pk")).order_by()
                m.count.objects.using(using).filter(month=month).delete()
                m.count.objects.using(using).bulk_create(
                    [
                        m.count(month=month, referral_id=row.pop("referral"), n=row.pop("n"), **row)
                        for row in rows
                    ]
                )
            if not tags:
                continue
            tagged = (
                m.tagged.objects.using(using)
                .filter(
                    contact__started_at__gte=start,
                    contact__started_at__lt=end,
                    contact__missed=False,
                )
                .values("problemtag_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            m.tag_count.objects.using(using).filter(month=month).delete()
            m.tag_count.objects.using(using).bulk_create(
                [
                    m.tag_count(month=month, tag_id=row["problemtag_id"], n=row["n"])
                    for row in tagged
                ]
            )


def count_all(*, using: str = DEFAULT_DB_ALIAS, apps=None) -> int:
    """Count every month again, from the first contact's to the last's, and forget months
    without contacts; returns the number of months counted."""
    m = _models(apps)
    with transaction.atomic(using=using):
        span = m.contact.objects.using(using).aggregate(
            first=Min("started_at"), last=Max("started_at")
        )
        months = []
        if span["first"] is not None:
            month, last = month_of(span["first"]), month_of(span["last"])
            while month <= last:
                months.append(month)
                month = add_months(month, 1)
        for model in (m.count, m.tag_count, m.month):
            model.objects.using(using).exclude(month__in=months).delete()
        count_months(months, using=using, apps=apps)
    return len(months)


def _tags_changed(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    """A contact's tags set, added, removed or cleared: its month counted again."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # from a tag's side: no accessor has it today; if one did, count everything
        count_all(using=using)
    else:
        count_months({month_of(instance.started_at)}, contacts=False, using=using)


def connect() -> None:
    Contact = _models().contact
    m2m_changed.connect(_tags_changed, sender=Contact.tags.through, dispatch_uid="helpline.counts")
