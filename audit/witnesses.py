"""Witnesses: copies of the access log's head kept where the clinic chooses, so that a head
deleted or rolled back on the server does not take the evidence with it.

AUDIT_WITNESSES lists them (environment: comma-separated):
- `file` — the server's own history of heads (checkpoint.HeadHistory in AUDIT_CHECKPOINT_DIR);
  always first, whether listed or not.
- `file:/path` — the same history in another folder: a mount the server's administrators
  cannot rewrite (a write-once object-storage bucket, another team's file server).
- `syslog:host:port` — each head as one line to a remote syslog (UDP); the log store keeps it.
- `mail` — once a day, the head e-mailed to the auditors (through the outbox); `audit_verify
  --head SEQ:HASH` checks the log still holds the head an e-mail names.

A witness that can be read back (`latest()`) is checked by the sealer before it seals and by
`audit_verify`; the others are checked by a person, against the log store or the e-mails. A
witness that fails is logged and skipped: the clinic's work never waits on it.
docs/security.md, "The access log's threat model".
"""

import logging
import socket
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.checkpoint import Checkpoint, HeadHistory, heads_folder

logger = logging.getLogger("audit.witnesses")


class FileWitness:
    every_seal = True

    def __init__(self, folder: Path | None = None):
        self.history = HeadHistory(folder or heads_folder())
        self.name = f"file {self.history.folder}"

    def record(self, head: Checkpoint) -> None:
        self.history.advance(head)

    def latest(self) -> Checkpoint | None:
        return self.history.latest()


class SyslogWitness:
    every_seal = True

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.name = f"syslog {host}:{port}"

    def record(self, head: Checkpoint) -> None:
        # <110>: facility log audit (13), severity informational (6); one datagram, no wait.
        line = f"<110>clinic-access-log: head seq={head.seq} hash={head.hash} at={head.at}"
        if head.rebaseline:
            line += f" rebaseline from seq={head.rebaseline.get('from_seq')}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2)
            sock.sendto(line.encode(), self.address)

    def latest(self) -> None:
        return None  # read in the log store, by a person


class MailWitness:
    every_seal = False  # once a day (audit.tasks.witness_head) and at a re-baselining
    name = "mail to the auditors"

    def record(self, head: Checkpoint) -> None:
        from accounts.roles import Role
        from common import outbox

        recipients = sorted(
            set(
                get_user_model()
                .objects.filter(is_active=True, groups__name=Role.AUDITOR)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        if not recipients:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject = gettext("Access log head of %(date)s") % {
                "date": timezone.localdate().isoformat()
            }
            body = gettext(
                "The access log had reached this point on %(at)s:\n\n%(seq)s:%(hash)s\n\n"
                "Keep this e-mail. Whoever runs the server cannot change it: "
                "`manage.py audit_verify --head %(seq)s:%(hash)s` checks that the log still "
                "holds this point, unchanged."
            ) % {"at": head.at, "seq": head.seq, "hash": head.hash}
            if head.rebaseline:
                body += "\n\n" + gettext(
                    "This point was set by a re-baselining after a restore (from event "
                    "%(from_seq)s): see the access log."
                ) % {"from_seq": head.rebaseline.get("from_seq")}
        outbox.queue(to=recipients, subject=subject, body=body, purpose=subject)

    def latest(self) -> None:
        return None  # in the auditors' mailboxes


def _witness(spec: str):
    kind, _, rest = spec.strip().partition(":")
    if kind == "file":
        return FileWitness(Path(rest) if rest else None)
    if kind == "syslog" and rest.count(":") == 1:
        host, port = rest.split(":")
        if port.isdigit():
            return SyslogWitness(host, int(port))
    if kind == "mail" and not rest:
        return MailWitness()
    raise ValueError(f"AUDIT_WITNESSES: {spec!r} is not file, file:/path, syslog:host:port, mail")


def configured() -> list:
    """The server's own history first, then the others, in the order of the setting."""
    chosen = [_witness(spec) for spec in settings.AUDIT_WITNESSES if spec.strip() != "file"]
    return [FileWitness(), *chosen]


def record(head: Checkpoint, *, every_seal: bool | None = True) -> None:
    """Give `head` to the witnesses (those that take every seal, those that do not, or with
    None all of them). A witness that fails is logged, never raised: the head is already in
    the database's chain and in the other witnesses."""
    logger.info("access log head: seq=%s hash=%s", head.seq, head.hash)
    for witness in configured():
        if every_seal is not None and witness.every_seal != every_seal:
            continue
        try:
            witness.record(head)
        except Exception:
            logger.exception("access log witness %s did not take head %s", witness.name, head.seq)
