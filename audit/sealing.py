"""The sealer: chains the committed events in order, and keeps the head moving forward only
(audit/checkpoint.py, audit/witnesses.py; docs/security.md, "The access log's threat model")."""

import logging

from django.conf import settings
from django.db import connection, transaction

from audit import checkpoint, witnesses
from audit.alerts import raise_integrity_alert
from audit.models import (
    CONTENT,
    AccessEvent,
    IntegrityAlert,
    content_mac,
    link_hash,
)

logger = logging.getLogger(__name__)

# Any fixed number: the key of the PostgreSQL advisory lock that serialises sealers.
_SEAL_LOCK_KEY = 7_270_000_001


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
    if rows or (last and checkpoint.read(checkpoint.HEAD) is None):  # or a history to start
        head = checkpoint.stamped(seq, prev_hash)
        # After the commit: a witness may be a network call, and must name committed rows.
        transaction.on_commit(lambda: witnesses.record(head))
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


def chain_head() -> tuple[int, str] | None:
    """The last sealed event's sequence number and hash."""
    return AccessEvent.objects.sealed().order_by("-seq").values_list("seq", "hash").first()
