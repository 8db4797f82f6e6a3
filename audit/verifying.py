"""The verifier: the chain from its first event (or the last check), against the witnessed
heads, the rejected and pending rows, and the listing index; the re-baselining after a restore;
where the chain stands, for the operations page."""

import datetime
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit import checkpoint, witnesses
from audit.models import (
    CONTENT,
    AccessEvent,
    AccessEventPatient,
    content_mac,
    link_hash,
)
from audit.sealing import chain_head, head_problems, seal_access_log, witnessed_heads
from audit.services import Action, _event


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
    from audit.permissions import can_approve_rebaselining

    if not can_approve_rebaselining(approver):
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
