"""Count every month of the helpline's contacts again (helpline/counts.py): after contacts were
written past the ORM (raw SQL, a restore of one table), or to check the counts. Idempotent: on
right counts it changes nothing. The nightly task does the same. docs/helpline.md."""

from django.core.management.base import BaseCommand

from helpline import counts


class Command(BaseCommand):
    help = "Count the helpline's contacts of every month again, for the statistics."

    def handle(self, *args, **options):
        months = counts.count_all()
        self.stdout.write(f"Counted the contacts of {months} months.")
