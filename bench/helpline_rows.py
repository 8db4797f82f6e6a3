"""The helpline's contacts the benchmarks seed, drawn one way for all of them."""

import datetime

from helpline.models import Contact


def contact_fields(rng, now: datetime.datetime) -> dict:
    """One contact of the last two years up to now: a tenth missed, a third repeat, a caller
    type and a summary if answered. The listener is drawn by the caller, after these."""
    missed = rng.random() < 0.1
    return {
        "channel": rng.choice(["phone", "phone", "email", "chat"]),
        "started_at": now - datetime.timedelta(minutes=rng.randint(1, 2 * 365 * 24 * 60)),
        "duration_minutes": 0 if missed else rng.randint(2, 45),
        "missed": missed,
        "repeat": rng.random() < 0.3,
        "caller_type": "" if missed else rng.choice(Contact.CallerType.values),
        "summary": "" if missed else "Bench: asked where to find help.",
    }
