import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.verifying import RebaselineRefused, rebaseline_after_restore


class Command(BaseCommand):
    help = (
        "After a restore: check the restored access log against the backup it came from, keep "
        "the old checkpoints aside, and record in the log who approved the restore and which "
        "events were lost. The clinical lead approves (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="The backup folder that was restored.")
        parser.add_argument("--approved-by", required=True, help="The clinical lead's user name.")
        parser.add_argument("--reason", required=True, help="Why the database was restored.")

    def handle(self, *args, folder: Path, approved_by: str, reason: str, **options):
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"{folder} holds no readable manifest.json: {error}") from error
        approver = get_user_model().objects.filter(username=approved_by).first()
        if approver is None:
            raise CommandError(f"No user {approved_by!r}.")
        head = manifest.get("access_log_head")
        try:
            event = rebaseline_after_restore(
                approver=approver,
                reason=reason,
                backup_head=tuple(head) if head else None,
                backup_taken_at=manifest["taken_at"],
            )
        except RebaselineRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Re-baselined: event {event.seq}: {event.label}"))
