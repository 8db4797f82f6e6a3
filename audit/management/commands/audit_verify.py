import re
import time

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoint import Checkpoint
from audit.sealing import seal_access_log
from audit.verifying import verify_access_log

HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Seal pending access events, then check the chain from the last verified checkpoint "
        "(--full: from the first event), against the head kept outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seal", action="store_true", help="Only verify; leave unsealed events as they are."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Check every event from the first, and the index of listed patients.",
        )
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="Also check that the log holds this head, unchanged (from a witness: the "
            "auditors' e-mail, the log store).",
        )

    def handle(self, *args, no_seal: bool = False, full: bool = False, head=(), **options):
        given = []
        for text in head:
            if not (match := HEAD.match(text.strip())):
                raise CommandError(f"--head {text!r}: write it SEQ:HASH, as the witness has it.")
            seq, digest = match.groups()
            given.append((f"--head {seq}", Checkpoint(seq=int(seq), hash=digest, at="given")))
        if not no_seal:
            while seal_access_log():
                pass
        started = time.perf_counter()
        report = verify_access_log(full=full, given_heads=tuple(given))
        seconds = time.perf_counter() - started
        if not report.ok:
            raise CommandError(
                "Access log NOT intact:\n- "
                + "\n- ".join(report.problems)
                + f"\n{report.checked} events checked before the first problem."
            )
        span = (
            f"events {report.first_seq} to {report.last_seq}"
            if report.checked
            else "no new event since the last check"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Access log intact: {report.checked} events chained ({span}), "
                f"{report.unsealed} unsealed, checked in {seconds:.1f} s."
            )
        )
