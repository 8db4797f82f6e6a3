"""Access-log rows for the benchmarks, written the fast way (COPY on PostgreSQL) with genuine
MACs: one event in ten a listing of 25 patients, the others a patient's page. Import after
django.setup().

- bench/access_log.py leaves them unsealed, to measure sealing and verifying;
- bench/scale.py seals them as it writes (the chain computed here, as `seal_access_log` would)
  and records the head as sealed and verified, as the nights before would have: the log of a
  clinic in use, which the pages and the daily tasks then meet.
"""

import datetime
import random
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from audit import checkpoint
from audit.models import CONTENT, AccessEvent, AccessEventPatient, content_mac, link_hash
from audit.sealing import seal_access_log

BATCH = 50_000


def fill_log(total: int, *, patients: list[tuple[int, str]], sealed: bool = False) -> None:
    """`total` events over the year before now about the (id, file number) pairs given."""
    users = list(get_user_model().objects.values_list("pk", "username"))
    key = settings.AUDIT_CHAIN_KEY.encode()
    if sealed:  # the chain goes on from the events already written
        while seal_access_log():
            pass
        head = AccessEvent.objects.sealed().order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = head or (0, "")
    start_id = (AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    start = timezone.now() - datetime.timedelta(days=365)
    step = datetime.timedelta(days=365) / max(total, 1)
    rng = random.Random(start_id)
    events, listed = [], []
    for i in range(total):
        pk = start_id + i
        user_id, username = rng.choice(users)
        if i % 10 == 0:
            ids = sorted({rng.choice(patients)[0] for _ in range(25)})
            row = {
                "patient_id": None,
                "file_number": "",
                "object_type": "casework.patient",
                "object_id": "",
                "label": "Patient list, page 1",
                "action": "list",
                "patient_ids": ",".join(map(str, ids)),
            }
            listed += [(pk, patient_id) for patient_id in ids]
        else:
            patient_id, file_number = rng.choice(patients)
            row = {
                "patient_id": patient_id,
                "file_number": file_number,
                "object_type": "casework.patient",
                "object_id": str(patient_id),
                "label": f"Patient {file_number}",
                "action": "view",
                "patient_ids": "",
            }
        row.update(
            nonce=uuid.uuid4().hex,
            occurred_at=start + i * step,
            user_id=user_id,
            username=username,
            role="psychologist",
            request_id=uuid.uuid4().hex,
            client_address="10.0.0.1",
        )
        mac = content_mac(tuple(row[name] for name in CONTENT), key)
        chain = (None, "", "")
        if sealed:
            seq += 1
            digest = link_hash(seq, prev_hash, mac, key)
            chain, prev_hash = (seq, prev_hash, digest), digest
        events.append((pk, *(row[name] for name in CONTENT), mac, *chain))
        if len(events) >= BATCH:
            _write(events, listed)
            events, listed = [], []
    _write(events, listed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("audit_accessevent", "audit_accesseventpatient"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    if sealed and total:
        checkpoint.write(checkpoint.HEAD, seq, prev_hash)
        checkpoint.write(checkpoint.VERIFIED, seq, prev_hash)


def _write(events, listed) -> None:
    columns = ["id", *CONTENT, "mac", "seq", "prev_hash", "hash"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY audit_accessevent ({', '.join(columns)}) FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
            with cursor.copy(
                "COPY audit_accesseventpatient (event_id, patient_id) FROM STDIN"
            ) as copy:
                for row in listed:
                    copy.write_row(row)
    else:
        AccessEvent.objects.bulk_create(
            [AccessEvent(**dict(zip(columns, row, strict=True))) for row in events],
            batch_size=2000,
        )
        AccessEventPatient.objects.bulk_create(
            [AccessEventPatient(event_id=e, patient_id=p) for e, p in listed], batch_size=5000
        )
