"""The one writer of the access log.

`record_access` (one event about one patient or object), `record_listing` (one event for a
page or an endpoint that listed patients), `note_denied` (a refused attempt, written by the
middleware after the request's transaction has been rolled back). Identifiers only: never put
health content in an event. Each commit that wrote events has them sealed after it
(audit/sealing.py); audit/verifying.py checks the chain.
"""

import ipaddress
import threading
import time
import uuid
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext

from audit import context
from audit.models import (
    AccessEvent,
    AccessEventPatient,
    content_mac,
)
from audit.sealing import seal_access_log
from common.db import on_commit_once

Action = AccessEvent.Action


# --- Writing --------------------------------------------------------------------------------


def _actor_fields(actor) -> dict:
    if actor is None or not actor.is_authenticated:
        return {"user_id": None, "username": "", "role": ""}
    return {"user_id": actor.pk, "username": actor.get_username(), "role": actor.role or ""}


def _request_fields() -> dict:
    ctx = context.current()
    if ctx is None or not ctx.client_address:
        return {"request_id": ctx.request_id if ctx else "", "client_address": None}
    try:  # the form the database gives back, so that the MAC holds when it is checked
        address = str(ipaddress.ip_address(ctx.client_address))
    except ValueError:
        address = None
    return {"request_id": ctx.request_id, "client_address": address}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def label_for(
    *, obj=None, object_type: str = "", object_id: str = "", file_number: str = ""
) -> str:
    """What an event is about, in words: "Mandate 12 of 2026-0042", "Patient 2026-0042",
    "Appointments of 2026-0042". Identifiers only. In the installation's language, written
    once: the label still reads when the object is gone."""
    model = type(obj) if obj is not None else _model(object_type)
    with translation.override(settings.LANGUAGE_CODE):
        if model is None:
            name = object_type
        elif object_id or obj is not None:
            name = capfirst(str(model._meta.verbose_name))
        else:
            name = capfirst(str(model._meta.verbose_name_plural))
        if object_id and file_number and object_type == "casework.patient":
            return f"{name} {file_number}"
        if object_id:
            name = f"{name} {object_id}"
        if not file_number:
            return name
        return gettext("%(what)s of %(file_number)s") % {"what": name, "file_number": file_number}


def _written(label: str | Promise) -> str:
    """A label (perhaps lazy) as the log keeps it: in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)[:200]


def _event(*, actor, action: str, username: str = "", **fields) -> AccessEvent:
    """An event with its nonce and MAC, ready to insert."""
    who = _actor_fields(actor)
    if username:
        who["username"] = username
    event = AccessEvent(
        **who,
        **_request_fields(),
        **fields,
        action=action,
        occurred_at=timezone.now(),
        nonce=uuid.uuid4().hex,
    )
    event.mac = content_mac(event.content())
    return event


def record_access(
    *,
    actor,
    action: str,
    patient=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    label: str | Promise = "",
    username: str = "",
) -> AccessEvent:
    """Log one access: to a patient's file (patient), to an object of it (obj), to a kind of
    object of it (object_type without id: "the appointments of 2026-0042")."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    file_number = getattr(patient, "file_number", "") or ""
    fields = {
        "patient_id": patient.pk if patient is not None else None,
        "file_number": file_number,
        "object_type": object_type,
        "object_id": object_id,
        "label": _written(label)
        or label_for(
            obj=obj, object_type=object_type, object_id=object_id, file_number=file_number
        ),
    }
    event = _event(actor=actor, action=action, username=username, **fields)
    event.save()
    _schedule_seal()
    return event


def record_listing(
    *, actor, patients: Iterable, object_type: str = "casework.patient", label: str | Promise = ""
) -> AccessEvent | None:
    """Log that a page or an endpoint listed these patients: one event naming them all (one
    INSERT for the event, one for the index), whatever the number of rows shown."""
    ids = sorted({patient.pk for patient in patients})
    if not ids:
        return None
    event = _event(
        actor=actor,
        action=Action.LIST,
        object_type=object_type,
        label=_written(label) or label_for(object_type=object_type),
        patient_ids=",".join(map(str, ids)),
    )
    event.save()
    AccessEventPatient.objects.bulk_create(
        [AccessEventPatient(event=event, patient_id=patient_id) for patient_id in ids]
    )
    _schedule_seal()
    return event


def note_denied(*, object_type: str, object_id: str, patient=None) -> None:
    """Remember that this request was refused access to something; the middleware writes it
    once the request's transaction has been rolled back (at most one event per request)."""
    ctx = context.current()
    if ctx is not None and ctx.denied is None:
        ctx.denied = {
            "object_type": object_type,
            "object_id": str(object_id)[:64],
            "patient_id": patient.pk if patient is not None else None,
            "file_number": getattr(patient, "file_number", "") or "",
        }


def record_denied(*, actor, denied: dict) -> AccessEvent | None:
    """Write a refused attempt, collapsed: one per user and window (AUDIT_DENIED_WINDOW), so
    that a script guessing ids cannot flood the log; the first of the window is kept."""
    since = timezone.now() - settings.AUDIT_DENIED_WINDOW
    if actor is not None and actor.is_authenticated:
        recent = AccessEvent.objects.filter(
            user=actor, action=Action.DENIED, occurred_at__gte=since
        )
        if recent.exists():
            return None
    with transaction.atomic():
        event = _event(
            actor=actor,
            action=Action.DENIED,
            label=label_for(
                object_type=denied["object_type"],
                object_id=denied["object_id"],
                file_number=denied["file_number"],
            ),
            **denied,
        )
        event.save()
        _schedule_seal()
    return event


# --- Sealing after the commit -------------------------------------------------------------

_pending = threading.local()


# Outside requests (tasks, commands), commits come in bursts: a worker rendering 200 letters
# commits 200 times. There, a process queues at most one sealing task per window, to run when
# the window has passed: it seals every row committed meanwhile.
SEAL_WINDOW_SECONDS = 1.0
_sealing_queued_until = 0.0


def _seal_after_commit() -> None:
    """In a request with tasks run in-process (the embedded demo), seal once the response is
    sent (seal_after_response); otherwise queue the task, which a worker takes."""
    global _sealing_queued_until
    in_request = context.current() is not None
    if settings.CELERY_TASK_ALWAYS_EAGER and in_request:
        _pending.seal = True
        return
    from audit.tasks import seal_access_log

    if in_request or settings.CELERY_TASK_ALWAYS_EAGER:
        seal_access_log.delay()
        return
    now = time.monotonic()
    if now < _sealing_queued_until:
        return  # the task queued for this window will seal this row too
    _sealing_queued_until = now + SEAL_WINDOW_SECONDS
    seal_access_log.apply_async(countdown=SEAL_WINDOW_SECONDS)


def seal_after_response(**kwargs) -> None:
    """request_finished: the response has gone; seal what this request wrote."""
    if getattr(_pending, "seal", False):
        _pending.seal = False
        while seal_access_log():
            pass


def _schedule_seal() -> None:
    """Seal once after the transaction commits, however many events it wrote."""
    # robust: a sealing failure must not fail the user's committed work; the beat retries.
    on_commit_once(_seal_after_commit, robust=True)
