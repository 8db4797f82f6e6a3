"""Locks that make a check and the write it guards one step.

Scheduling checks who (and which room) is free, then books: two requests for the same person
or room at the same moment would both pass the check. Each booking first takes a lock per
person and room involved, held until its transaction ends, so the second waits, then sees the
first one's appointment.
"""

from collections.abc import Iterable

from django.db import connection

# The first key of PostgreSQL's two-key advisory locks: one number per kind of thing locked.
_CLINICIAN, _PATIENT, _ROOM = 0x5C4E0001, 0x5C4E0002, 0x5C4E0003
_INT4 = 2**31 - 1


def lock_for_scheduling(
    *, clinician_ids: Iterable[int], patient_ids: Iterable[int], room_ids: Iterable[int] = ()
) -> None:
    """Hold, until the transaction ends, the scheduling lock of each clinician, patient and
    room.

    Taken in one statement and in a fixed order, so two bookings never deadlock. Ids past 2^31
    share a lock with a smaller one: that only makes two bookings queue, never both pass.
    On SQLite there is nothing to do: an IMMEDIATE transaction holds the database's only write
    lock from its first statement, so bookings already run one after the other.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {(_CLINICIAN, pk % _INT4) for pk in clinician_ids}
        | {(_PATIENT, pk % _INT4) for pk in patient_ids}
        | {(_ROOM, pk % _INT4) for pk in room_ids}
    )
    if not keys:
        return
    values = ", ".join(["(%s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_advisory_xact_lock(k, o) FROM (VALUES {values}) AS keys(k, o) "  # noqa: S608 - placeholders only
            "ORDER BY k, o",
            [part for key in keys for part in key],
        )
