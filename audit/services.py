"""The one writer of the access log, its sealer and its verifier.

Writing: `record_access` (one event about one patient or object), `record_listing` (one event
for a page or an endpoint that listed patients), `note_denied` (a refused attempt, written by
the middleware after the request's transaction has been rolled back). Identifiers only: never
put health content in an event.
"""

import datetime
import ipaddress
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from audit import checkpoint, context, witnesses
from audit.models import (
    CONTENT,
    AccessEvent,
    AccessEventPatient,
    IntegrityAlert,
    content_mac,
    link_hash,
)
from common.db import on_commit_once

Action = AccessEvent.Action
logger = logging.getLogger(__name__)

# Any fixed number: the key of the PostgreSQL advisory lock that serialises sealers.
_SEAL_LOCK_KEY = 7_270_000_001


# --- Writing --------------------------------------------------------------------------------


def _actor_fields(actor) -> dict:
    if actor is None or not actor.is_authenticated:
        return {"user_id": None, "username": "", "role": ""}
    return {"user_id": actor.pk, "username": actor.get_username(), "role": actor.role or ""}


def _request_fields() -> dict:
    ctx = context.current()
    if ctx is None or not ctx.client_address:
        return {"request_id": ctx.request_id if ctx else "", "client_address": None}
    try:  # the form the database gives back, so that the MAC holds when it is checked
        address = str(ipaddress.ip_address(ctx.client_address))
    except ValueError:
        address = None
    return {"request_id": ctx.request_id, "client_address": address}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def label_for(
    *, obj=None, object_type: str = "", object_id: str = "", file_number: str = ""
) -> str:
    """What an event is about, in words: "Mandate 12 of 2026-0042", "Patient 2026-0042",
    "Appointments of 2026-0042". Identifiers only. In the installation's language, written
    once: the label still reads when the object is gone."""
    model = type(obj) if obj is not None else _model(object_type)
    with translation.override(settings.LANGUAGE_CODE):
        if model is None:
            name = object_type
        elif object_id or obj is not None:
            name = capfirst(str(model._meta.verbose_name))
        else:
            name = capfirst(str(model._meta.verbose_name_plural))
        if object_id and file_number and object_type == "casework.patient":
            return f"{name} {file_number}"
        if object_id:
            name = f"{name} {object_id}"
        if not file_number:
            return name
        return gettext("%(what)s of %(file_number)s") % {"what": name, "file_number": file_number}


def _written(label) -> str:
    """A label (perhaps lazy) as the log keeps it: in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)[:200]


def _event(*, actor, action: str, username: str = "", **fields) -> AccessEvent:
    """An event with its nonce and MAC, ready to insert."""
    who = _actor_fields(actor)
    if username:
        who["username"] = username
    event = AccessEvent(
        **who,
        **_request_fields(),
        **fields,
        action=action,
        occurred_at=timezone.now(),
        nonce=uuid.uuid4().hex,
    )
    event.mac = content_mac(event.content())
    return event


def record_access(
    *,
    actor,
    action: str,
    patient=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    label: str = "",
    username: str = "",
) -> AccessEvent:
    """Log one access: to a patient's file (patient), to an object of it (obj), to a kind of
    object of it (object_type without id: "the appointments of 2026-0042")."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    file_number = getattr(patient, "file_number", "") or ""
    fields = {
        "patient_id": patient.pk if patient is not None else None,
        "file_number": file_number,
        "object_type": object_type,
        "object_id": object_id,
        "label": _written(label)
        or label_for(
            obj=obj, object_type=object_type, object_id=object_id, file_number=file_number
        ),
    }
    event = _event(actor=actor, action=action, username=username, **fields)
    event.save()
    _schedule_seal()
    return event


def record_listing(
    *, actor, patients: Iterable, object_type: str = "casework.patient", label: str = ""
) -> AccessEvent | None:
    """Log that a page or an endpoint listed these patients: one event naming them all (one
    INSERT for the event, one for the index), whatever the number of rows shown."""
    ids = sorted({patient.pk for patient in patients})
    if not ids:
        return None
    event = _event(
        actor=actor,
        action=Action.LIST,
        object_type=object_type,
        label=_written(label) or label_for(object_type=object_type),
        patient_ids=",".join(map(str, ids)),
    )
    event.save()
    AccessEventPatient.objects.bulk_create(
        [AccessEventPatient(event=event, patient_id=patient_id) for patient_id in ids]
    )
    _schedule_seal()
    return event


def note_denied(*, object_type: str, object_id: str, patient=None) -> None:
    """Remember that this request was refused access to something; the middleware writes it
    once the request's transaction has been rolled back (at most one event per request)."""
    ctx = context.current()
    if ctx is not None and ctx.denied is None:
        ctx.denied = {
            "object_type": object_type,
            "object_id": str(object_id)[:64],
            "patient_id": patient.pk if patient is not None else None,
            "file_number": getattr(patient, "file_number", "") or "",
        }


def record_denied(*, actor, denied: dict) -> AccessEvent | None:
    """Write a refused attempt, collapsed: one per user and window (AUDIT_DENIED_WINDOW), so
    that a script guessing ids cannot flood the log; the first of the window is kept."""
    since = timezone.now() - settings.AUDIT_DENIED_WINDOW
    if actor is not None and actor.is_authenticated:
        recent = AccessEvent.objects.filter(
            user=actor, action=Action.DENIED, occurred_at__gte=since
        )
        if recent.exists():
            return None
    with transaction.atomic():
        event = _event(
            actor=actor,
            action=Action.DENIED,
            label=label_for(
                object_type=denied["object_type"],
                object_id=denied["object_id"],
                file_number=denied["file_number"],
            ),
            **denied,
        )
        event.save()
        _schedule_seal()
    return event


# --- Sealing --------------------------------------------------------------------------------

_pending = threading.local()


# Outside requests (tasks, commands), commits come in bursts: a worker rendering 200 letters
# commits 200 times. There, a process queues at most one sealing task per window, to run when
# the window has passed: it seals every row committed meanwhile.
SEAL_WINDOW_SECONDS = 1.0
_sealing_queued_until = 0.0


def _seal_after_commit() -> None:
    """In a request with tasks run in-process (the embedded demo), seal once the response is
    sent (seal_after_response); otherwise queue the task, which a worker takes."""
    global _sealing_queued_until
    in_request = context.current() is not None
    if settings.CELERY_TASK_ALWAYS_EAGER and in_request:
        _pending.seal = True
        return
    from audit.tasks import seal_access_log

    if in_request or settings.CELERY_TASK_ALWAYS_EAGER:
        seal_access_log.delay()
        return
    now = time.monotonic()
    if now < _sealing_queued_until:
        return  # the task queued for this window will seal this row too
    _sealing_queued_until = now + SEAL_WINDOW_SECONDS
    seal_access_log.apply_async(countdown=SEAL_WINDOW_SECONDS)


def seal_after_response(**kwargs) -> None:
    """request_finished: the response has gone; seal what this request wrote."""
    if getattr(_pending, "seal", False):
        _pending.seal = False
        while seal_access_log():
            pass


def _schedule_seal() -> None:
    """Seal once after the transaction commits, however many events it wrote."""
    # robust: a sealing failure must not fail the user's committed work; the beat retries.
    on_commit_once(_seal_after_commit, robust=True)


@transaction.atomic
def seal_access_log(*, batch_size: int = 5000) -> int:
    """Chain the committed, unsealed events in id order; reject (seq < 0, never chained) those
    whose MAC does not hold. Returns how many were sealed or rejected."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
    # (SQLite: the IMMEDIATE transaction already holds the database's only write lock.)
    last = AccessEvent.objects.sealed().order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = last if last else (0, "")
    # The head only moves forward: a table that does not reach the last head a witness holds
    # has lost rows (deleted, or an older copy put back). Sealing on would reuse their numbers
    # and hide the loss; the events wait, unsealed, for the lead's re-baselining.
    if refusals := head_problems(seq, witnessed_heads()):
        _alert_once([message for message, _seq in refusals])
        return 0
    pending = AccessEvent.objects.unsealed().order_by("id")[:batch_size]
    key = settings.AUDIT_CHAIN_KEY.encode()
    rows = []
    for pk, mac, *content in pending.values_list("id", "mac", *CONTENT):
        if content_mac(tuple(content), key) != mac:
            rows.append((pk, -pk, "", ""))  # rejected: not written by the application
            continue
        seq += 1
        digest = link_hash(seq, prev_hash, mac, key)
        rows.append((pk, seq, prev_hash, digest))
        prev_hash = digest
    if rows:
        _update_chain(rows)
        head = checkpoint.stamped(seq, prev_hash)
        transaction.on_commit(lambda: witnesses.record(head))
    elif last and checkpoint.read(checkpoint.HEAD) is None:  # a log sealed before the history
        witnesses.record(checkpoint.stamped(*last))
    return len(rows)


def witnessed_heads() -> list[tuple[str, checkpoint.Checkpoint]]:
    """The latest head of each witness that can be read back."""
    return [(w.name, head) for w in witnesses.configured() if (head := w.latest()) is not None]


def head_problems(
    last_seq: int, heads: list[tuple[str, checkpoint.Checkpoint]]
) -> list[tuple[str, int]]:
    """What the table's chain, sealed up to `last_seq`, lacks against each witnessed head:
    it must reach the head, with the same hash at the head's sequence number."""
    problems = []
    for name, head in heads:
        if head.seq == 0:
            continue  # the head of an empty log: nothing to reach
        if last_seq < head.seq:
            problems.append(
                (
                    f"the log ends at event {last_seq}, but the head recorded by {name} on "
                    f"{head.at} is event {head.seq}: events {last_seq + 1} to {head.seq} were "
                    "removed",
                    last_seq + 1,
                )
            )
        elif AccessEvent.objects.filter(seq=head.seq).values_list("hash", flat=True).first() != (
            head.hash
        ):
            problems.append(
                (
                    f"event {head.seq} does not match the head recorded by {name} on {head.at}",
                    head.seq,
                )
            )
    return problems


def _alert_once(problems: list[str]) -> None:
    """The sealer's refusal, told once: not one alert per sealing run while it lasts."""
    text = "\n".join(problems)
    if not IntegrityAlert.objects.filter(resolved_at__isnull=True, problems=text).exists():
        logger.error("Access log sealing refused: %s", "; ".join(problems))
        raise_integrity_alert(problems)


def _update_chain(rows: list[tuple[int, int, str, str]]) -> None:
    """One statement for the whole batch: UPDATE ... FROM (VALUES ...)."""
    table = AccessEvent._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    cast = "::bigint" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET seq = v.seq{cast}, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608 - placeholders only
        f"FROM (VALUES {values}) AS v(id, seq, prev_hash, hash) WHERE {table}.id = v.id{cast}"
    )
    if connection.vendor == "sqlite":
        sql = (
            f"UPDATE {table} SET seq = v.column2, prev_hash = v.column3, hash = v.column4 "  # noqa: S608 - placeholders only
            f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [part for row in rows for part in row])


# --- Verifying ------------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int = 0
    unsealed: int = 0
    first_seq: int = 1
    last_seq: int = 0
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str, *, seq: int | None = None, event_id: int | None = None):
        if self.broken_seq is None and seq is not None:
            self.broken_seq, self.broken_event_id, self.reason = seq, event_id, text
        self.problems.append(text)


# A chain longer than this is checked in as many processes as the machine has cores.
PARALLEL_FROM = 200_000


@dataclass(frozen=True)
class _Walk:
    """What walking one range of the chain found."""

    checked: int
    last_seq: int
    last_hash: str
    broken: tuple[int, int | None, str] | None = None  # (seq, row id, reason)


def _rows(first: int, last: int, chunk_size: int):
    """(seq, id, prev_hash, hash, mac, *content) of the sealed events first..last in order.
    On PostgreSQL, a server-side cursor in binary with the time as epoch microseconds, as the
    MAC writes it: parsing timestamps is most of the cost of reading millions of rows."""
    if connection.vendor != "postgresql":
        yield from (
            AccessEvent.objects.filter(seq__gte=first, seq__lte=last)
            .order_by("seq")
            .values_list("seq", "id", "prev_hash", "hash", "mac", *CONTENT)
            .iterator(chunk_size=chunk_size)
        )
        return
    columns = [
        "(extract(epoch FROM occurred_at) * 1000000)::bigint"
        if name == "occurred_at"
        else "host(client_address)"
        if name == "client_address"
        else name
        for name in CONTENT
    ]
    connection.ensure_connection()
    raw = connection.connection
    with raw.transaction(), raw.cursor(name="audit_verify", binary=True) as cursor:
        cursor.itersize = chunk_size
        cursor.execute(
            f"SELECT seq, id, prev_hash, hash, mac, {', '.join(columns)} "  # noqa: S608 - fixed names
            f"FROM {AccessEvent._meta.db_table} WHERE seq BETWEEN %s AND %s ORDER BY seq",
            [first, last],
        )
        yield from cursor


def _walk(first: int, last: int, prev_hash: str, chunk_size: int = 20_000) -> _Walk:
    """Check events first..last, the one before having the hash prev_hash; stop at the first
    broken link."""
    key = settings.AUDIT_CHAIN_KEY.encode()
    expected, checked = first, 0
    for seq, pk, stored_prev, digest, mac, *content in _rows(first, last, chunk_size):
        reason = ""
        if seq != expected:
            reason = (
                f"event {expected} is missing"
                if seq == expected + 1
                else f"events {expected} to {seq - 1} are missing"
            )
        elif stored_prev != prev_hash:
            reason = "does not point to the previous event"
        elif content_mac(tuple(content), key) != mac:
            reason = "content does not match its seal"
        elif link_hash(seq, prev_hash, mac, key) != digest:
            reason = "its seal does not follow from the chain"
        if reason:
            return _Walk(checked, expected - 1, prev_hash, (expected, pk, reason))
        checked += 1
        expected, prev_hash = seq + 1, digest
    if expected <= last:
        return _Walk(
            checked,
            expected - 1,
            prev_hash,
            (expected, None, f"events {expected} to {last} are missing"),
        )
    return _Walk(checked, last, prev_hash)


def _walk_in_process(args) -> _Walk:
    from django.db import connections

    connections.close_all()  # a process of its own: a connection of its own
    return _walk(*args)


def _walk_all(first: int, last: int, prev_hash: str, workers: int) -> list[_Walk]:
    """Walk first..last in `workers` ranges side by side; each range starts from the hash its
    predecessor has in the table, which the walk of that predecessor checks."""
    if workers <= 1 or last - first < 2 * workers:
        return [_walk(first, last, prev_hash)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    bounds = [first + (last - first + 1) * i // workers for i in range(workers)] + [last + 1]
    starts = dict(
        AccessEvent.objects.filter(seq__in=[b - 1 for b in bounds[1:-1]]).values_list("seq", "hash")
    )
    ranges = []
    for i in range(workers):
        start_hash = prev_hash if i == 0 else starts.get(bounds[i] - 1)
        if start_hash is None:  # the event before this range is gone: the previous walk says so
            start_hash = ""
        ranges.append((bounds[i], bounds[i + 1] - 1, start_hash))
    connections.close_all()  # never share a connection with the processes
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_walk_in_process, ranges))


def verify_access_log(
    *,
    full: bool = False,
    workers: int | None = None,
    chunk_size: int = 20_000,
    checkpoints: bool = True,
    given_heads: tuple[tuple[str, checkpoint.Checkpoint], ...] = (),
) -> ChainReport:
    """Check the chain from the last verified checkpoint (from the first event with full),
    against the head written outside the database, and check the rows not sealed yet.
    Without checkpoints: the chain alone, from its first event, as a restored copy is checked
    before its checkpoints are re-baselined (`rebaseline_after_restore`). `given_heads`:
    heads a person read elsewhere (an auditor's e-mail, the log store), checked as well.

    Reads tuples, not objects; a long chain is walked in several processes."""
    report = ChainReport()
    key = settings.AUDIT_CHAIN_KEY.encode()
    start = None if full or not checkpoints else checkpoint.read(checkpoint.VERIFIED)
    expected, prev_hash = 1, ""
    if start is not None:
        kept = AccessEvent.objects.filter(seq=start.seq).values_list("hash", flat=True).first()
        if kept != start.hash:
            report.problem(
                f"event {start.seq}, verified before, is missing or changed: run with --full",
                seq=start.seq,
            )
            return report
        expected, prev_hash = start.seq + 1, start.hash
    report.first_seq = expected
    last = AccessEvent.objects.sealed().order_by("-seq").values_list("seq", flat=True).first()
    last_seq = start.seq if start else 0
    if last and last >= expected:
        if workers is None:
            workers = (os.cpu_count() or 1) if last - expected > PARALLEL_FROM else 1
        for walk in _walk_all(expected, last, prev_hash, workers):
            report.checked += walk.checked
            last_seq, prev_hash = walk.last_seq, walk.last_hash
            if walk.broken:
                seq, pk, reason = walk.broken
                where = f"event {seq} (row id {pk})" if pk else f"event {seq}"
                report.problem(f"{where}: {reason}", seq=seq, event_id=pk)
                break
        report.last_seq = last_seq if report.checked else 0
    if checkpoints and report.ok:
        for message, seq in head_problems(last_seq, [*witnessed_heads(), *given_heads]):
            report.problem(message, seq=seq)
    rejected = list(
        AccessEvent.objects.rejected().order_by("seq").values_list("id", flat=True)[:20]
    )
    if rejected := list(rejected):
        report.problem(
            "rows inserted outside the application (their MAC does not hold), never sealed: "
            + ", ".join(f"row id {pk}" for pk in rejected)
        )
    unsealed = AccessEvent.objects.unsealed().values_list("id", "mac", *CONTENT)
    for pk, mac, *content in unsealed.iterator(chunk_size=chunk_size):
        report.unsealed += 1
        if content_mac(tuple(content), key) != mac:
            report.problem(f"row id {pk}, not sealed yet: its MAC does not hold")
    if full:
        _check_listing_index(report)
    if report.ok and report.checked and checkpoints:
        checkpoint.write(checkpoint.VERIFIED, last_seq, prev_hash)
    return report


def chain_head() -> tuple[int, str] | None:
    """The last sealed event's sequence number and hash."""
    return AccessEvent.objects.sealed().order_by("-seq").values_list("seq", "hash").first()


class RebaselineRefused(Exception):
    """A re-baselining that would hide something: said why, nothing changed."""


def rebaseline_after_restore(
    *, approver, reason: str, backup_head: tuple[int, str] | None, backup_taken_at: str
) -> AccessEvent:
    """After the database was restored from a backup, the checkpoints kept outside it still
    name the head the log had reached before the disaster; the events since the backup are
    lost, and the nightly check would say so every night. The clinical lead signs off the
    restore: the restored chain is checked whole and must end exactly where the backup's did,
    the old checkpoints are kept aside (not overwritten), and an event in the chain itself
    says who approved it, why, and which events were lost. The log goes on from there.
    docs/operations.md, "Backups and restore"."""
    from accounts.roles import Role

    if not (approver.is_active and approver.has_role(Role.CLINICAL_LEAD)):
        raise RebaselineRefused("Only the clinical lead approves a re-baselining.")
    if not reason.strip():
        raise RebaselineRefused("Say why: the reason is recorded in the access log.")
    report = verify_access_log(full=True, checkpoints=False)
    if not report.ok:
        raise RebaselineRefused(
            "The restored access log is not intact: " + "; ".join(report.problems)
        )
    head = chain_head()
    if (tuple(head) if head else None) != (tuple(backup_head) if backup_head else None):
        raise RebaselineRefused(
            f"The restored access log ends at {head}, the backup's at {backup_head}: "
            "this is not the database the backup holds."
        )
    before = checkpoint.read(checkpoint.HEAD)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    checkpoint.supersede_verified(stamp)
    # The head goes back, on the record: every witness is told, and the lost head stays in
    # the history before this line.
    restored_seq, restored_hash = head or (0, "")
    witnesses.record(
        checkpoint.stamped(
            restored_seq,
            restored_hash,
            rebaseline={
                "stamp": stamp,
                "from_seq": before.seq if before else 0,
                "from_hash": before.hash if before else "",
            },
        ),
        every_seal=None,
    )
    lost = (
        f"events {head[0] + 1 if head else 1} to {before.seq} (head of {before.at}) lost"
        if before and before.seq > (head[0] if head else 0)
        else "no event lost"
    )
    event = _event(
        actor=approver,
        action=Action.REBASELINE,
        object_type="audit.chain",
        object_id=stamp,
        label=f"Restored from the backup of {backup_taken_at}; {lost}; {reason.strip()}"[:200],
    )
    event.save()
    while seal_access_log():
        pass
    after = verify_access_log(full=True)
    if not after.ok:  # cannot happen after the check above, unless written to meanwhile
        raise RebaselineRefused("; ".join(after.problems))
    event.refresh_from_db()
    return event


_LISTING_INDEX_CHECK = """
SELECT coalesce(e.id, x.event_id) FROM audit_accessevent e
FULL JOIN (SELECT event_id, count(*) AS n, sum(patient_id) AS total,
                  sum(patient_id::numeric * patient_id) AS squares
           FROM audit_accesseventpatient GROUP BY event_id) x ON x.event_id = e.id
WHERE (e.patient_ids <> '' OR x.event_id IS NOT NULL)
  AND (e.id IS NULL OR x.event_id IS NULL
       OR x.n <> cardinality(string_to_array(e.patient_ids, ','))
       OR (x.total, x.squares) <> (SELECT sum(v::bigint), sum(v::numeric * v::numeric)
                                   FROM unnest(string_to_array(e.patient_ids, ',')) v))
ORDER BY 1 LIMIT 20
"""


def _check_listing_index(report: ChainReport) -> None:
    """Every listing's patients are in the index, and nothing else is. On PostgreSQL one
    set-based query compares, per listing, the count, sum and sum of squares of the ids."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LISTING_INDEX_CHECK)
            differing = [row[0] for row in cursor.fetchall()]
    else:
        listings = dict(
            AccessEvent.objects.exclude(patient_ids="").values_list("id", "patient_ids")
        )
        indexed: dict[int, list[int]] = {}
        for event_id, patient_id in AccessEventPatient.objects.values_list(
            "event_id", "patient_id"
        ).iterator(chunk_size=50_000):
            indexed.setdefault(event_id, []).append(patient_id)
        differing = [
            event_id
            for event_id in sorted(listings.keys() | indexed.keys())
            if ",".join(map(str, sorted(indexed.get(event_id, [])))) != listings.get(event_id, "")
        ]
    for event_id in differing:
        report.problem(f"row id {event_id}: the index of listed patients differs from it")


def raise_integrity_alert(problems: list[str]) -> IntegrityAlert:
    """The check failed: an alert on the auditor's and the lead's pages, and an e-mail to each
    of them (after the commit). Row numbers and ranges only, as the check reports them."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role
    from common import outbox

    alert = IntegrityAlert.objects.create(problems="\n".join(problems))
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[Role.AUDITOR, Role.CLINICAL_LEAD])
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("The access log failed its integrity check")
        body = gettext(
            "The nightly check of the access log found problems. Until they are explained, "
            "the log cannot be relied on as evidence. See the access log page.\n\n%(problems)s"
        ) % {"problems": alert.problems}
    if recipients:  # kept with the alert, sent by a worker (common.outbox)
        outbox.queue(to=recipients, subject=subject, body=body, purpose=subject)
    return alert


@dataclass(frozen=True)
class ChainStatus:
    """Where the access log's chain stands, for the operations page."""

    sealed_to: int | None  # the last event sealed (its sequence number)
    sealed_at: datetime.datetime | None  # when a sealing run last reached further
    verified_at: datetime.datetime | None  # when the chain was last checked
    unsealed: int  # events written and not sealed yet (sealed within the minute)


def _when(point) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(point.at) if point and point.at else None


def last_verified_at() -> datetime.datetime | None:
    """When the last check found the log intact (read outside the database: no query)."""
    return _when(checkpoint.read(checkpoint.VERIFIED))


def chain_status() -> ChainStatus:
    head = checkpoint.read(checkpoint.HEAD)
    return ChainStatus(
        sealed_to=head.seq if head else None,
        sealed_at=_when(head),
        verified_at=last_verified_at(),
        unsealed=AccessEvent.objects.unsealed().count(),
    )


def open_integrity_alerts() -> list[IntegrityAlert]:
    return list(IntegrityAlert.objects.filter(resolved_at__isnull=True))
