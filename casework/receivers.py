"""What casework does when something happens in another app it may know of (accounts)."""

from django.dispatch import receiver

from accounts.signals import credentials_ended
from casework.models import CalendarFeed


@receiver(credentials_ended, dispatch_uid="casework.calendar_feed_ends")
def _calendar_link_ends(sender, user, **kwargs):
    """The calendar link is a credential too: it ends with the user's sessions and tokens. A
    new one, made afterwards on its page, works."""
    CalendarFeed.objects.filter(user=user).delete()
