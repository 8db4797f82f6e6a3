from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.verifying import verify_access_log
from workspace.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured database, which must be new and empty; "
        "check every table's rows and the access log's chain against the backup. Then "
        "re-baseline the access log's checkpoints with audit_rebaseline (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder made by `manage.py backup`.")

    def handle(self, *args, folder: Path, **options):
        try:
            restored = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        report = verify_access_log(full=True, checkpoints=False)
        if not report.ok:
            raise CommandError(
                "Restored, but the access log's chain does not hold (is AUDIT_CHAIN_KEY the "
                "one of the backed-up installation?):\n- " + "\n- ".join(report.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored.rows} rows in {restored.tables} tables from the backup of "
                f"{restored.taken_at:%Y-%m-%d %H:%M} UTC; the access log's chain holds "
                f"({report.checked} events)."
            )
        )
        self.stdout.write(f"Documents put back into their storage: {restored.documents}.")
        if restored.documents_missing:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(restored.documents_missing)} documents are not in the backup (or "
                    "not as filed): " + ", ".join(restored.documents_missing)
                )
            )
        self.stdout.write(
            "Before the clinic works again: have the clinical lead approve the re-baselining "
            "of the access log, then run\n"
            f"  manage.py audit_rebaseline {folder} --approved-by <lead> --reason '...'"
        )
