"""/healthz and /readyz: open to anyone, outside the login and the request's transaction, and
saying nothing but one word per part (common.health; docs/operations.md, "Health")."""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from common import health


@login_not_required
@require_safe
@transaction.non_atomic_requests
def healthz(request):
    """Liveness: the process answers. It touches neither the database nor the broker, so that
    a database outage does not get every web process restarted."""
    return JsonResponse({"alive": True})


@login_not_required
@require_safe
@transaction.non_atomic_requests
def readyz(request):
    """Readiness: the database, its migrations, the broker, a worker and the beat."""
    states = health.readiness()
    ready = health.is_ready(states)
    return JsonResponse({"ready": ready, "checks": states}, status=200 if ready else 503)
