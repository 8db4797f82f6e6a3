"""Backups of the clinic's PostgreSQL database, and their restore (docs/operations.md,
"Backups and restore").

A backup is a folder: `database.dump` (pg_dump's custom format), `documents/` (the bytes of
every document on the files, which live outside the database: docs/documents.md) and
`manifest.json`, which says when it was taken, the SHA-256 of the dump, how many rows each table
held and where the access log's chain ended: all read in the very snapshot pg_dump writes, so
that a restore can be checked against them row for row. A document is never changed, so one
already in the previous backup is hard-linked from it, not copied again. The keys (SECRET_KEY,
AUDIT_CHAIN_KEY, the seal's certificate) and the access log's checkpoints are not in it: they
are kept apart, each by those who must keep it.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connection
from django.utils import timezone

from common.models import BackupRecord
from documents.services import storage as documents_storage

DUMP, MANIFEST, DOCUMENTS = "database.dump", "manifest.json", "documents"


class BackupError(Exception):
    """Said to the person running the command; nothing was changed."""


@dataclass(frozen=True)
class Target:
    """A PostgreSQL database: what pg_dump, pg_restore and psycopg need to reach it."""

    name: str
    user: str
    password: str
    host: str
    port: str

    @classmethod
    def configured(cls) -> "Target":
        database = connection.settings_dict
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(
                "Backups are made of PostgreSQL. The embedded demo database is one file: "
                "copy it while the server is stopped."
            )
        return cls(
            name=database["NAME"],
            user=database.get("USER") or "",
            password=database.get("PASSWORD") or "",
            host=database.get("HOST") or "",
            port=str(database.get("PORT") or ""),
        )

    def arguments(self) -> list[str]:
        pairs = (("--host", self.host), ("--port", self.port), ("--username", self.user))
        return [item for flag, value in pairs if value for item in (flag, value)]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": self.password} if self.password else dict(os.environ)

    def connect(self) -> psycopg.Connection:
        parts = {
            "dbname": self.name,
            "user": self.user,
            "password": self.password,
            "host": self.host,
            "port": self.port,
        }
        return psycopg.connect(**{key: value for key, value in parts.items() if value})


def _run(tool: str, arguments: list[str], target: Target) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (Debian: postgresql-client).")
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [executable, *arguments],
        env=target.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _tables(db: psycopg.Connection) -> list[str]:
    rows = db.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [name for (name,) in rows]


def _counts(db: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    return {
        table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        for table in tables
    }


def _head(db: psycopg.Connection) -> list | None:
    row = db.execute(
        "SELECT seq, hash FROM audit_accessevent WHERE seq > 0 ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return list(row) if row else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(directory: Path) -> Path:
    """A new backup folder in `directory`; returns it. The counts and the head are read in the
    snapshot pg_dump then writes (an exported snapshot), so they describe the dump exactly,
    however busy the clinic is meanwhile."""
    target = Target.configured()
    taken_at = timezone.now()
    folder = directory / f"clinic-{taken_at:%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True)
    with target.connect() as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # Held open while pg_dump reads: production's idle limit must not end it.
        db.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
        db.execute("SET LOCAL statement_timeout = 0")
        snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = _tables(db)
        counts, head = _counts(db, tables), _head(db)
        documents = db.execute(
            "SELECT stored_as, sha256 FROM documents_document ORDER BY id"
        ).fetchall()
        dump = folder / DUMP
        _run(
            "pg_dump",
            [
                *target.arguments(),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                target.name,
            ],
            target,
        )
        db.execute("COMMIT")
    earlier = sorted(p for p in directory.glob("clinic-*") if p < folder and p.is_dir())
    copied = _copy_documents(documents, folder / DOCUMENTS, earlier[-1] if earlier else None)
    manifest = {
        "taken_at": taken_at.isoformat(),
        "database": target.name,
        "dump": {"file": DUMP, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
        "rows": counts,
        "access_log_head": head,
        "documents": {"folder": DOCUMENTS, **copied},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    BackupRecord.objects.create(
        taken_at=taken_at,
        name=folder.name,
        size_bytes=manifest["dump"]["bytes"],
        head_seq=head[0] if head else None,
    )
    return folder


def _copy_documents(documents: list, into: Path, earlier: Path | None) -> dict:
    """Each document's bytes into the backup: hard-linked from the earlier backup when it has
    them (a document never changes), else read from the storage and checked against the
    SHA-256 its row keeps. Those missing or not matching are named, not fatal: the database's
    backup is worth keeping whatever became of one file."""
    files = linked = 0
    missing, differ = [], []
    for name, expected in documents:
        copy = into / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        before = earlier / DOCUMENTS / name if earlier else None
        if before is not None and before.is_file():
            os.link(before, copy)
            files, linked = files + 1, linked + 1
            continue
        try:
            with documents_storage().open(name, "rb") as source, copy.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        except OSError:
            copy.unlink(missing_ok=True)
            missing.append(name)
            continue
        if _sha256(copy) != expected:
            copy.unlink()
            differ.append(name)
            continue
        files += 1
    return {"files": files, "linked": linked, "missing": missing, "differ": differ}


def _restore_documents(folder: Path, documents: list) -> tuple[int, list[str]]:
    """The documents' bytes back into the storage, for every document the restored database
    names; those already there are left as they are. Returns (restored, missing)."""
    restored, missing = 0, []
    store = documents_storage()
    for name, expected in documents:
        if store.exists(name):
            continue
        copy = folder / DOCUMENTS / name
        if not copy.is_file() or _sha256(copy) != expected:
            missing.append(name)
            continue
        with copy.open("rb") as source:
            store.save(name, source)
        restored += 1
    return restored, missing


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {error}") from error


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    head: list | None
    taken_at: datetime.datetime
    documents: int
    documents_missing: list[str]


def restore(folder: Path) -> Restored:
    """Restore the backup into the configured database, which must be empty (a new one), then
    check it against the manifest: every table's rows, and where the access log ends."""
    target = Target.configured()
    manifest = read_manifest(folder)
    dump = folder / manifest["dump"]["file"]
    if not dump.exists() or _sha256(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} is missing or not the file the backup wrote (SHA-256).")
    with target.connect() as db:
        if _tables(db):
            raise BackupError(
                f"The database {target.name} is not empty. Restore into a new, empty database "
                "(createdb), and point DATABASE_URL at it."
            )
    _run(
        "pg_restore",
        [
            *target.arguments(),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={target.name}",
            str(dump),
        ],
        target,
    )
    with target.connect() as db:
        counts, head = _counts(db, list(manifest["rows"])), _head(db)
    differ = {
        table: (expected, counts[table])
        for table, expected in manifest["rows"].items()
        if counts[table] != expected
    }
    if differ:
        raise BackupError(f"Rows differ from the backup's (expected, restored): {differ}")
    if head != manifest["access_log_head"]:
        raise BackupError(
            f"The access log ends at {head}, the backup's at {manifest['access_log_head']}."
        )
    with target.connect() as db:
        named = db.execute("SELECT stored_as, sha256 FROM documents_document").fetchall()
    # Outside any transaction: the storage may be the network.
    documents, missing = _restore_documents(folder, named)
    return Restored(
        tables=len(counts),
        rows=sum(counts.values()),
        head=head,
        taken_at=datetime.datetime.fromisoformat(manifest["taken_at"]),
        documents=documents,
        documents_missing=missing,
    )
