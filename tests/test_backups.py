"""Backups and restore (docs/operations.md, "Backups and restore"): a seeded PostgreSQL database
backed up, restored into a new one as an administrator would (`manage.py restore` with
DATABASE_URL pointing at it), and compared row for row and event for event."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AccessEvent
from audit.sealing import seal_access_log
from common.models import BackupRecord
from documents.services import document_upload
from tests.documents.files import PDF, stored, upload  # noqa: F401 (fixture)
from workspace.backups import Target

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("backups are made of PostgreSQL; CI's PostgreSQL run covers them")
    return Target.configured()


@pytest.fixture
def empty_database(postgresql):
    """A new, empty database beside the test database, dropped afterwards."""
    name = f"{postgresql.name}_restored"
    with psycopg.connect(_url(postgresql, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_url(postgresql, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(target: Target, name: str) -> str:
    password = f":{target.password}" if target.password else ""
    host, port = target.host or "127.0.0.1", target.port or 5432
    return f"postgres://{target.user}{password}@{host}:{port}/{name}"


def _manage(*arguments: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _rows(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _chain(url: str) -> list[tuple]:
    with psycopg.connect(url) as db:
        return db.execute(
            "SELECT seq, prev_hash, hash, mac FROM audit_accessevent ORDER BY id"
        ).fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_holds_every_row_and_the_whole_chain(
    postgresql, empty_database, patient, treating_psychologist, client_for, tmp_path
):
    # A clinic in use: pages read (access events), sealed.
    client = client_for(treating_psychologist)
    for _ in range(3):
        assert client.get(patient.get_absolute_url()).status_code == 200
    while seal_access_log():
        pass

    call_command("backup", to=tmp_path / "backups")

    [folder] = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    source = _url(postgresql, postgresql.name)
    assert manifest["access_log_head"][0] == AccessEvent.objects.sealed().count()
    assert BackupRecord.objects.get().head_seq == manifest["access_log_head"][0]

    restored = _manage("restore", str(folder), database_url=_url(postgresql, empty_database))

    assert restored.returncode == 0, restored.stderr
    assert "the access log's chain holds" in restored.stdout
    target = _url(postgresql, empty_database)
    expected = {**_rows(source), "common_backuprecord": 0}  # recorded after the dump
    assert _rows(target) == expected
    assert _chain(target) == _chain(source)


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_database_in_use_and_a_dump_that_changed(
    postgresql, empty_database, patient, tmp_path
):
    call_command("backup", to=tmp_path / "backups")
    [folder] = (tmp_path / "backups").iterdir()

    into_the_live_one = _manage(
        "restore", str(folder), database_url=_url(postgresql, postgresql.name)
    )
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    changed = _manage("restore", str(folder), database_url=_url(postgresql, empty_database))

    assert into_the_live_one.returncode != 0
    assert "is not empty. Restore into a new, empty database" in into_the_live_one.stderr
    assert changed.returncode != 0 and "not the file the backup wrote" in changed.stderr
    assert _rows(_url(postgresql, empty_database)) == {}  # nothing was restored


def test_the_embedded_database_is_not_backed_up_this_way(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the refusal is the embedded SQLite database's")

    with pytest.raises(CommandError, match="Backups are made of PostgreSQL"):
        call_command("backup", to=tmp_path / "backups")

    assert not (tmp_path / "backups").exists()


@pytest.mark.django_db(transaction=True)
def test_the_documents_bytes_are_backed_up_linked_the_next_night_and_restored(
    postgresql, empty_database, patient, treating_psychologist, stored, tmp_path
):
    document = document_upload(
        actor=treating_psychologist,
        patient=patient,
        kind="court_decision",
        dated=patient.created_at.date(),
        upload=upload(),
    )
    call_command("backup", to=tmp_path / "backups")
    [first] = (tmp_path / "backups").iterdir()
    copy = first / "documents" / document.stored_as
    assert copy.read_bytes() == PDF
    assert json.loads((first / "manifest.json").read_text())["documents"] == {
        "folder": "documents",
        "files": 1,
        "linked": 0,
        "missing": [],
        "differ": [],
    }

    # The next night: the same bytes, linked from the night before (a document never changes).
    (tmp_path / "backups" / "clinic-00000000T000000Z").mkdir()  # an older, unrelated folder
    time.sleep(1.1)  # a backup's folder is named to the second
    call_command("backup", to=tmp_path / "backups")
    second = max((tmp_path / "backups").glob("clinic-2*"))
    assert second != first
    assert (second / "documents" / document.stored_as).stat().st_ino == copy.stat().st_ino

    # Restored on a new machine: the database, and the documents into its empty storage.
    new_storage = tmp_path / "new-machine-documents"
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(second)],
        env={
            **os.environ,
            "DATABASE_URL": _url(postgresql, empty_database),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DOCUMENTS_STORAGE_OPTIONS": json.dumps({"location": str(new_storage)}),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert restored.returncode == 0, restored.stderr
    assert "Documents put back into their storage: 1." in restored.stdout
    assert (new_storage / document.stored_as).read_bytes() == PDF


@pytest.mark.django_db(transaction=True)
def test_a_document_missing_from_the_storage_is_named_and_the_backup_kept(
    postgresql, patient, treating_psychologist, stored, tmp_path, capsys
):
    document = document_upload(
        actor=treating_psychologist,
        patient=patient,
        kind="consent",
        dated=patient.created_at.date(),
        upload=upload(),
    )
    (stored / document.stored_as).unlink()  # lost from the disk

    call_command("backup", to=tmp_path / "backups")

    [folder] = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["documents"]["missing"] == [document.stored_as]
    assert (folder / "database.dump").stat().st_size > 0
    assert f"1 documents missing from the storage: {document.stored_as}" in capsys.readouterr().err

    # Found again and put back where it was: the next night's backup holds it, missing nothing.
    (stored / document.stored_as).write_bytes(PDF)
    time.sleep(1.1)  # a backup's folder is named to the second
    call_command("backup", to=tmp_path / "backups")
    latest = max((tmp_path / "backups").iterdir())
    assert json.loads((latest / "manifest.json").read_text())["documents"]["missing"] == []
    assert (latest / "documents" / document.stored_as).read_bytes() == PDF
