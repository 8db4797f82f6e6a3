from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workspace.backups import BackupError, backup, read_manifest


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database into a new folder: pg_dump's archive, the documents' "
        "bytes and a manifest (row counts, the access log's head) to check a restore against. "
        "The keys and the access log's checkpoints are kept apart (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="The folder that receives the backup's own folder (default: BACKUP_DIR).",
        )

    def handle(self, *args, to: Path | None = None, **options):
        try:
            folder = backup(to or Path(settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up into {folder}"))
        documents = read_manifest(folder)["documents"]
        self.stdout.write(
            f"Documents: {documents['files']} ({documents['linked']} linked from the backup "
            "before)."
        )
        for problem, names in (
            ("missing from the storage", documents["missing"]),
            ("not the bytes filed (SHA-256)", documents["differ"]),
        ):
            if names:
                self.stderr.write(
                    self.style.ERROR(f"{len(names)} documents {problem}: " + ", ".join(names))
                )
        self.stdout.write(
            "Keep apart from it: SECRET_KEY, AUDIT_CHAIN_KEY, the seal's certificate and "
            "AUDIT_CHECKPOINT_DIR."
        )
