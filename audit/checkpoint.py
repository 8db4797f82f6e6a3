"""What the access log keeps outside the database: the history of the chain's heads, and the
point the last check reached.

Someone who can write to the database can delete the newest rows, or put an older copy back,
and leave a chain that is intact as far as it goes. So every sealing run appends the head it
reached (sequence and hash, with the time) to a history kept in files, one JSON line per head,
a file per month, never rewritten. The sealer refuses to go on from a table that does not
extend the latest head (sealing.seal_access_log), `audit_verify` compares the table with it,
and a legitimate restore appends a line that says so (verifying.rebaseline_after_restore).

The files live in AUDIT_CHECKPOINT_DIR (default: VAR_DIR). Further copies of each head, out of
the reach of whoever runs the server, are the witnesses (audit/witnesses.py).
docs/security.md, "The access log's threat model".
"""

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("audit.checkpoint")

HEAD, VERIFIED = "head", "verified"
# How much of a history file's end is read first for its latest head (a line is ~150 bytes).
TAIL_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str = ""
    # Set on the head a re-baselining put back: {"from_seq", "from_hash", "stamp"}.
    rebaseline: dict = field(default_factory=dict)

    def as_json(self) -> str:
        data = {"seq": self.seq, "hash": self.hash, "at": self.at}
        if self.rebaseline:
            data["rebaseline"] = self.rebaseline
        return json.dumps(data, sort_keys=True)


def _parse(text: str) -> Checkpoint | None:
    try:
        data = json.loads(text)
        return Checkpoint(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data.get("at", "")),
            rebaseline=dict(data.get("rebaseline") or {}),
        )
    except (ValueError, KeyError, TypeError):
        return None


# --- The history of heads -------------------------------------------------------------------


class HeadHistory:
    """Heads appended to `heads-YYYY-MM.jsonl` files in a folder; the latest is the last line
    of the newest file. Appends only: a line once written is never changed."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("heads-*.jsonl")) if self.folder.is_dir() else []

    def __iter__(self) -> Iterator[Checkpoint]:
        for path in self._files():
            for line in path.read_text().splitlines():
                if head := _parse(line):
                    yield head

    def latest(self) -> Checkpoint | None:
        """Read from the end of the newest file (every sealing run asks; a month holds
        thousands of lines), further back only past lines a crash left torn."""
        for path in reversed(self._files()):
            with path.open("rb") as file:
                size = file.seek(0, os.SEEK_END)
                tail = TAIL_BYTES
                while True:
                    file.seek(max(0, size - tail))
                    lines = file.read().decode(errors="replace").splitlines()
                    if size > tail:
                        lines = lines[1:]  # the first may be cut
                    for line in reversed(lines):
                        if head := _parse(line):
                            return head
                    if tail >= size:
                        break
                    tail *= 8
        return None

    def advance(self, head: Checkpoint) -> bool:
        """Append `head` unless the history already reached it (two sealers may finish in
        either order); a re-baselining's head is always appended."""
        current = self.latest()
        if head.rebaseline or current is None or head.seq > current.seq:
            self.append(head)
            return True
        return False

    def append(self, head: Checkpoint) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        month = timezone.now().strftime("%Y-%m")
        fd = os.open(self.folder / f"heads-{month}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, (head.as_json() + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)


def heads_folder() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / "heads"


def heads() -> Iterator[Checkpoint]:
    """Every head the sealer reached, oldest first (re-baselinings included)."""
    return iter(HeadHistory(heads_folder()))


def stamped(seq: int, hash: str, **extra) -> Checkpoint:
    return Checkpoint(seq=seq, hash=hash, at=timezone.now().isoformat(), **extra)


# --- The point the last check reached -------------------------------------------------------


def _path(kind: str) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"audit-{kind}.json"


def read(kind: str) -> Checkpoint | None:
    """The latest head (HEAD), or the point the last check reached (VERIFIED)."""
    if kind == HEAD:
        return HeadHistory(heads_folder()).latest()
    try:
        return _parse(_path(kind).read_text())
    except FileNotFoundError:
        return None


def write(kind: str, seq: int, hash: str) -> None:
    """HEAD: append the head to the history, never one behind the latest (two sealers may
    finish in either order). VERIFIED: replace the file atomically."""
    if kind == HEAD:
        HeadHistory(heads_folder()).advance(stamped(seq, hash))
        return
    path = _path(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(stamped(seq, hash).as_json())
    os.replace(tmp.name, path)


def supersede_verified(stamp: str) -> Path | None:
    """After a restore, the last check's point is kept aside, renamed with `stamp`, never
    deleted (verifying.rebaseline_after_restore)."""
    path = _path(VERIFIED)
    if not path.exists():
        return None
    target = path.with_name(f"audit-{VERIFIED}.superseded-{stamp}.json")
    os.replace(path, target)
    logger.warning("access log verified checkpoint superseded, kept as %s", target.name)
    return target
