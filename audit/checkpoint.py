"""The chain's head, kept outside the database.

Someone who can write to the database can delete the newest rows, or empty the table, and
leave a chain that is intact as far as it goes. So every sealing run writes the head it
reached (sequence and hash) to a file and to the log output; `audit_verify` compares the table
with the latest checkpoint, and a table that ends before it has lost rows.

The file lives in AUDIT_CHECKPOINT_DIR (default: VAR_DIR). With sealers on several machines,
point it at storage they share and that the database's administrators cannot write, or rely
on the log lines shipped to a log store (docs/operations.md).
"""

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("audit.checkpoint")

HEAD, VERIFIED = "head", "verified"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str = ""


def _path(kind: str) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"audit-{kind}.json"


def read(kind: str) -> Checkpoint | None:
    try:
        data = json.loads(_path(kind).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return Checkpoint(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data.get("at", "")))


def supersede(stamp: str) -> list[Path]:
    """Keep the checkpoints aside, renamed with `stamp`, never deleted: after a restore, the
    head the log had reached before the disaster stays on record (services.
    rebaseline_after_restore)."""
    kept = []
    for kind in (HEAD, VERIFIED):
        path = _path(kind)
        if path.exists():
            target = path.with_name(f"audit-{kind}.superseded-{stamp}.json")
            os.replace(path, target)
            logger.warning("access log %s checkpoint superseded, kept as %s", kind, target.name)
            kept.append(target)
    return kept


def write(kind: str, seq: int, hash: str) -> None:
    """Replace the checkpoint atomically, never with an older one (two sealers may finish in
    either order)."""
    current = read(kind)
    if current is not None and current.seq >= seq and kind == HEAD:
        return
    path = _path(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"seq": seq, "hash": hash, "at": timezone.now().isoformat()}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(data, tmp)
    os.replace(tmp.name, path)
    if kind == HEAD:
        logger.info("access log head: seq=%s hash=%s", seq, hash)
