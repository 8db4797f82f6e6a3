"""Say what the retention sweep would do today (the default), or do it (--destroy).

The daily task (privacy.tasks.retention_sweep) does it for real; this command lets an operator
see the report first, or run it by hand. docs/privacy.md."""

import datetime

from django.core.management.base import BaseCommand

from casework.models import Patient
from privacy import retention


class Command(BaseCommand):
    help = "Report the files due for retention review and destruction; --destroy to act."

    def add_arguments(self, parser):
        parser.add_argument(
            "--destroy",
            action="store_true",
            help="Flag, announce and destroy for real (as the daily task does).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Sweep as of this day (YYYY-MM-DD), e.g. to see what a later sweep will do.",
        )

    def handle(self, *args, destroy: bool, today: datetime.date | None, **options):
        report = retention.sweep(dry_run=not destroy, today=today)
        numbers = dict(Patient.objects.values_list("pk", "file_number"))

        def files(ids) -> str:
            return ", ".join(numbers.get(pk, str(pk)) for pk in ids) or "none"

        verb = "Flagged" if destroy else "Would flag"
        self.stdout.write(f"Retention sweep of {report.today}{'' if destroy else ' (dry run)'}")
        self.stdout.write(f"{verb} for review: {files(report.flagged)}")
        self.stdout.write(f"Seen again, flag dropped: {files(report.unflagged)}")
        self.stdout.write(f"Destruction announced: {files(report.announced)}")
        self.stdout.write(f"Announced, notice not over: {files(report.waiting)}")
        destroyed = ", ".join(report.destroyed) or "none"
        self.stdout.write(f"{'Destroyed' if destroy else 'Would destroy'}: {destroyed}")
