from django.shortcuts import redirect, render

from audit.permissions import can_read_access_log
from casework.permissions import has_casework_home


def home(request):
    """Send each role to where its work is."""
    user = request.user
    if has_casework_home(user):
        return redirect("casework:dashboard")
    if can_read_access_log(user):
        return redirect("audit:event_list")
    return render(request, "accounts/home_other.html")
