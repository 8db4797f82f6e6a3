from django.conf import settings


def session_limits(request):
    """What the idle-session warning of every page needs (static/js/session.js)."""
    warning = settings.SESSION_IDLE_WARNING_SECONDS
    return {
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
        "session_limits": {
            "idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
            "warning_seconds": warning,
            "warning_minutes": max(1, warning // 60),
        },
    }
