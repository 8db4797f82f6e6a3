"""The chain's head, kept outside the database, only moves forward along the chain: the
application's own sealing after an attack must not hide it (docs/security.md, "The access
log's threat model"). Each test attacks, then lets the clinic keep working, then checks."""

import json
import socket

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from audit import checkpoint, witnesses
from audit.models import AccessEvent, IntegrityAlert
from audit.sealing import chain_head, seal_access_log
from audit.tasks import witness_head
from audit.verifying import verify_access_log
from common.models import OutboxMessage
from tests.audit.test_access_log import behind_the_apps_back

pytestmark = pytest.mark.django_db(transaction=True)


def seal_all() -> int:
    """As the worker does after each commit, the witnesses' writes included."""
    total = 0
    while sealed := seal_access_log():
        total += sealed
    return total


def ordinary_use(client, patient, times=3) -> int:
    """Pages the clinic opens, then sealing: how far the chain's head moved on."""
    before = (chain_head() or (0,))[0]
    for _ in range(times):
        assert client.get(patient.get_absolute_url()).status_code == 200
    seal_all()
    return (chain_head() or (0,))[0] - before


@pytest.fixture
def clinic(patient, treating_psychologist, client_for):
    client = client_for(treating_psychologist)
    ordinary_use(client, patient)
    return client


def delete_from(seq: int) -> None:
    """What a restore of an older backup, or an insider deleting the newest rows, leaves."""
    behind_the_apps_back("DELETE FROM audit_accessevent WHERE seq >= %s", [seq])


# --- The head only moves forward ------------------------------------------------------------


def test_every_head_is_kept_with_its_time(clinic, patient):
    before = len(list(checkpoint.heads()))
    ordinary_use(clinic, patient)

    kept = list(checkpoint.heads())

    assert len(kept) > before >= 1
    assert [head.seq for head in kept] == sorted({head.seq for head in kept})
    assert kept[-1].seq == chain_head()[0]
    assert all(head.at for head in kept)


def test_newest_rows_deleted_then_ordinary_use_the_sealer_refuses_and_the_check_names_them(
    clinic, patient
):
    head_seq = chain_head()[0]
    delete_from(head_seq - 2)

    # The clinic keeps working: pages answer, events are written, but none is sealed over
    # the gap, and one alert (not one per sealing run) tells the auditor.
    assert ordinary_use(clinic, patient) == 0
    assert ordinary_use(clinic, patient) == 0
    assert AccessEvent.objects.unsealed().count() >= 6

    alert = IntegrityAlert.objects.get()
    assert f"events {head_seq - 2} to {head_seq} were removed" in alert.problems
    report = verify_access_log(full=True)
    assert not report.ok
    assert f"events {head_seq - 2} to {head_seq} were removed" in "; ".join(report.problems)
    with pytest.raises(CommandError, match="were removed"):
        call_command("audit_verify", "--full")


def test_an_older_backup_restored_then_ordinary_use_is_named_until_the_lead_rebaselines(
    clinic, patient, clinical_lead, tmp_path
):
    backup_seq, backup_hash = chain_head()
    ordinary_use(clinic, patient)  # the events the disaster will lose
    lost_head = chain_head()
    delete_from(backup_seq + 1)  # the database as the older backup holds it

    assert ordinary_use(clinic, patient) == 0
    report = verify_access_log(full=True)
    assert f"events {backup_seq + 1} to {lost_head[0]} were removed" in "; ".join(report.problems)

    # The legitimate way on: a recorded re-baselining, never a deleted head file.
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps(
            {"taken_at": "2026-12-07T02:00:00+00:00", "access_log_head": [backup_seq, backup_hash]}
        )
    )
    call_command(
        "audit_rebaseline", folder, approved_by=clinical_lead.username, reason="Disk failed."
    )

    assert ordinary_use(clinic, patient) > 0
    assert verify_access_log(full=True).ok
    kept = list(checkpoint.heads())
    assert lost_head[0] in {head.seq for head in kept}  # the lost head stays on record
    rebaselined = [head for head in kept if head.rebaseline]
    assert [(h.seq, h.rebaseline["from_seq"]) for h in rebaselined] == [(backup_seq, lost_head[0])]


def test_the_unsealed_events_written_meanwhile_are_sealed_after_the_rebaseline(
    clinic, patient, clinical_lead, tmp_path
):
    """The events the clinic wrote while the sealer refused are not lost: they are chained
    once the restore is signed off."""
    backup_seq, backup_hash = chain_head()
    ordinary_use(clinic, patient)
    delete_from(backup_seq + 1)
    ordinary_use(clinic, patient)
    waiting = set(AccessEvent.objects.unsealed().values_list("pk", flat=True))
    assert waiting
    # The restore's manifest names the head as it was; the waiting events must not block it.
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"taken_at": "2026-12-07", "access_log_head": [backup_seq, backup_hash]})
    )
    call_command("audit_rebaseline", folder, approved_by=clinical_lead.username, reason="Disk.")

    assert not AccessEvent.objects.filter(pk__in=waiting, seq__isnull=True).exists()
    assert verify_access_log(full=True).ok


# --- Witnesses --------------------------------------------------------------------------------


def test_a_second_witness_keeps_the_head_when_the_servers_own_is_deleted(
    patient, treating_psychologist, client_for, settings, tmp_path
):
    remote = tmp_path / "write-once-mount"
    settings.AUDIT_WITNESSES = ["file", f"file:{remote}"]
    clinic = client_for(treating_psychologist)
    ordinary_use(clinic, patient)
    head_seq = chain_head()[0]

    # Someone holding the database and the server: the newest rows and the head files go.
    delete_from(head_seq - 1)
    for path in checkpoint.heads_folder().iterdir():
        path.unlink()

    assert ordinary_use(clinic, patient) == 0
    report = verify_access_log(full=True)
    problems = "; ".join(report.problems)
    assert f"events {head_seq - 1} to {head_seq} were removed" in problems
    assert str(remote) in problems


def test_the_syslog_witness_sends_each_head(patient, treating_psychologist, client_for, settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        settings.AUDIT_WITNESSES = ["file", f"syslog:127.0.0.1:{server.getsockname()[1]}"]
        ordinary_use(client_for(treating_psychologist), patient, times=1)
        seq, digest = chain_head()

        lines = []
        while f"seq={seq} " not in "".join(lines):
            lines.append(server.recv(2048).decode())

    assert f"seq={seq} hash={digest}" in lines[-1]


def test_a_witness_that_fails_does_not_stop_the_clinic(
    patient, treating_psychologist, client_for, settings
):
    settings.AUDIT_WITNESSES = ["file", "syslog:host.invalid:514"]

    assert ordinary_use(client_for(treating_psychologist), patient) > 0
    assert verify_access_log(full=True).ok


def test_the_mail_witness_sends_the_head_to_the_auditor_once_a_day_not_at_every_seal(
    clinic, patient, auditor, settings
):
    settings.AUDIT_WITNESSES = ["file", "mail"]
    ordinary_use(clinic, patient)
    assert not OutboxMessage.objects.filter(subject__startswith="Access log head").exists()

    witness_head()

    seq, digest = chain_head()
    assert OutboxMessage.objects.filter(subject__startswith="Access log head").count() == 1
    (message,) = [m for m in mail.outbox if m.subject.startswith("Access log head")]
    assert message.to == [auditor.email]
    assert f"audit_verify --head {seq}:{digest}" in message.body


def test_audit_verify_checks_a_head_given_by_hand(clinic):
    seq, digest = chain_head()

    call_command("audit_verify", "--head", f"{seq}:{digest}")
    with pytest.raises(CommandError, match=f"event {seq} does not match"):
        call_command("audit_verify", "--head", f"{seq}:{'0' * 64}")
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit_verify", "--head", "garbage")


def test_the_witnesses_are_read_from_the_setting(settings, tmp_path):
    settings.AUDIT_WITNESSES = ["file", f"file:{tmp_path}", "syslog:logs.example.org:514", "mail"]

    names = [witness.name for witness in witnesses.configured()]

    assert names == [
        f"file {checkpoint.heads_folder()}",
        f"file {tmp_path}",
        "syslog logs.example.org:514",
        "mail to the auditors",
    ]
    settings.AUDIT_WITNESSES = ["nonsense"]
    with pytest.raises(ValueError, match="nonsense"):
        witnesses.configured()


def test_no_witness_is_called_inside_the_sealing_transaction(clinic, monkeypatch, settings):
    """A witness may be a network call (syslog): it is given the head after the commit, also
    when the sealer starts the history of a log sealed before it existed."""
    settings.AUDIT_WITNESSES = ["file", "syslog:127.0.0.1:9"]
    calls = []
    monkeypatch.setattr(
        witnesses.SyslogWitness,
        "record",
        lambda self, head: calls.append(connection.in_atomic_block),
    )
    for path in checkpoint.heads_folder().iterdir():
        path.unlink()  # the history starts anew from the sealed table

    seal_all()

    assert calls == [False]
    assert checkpoint.read(checkpoint.HEAD).seq == chain_head()[0]


def test_the_latest_head_is_read_from_the_end_of_a_long_history(tmp_path, monkeypatch):
    history = checkpoint.HeadHistory(tmp_path)
    # The history is written as the sealer writes it, without waiting for the disk 5,000 times
    # (that wait was most of this test's time); the reading is what is tested.
    with monkeypatch.context() as unsynced:
        unsynced.setattr(checkpoint.os, "fsync", lambda fd: None)
        for seq in range(1, 5001):
            history.append(checkpoint.Checkpoint(seq=seq, hash=f"{seq:064x}", at="t"))
    with (tmp_path / "heads-2999-12.jsonl").open("a") as torn:
        torn.write('{"seq": 9999, "ha')  # a line torn by a crash mid-write: not a head

    assert history.latest().seq == 5000
    assert len(list(history)) == 5000
