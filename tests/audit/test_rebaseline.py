"""After a restore, the access log is re-baselined, never quietly healed: the clinical lead
approves, the restored chain must be whole and end where the backup's did, the checkpoints of
the lost future are kept aside, and the chain itself says who, why and what was lost
(docs/operations.md, "Backups and restore")."""

import json

import pytest
from django.core.management import CommandError, call_command

from audit import checkpoint
from audit.models import AccessEvent
from audit.sealing import chain_head, seal_access_log
from audit.verifying import verify_access_log

pytestmark = pytest.mark.django_db(transaction=True)


def seal_all():
    while seal_access_log():
        pass


@pytest.fixture
def restored(patient, treating_psychologist, client_for, tmp_path, settings):
    """A log restored from a backup taken at its head; the checkpoints outside the database
    still name the five events written after the backup and lost with the disaster."""
    for _ in range(2):
        client_for(treating_psychologist).get(patient.get_absolute_url())
    seal_all()
    seq, digest = chain_head()
    folder = tmp_path / "clinic-20261207T020000Z"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"taken_at": "2026-12-07T02:00:00+00:00", "access_log_head": [seq, digest]})
    )
    checkpoint.write(checkpoint.HEAD, seq + 5, "f" * 64)
    checkpoint.write(checkpoint.VERIFIED, seq + 5, "f" * 64)
    return folder, seq


def rebaseline(folder, approver, reason="The server's disk failed on 7 December."):
    call_command("audit_rebaseline", folder, approved_by=approver.username, reason=reason)


def test_a_restored_log_is_flagged_until_the_lead_re_baselines_it_and_then_goes_on(
    restored, clinical_lead, patient, treating_psychologist, client_for, settings
):
    backup, seq = restored
    # The nightly check sees the lost events, as it must.
    assert not verify_access_log().ok

    rebaseline(backup, clinical_lead)

    event = AccessEvent.objects.get(action=AccessEvent.Action.REBASELINE)
    assert event.seq == seq + 1 and event.user == clinical_lead
    assert f"events {seq + 1} to {seq + 5}" in event.label
    assert "2026-12-07T02:00:00" in event.label and "disk failed" in event.label
    kept = sorted(p.name for p in checkpoint._path(checkpoint.VERIFIED).parent.glob("*superseded*"))
    assert len(kept) == 1  # the last check before the restore, kept aside
    heads = list(checkpoint.heads())
    (back,) = [i for i, head in enumerate(heads) if head.rebaseline]
    assert heads[back - 1].seq == seq + 5  # the head the disaster lost stays in the history,
    assert (heads[back].seq, heads[back].rebaseline["from_seq"]) == (seq, seq + 5)  # then this
    assert heads[-1].seq == seq + 1  # and the chain goes on from the restored head
    assert verify_access_log(full=True).ok

    # Ordinary work afterwards: new events chain on, and the nightly check holds.
    client_for(treating_psychologist).get(patient.get_absolute_url())
    seal_all()
    report = verify_access_log()
    assert report.ok and report.last_seq > seq + 1


@pytest.mark.parametrize(
    ("who", "reason", "head_shift", "refusal"),
    [
        ("treating_psychologist", "Disk failed.", 0, "Only the clinical lead approves"),
        ("clinical_lead", "  ", 0, "Say why"),
        ("clinical_lead", "Disk failed.", -1, "this is not the database the backup holds"),
    ],
)
def test_a_re_baselining_that_would_hide_something_is_refused_and_changes_nothing(
    restored, who, reason, head_shift, refusal, request
):
    folder, seq = restored
    if head_shift:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["access_log_head"][0] += head_shift
        (folder / "manifest.json").write_text(json.dumps(manifest))
    events = AccessEvent.objects.count()

    with pytest.raises(CommandError, match=refusal):
        rebaseline(folder, request.getfixturevalue(who), reason)

    assert AccessEvent.objects.count() == events
    assert checkpoint.read(checkpoint.HEAD).seq == seq + 5  # the lost head still on record
    assert not verify_access_log().ok
