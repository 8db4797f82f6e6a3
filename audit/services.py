"""The one writer of the access log, its sealer and its verifier."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction

from audit import context
from audit.models import AccessEvent

Action = AccessEvent.Action

# Any fixed number: the key of the PostgreSQL advisory lock that serialises sealers.
_SEAL_LOCK_KEY = 7_270_000_001


def _actor_fields(actor) -> dict:
    if actor is None or not actor.is_authenticated:
        return {"user": None, "username": "", "role": ""}
    return {"user": actor, "username": actor.get_username(), "role": actor.role or ""}


def _request_fields() -> dict:
    ctx = context.current()
    if ctx is None:
        return {"request_id": "", "client_address": None}
    return {"request_id": ctx.request_id, "client_address": ctx.client_address}


def _seal_after_commit() -> None:
    from audit.tasks import seal_access_log

    seal_access_log.delay()


def _schedule_seal() -> None:
    """Seal once after the transaction commits, however many events it wrote."""
    if connection.in_atomic_block and any(
        callback is _seal_after_commit for _, callback, _ in connection.run_on_commit
    ):
        return
    # robust: a sealing failure must not fail the user's committed work; the beat retries.
    transaction.on_commit(_seal_after_commit, robust=True)


def record_access(
    *,
    actor,
    action: str,
    patient=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    username: str = "",
) -> AccessEvent:
    """Log one access. Identifiers only: never put health content in an event."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    fields = _actor_fields(actor)
    if username:
        fields["username"] = username
    event = AccessEvent.objects.create(
        **fields,
        **_request_fields(),
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        action=action,
    )
    _schedule_seal()
    return event


def record_listing(*, actor, patients: Iterable) -> None:
    """Log that a page or an endpoint listed these patients (once each), in one INSERT."""
    fields = {**_actor_fields(actor), **_request_fields()}
    unique = {patient.pk: patient for patient in patients}
    events = [
        AccessEvent(
            **fields,
            patient=patient,
            object_type="casework.patient",
            object_id=str(patient.pk),
            action=Action.LIST,
        )
        for patient in unique.values()
    ]
    if events:
        AccessEvent.objects.bulk_create(events)
        _schedule_seal()


@transaction.atomic
def seal_access_log(*, batch_size: int = 5000) -> int:
    """Chain the committed, unsealed events in id order. Returns how many were sealed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
    # (SQLite: the IMMEDIATE transaction already holds the database's only write lock.)
    last = AccessEvent.objects.sealed().order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = last if last else (0, "")
    pending = list(AccessEvent.objects.unsealed().order_by("id")[:batch_size])
    for event in pending:
        seq += 1
        event.seq = seq
        event.prev_hash = prev_hash
        event.hash = prev_hash = event.compute_hash()
    # A plain QuerySet: AccessEventQuerySet refuses updates, sealing is the one exception.
    models.QuerySet(model=AccessEvent).bulk_update(pending, ["seq", "prev_hash", "hash"])
    return len(pending)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    unsealed: int
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_access_log() -> ChainReport:
    """Walk the chain from the first sealed event; stop at the first broken link."""
    expected_seq, prev_hash, checked = 1, "", 0
    events = AccessEvent.objects.sealed().order_by("seq").iterator(chunk_size=2000)
    unsealed = AccessEvent.objects.unsealed().count()
    for event in events:
        reason = ""
        if event.seq != expected_seq:
            reason = f"event {expected_seq} is missing"
        elif event.prev_hash != prev_hash:
            reason = "does not point to the previous event"
        elif event.hash != event.compute_hash():
            reason = "content does not match its seal"
        if reason:
            return ChainReport(checked, unsealed, expected_seq, event.pk, reason)
        checked += 1
        expected_seq += 1
        prev_hash = event.hash
    return ChainReport(checked, unsealed)
