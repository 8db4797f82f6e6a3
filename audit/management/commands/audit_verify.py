from django.core.management.base import BaseCommand, CommandError

from audit.services import seal_access_log, verify_access_log


class Command(BaseCommand):
    help = "Seal pending access events, then check the whole access-log chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seal", action="store_true", help="Only verify; leave unsealed events as they are."
        )

    def handle(self, *args, no_seal: bool = False, **options):
        if not no_seal:
            while seal_access_log():
                pass
        report = verify_access_log()
        if not report.ok:
            raise CommandError(
                f"Chain broken at event {report.broken_seq} (row id {report.broken_event_id}): "
                f"{report.reason}. {report.checked} events before it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Access log intact: {report.checked} events chained, {report.unsealed} unsealed."
            )
        )
