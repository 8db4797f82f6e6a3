"""Nothing identifies a caller: no field could hold an identifier, no address is written by a
helpline request (not in the logs, not in the access log, not by the lock-out), and the free
text is erased after its retention period."""

import datetime
import logging

import pytest
from django.apps import apps
from django.db import models
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from helpline import services
from helpline.tasks import erase_old_summaries

pytestmark = pytest.mark.django_db

# Words that name a way to find a person, in a field's name.
IDENTIFYING_WORDS = (
    "name", "phone", "tel", "mobile", "mail", "ip", "address", "addr", "host", "street",
    "city", "zip", "postcode", "birth", "born", "surname", "nrn", "ssn", "iban", "account",
    "login", "user_agent", "agent", "device", "location", "gps", "school", "employer",
)  # fmt: skip
# Types made to hold one.
IDENTIFYING_TYPES = (models.EmailField, models.GenericIPAddressField, models.URLField)
# Free text a listener types, and why each may stay: nothing else may be free text.
FREE_TEXT_ALLOWED = {
    ("contact", "summary"): "a few words for the next listener, erased after a year",
    ("followupcode", "digest"): "a keyed hash of the code, not the code",
    ("problemtag", "code"): "a list entry's code, set by the clinical lead",
}
# The names of a list's entries (a problem tag, a kind of service), in each language.
LIST_NAMES = {"name_en", "name_fr", "name_nl", "name_de"}


def identifier_risks(models_to_check) -> list[tuple[str, str, str]]:
    """Each field that could hold an identifier, and why: by its type, by its name, or as free
    text on a contact (where anything could be typed)."""
    found = []
    for model in models_to_check:
        for field in model._meta.get_fields():
            if not field.concrete or field.auto_created:
                continue
            where = (model._meta.model_name, field.name)
            words = field.name.split("_")
            if isinstance(field, IDENTIFYING_TYPES):
                found.append((*where, "its type holds an identifier"))
            if field.name not in LIST_NAMES and any(word in words for word in IDENTIFYING_WORDS):
                found.append((*where, "its name says it holds an identifier"))
            free_text = isinstance(field, models.CharField | models.TextField) and not field.choices
            if free_text and where not in FREE_TEXT_ALLOWED and field.name not in LIST_NAMES:
                found.append((*where, "free text could hold anything"))
    return found


def test_no_field_could_hold_an_identifier():
    assert identifier_risks(apps.get_app_config("helpline").get_models()) == []


def test_the_inspection_fails_on_a_field_that_could_identify():
    class Leaky(models.Model):
        caller_phone = models.CharField(max_length=20, choices=[("x", "x")])
        contact = models.EmailField()
        remarks = models.TextField()

        class Meta:
            app_label = "helpline"
            managed = False

        def __str__(self) -> str:
            return "leaky"

    try:
        risks = {(field, why.split()[0]) for _model, field, why in identifier_risks([Leaky])}
        assert risks == {
            ("caller_phone", "its"),
            ("contact", "its"),
            ("contact", "free"),
            ("remarks", "free"),
        }
    finally:
        apps.all_models["helpline"].pop("leaky", None)
        apps.clear_cache()


ADDRESS, FORWARDED = "203.0.113.77", "198.51.100.9"


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def every_log():
    """Every record any logger writes, at any level, while the test runs."""
    handler, root = Captured(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("django", "django.request", "axes")]
    propagate = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.propagate = True
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(level)
    for logger, value in zip(loggers, propagate, strict=True):
        logger.propagate = value


def test_a_helpline_request_writes_no_address_anywhere(
    helpline_listener, client_for, api_for, every_log
):
    client = client_for(helpline_listener)
    client.defaults.update(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED)
    api = api_for(helpline_listener)
    api.defaults.update(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED)
    events = AccessEvent.objects.count()

    if True:  # everything below is captured by every_log
        client.get(reverse("helpline:log"))
        client.post(reverse("helpline:log"), {"channel": "phone", "duration_minutes": "5"})
        client.post(reverse("helpline:missed"), {"channel": "chat"})
        client.get(reverse("helpline:contacts"), {"code": "ABC-DEF"})
        client.get(reverse("helpline:contact", args=[999999]))  # 404: logged by Django
        client.get(reverse("helpline:statistics"), {"year": "abc"})  # 400: logged by Django
        api.post(reverse("api:helpline_contact_list"), {"channel": "email"}, format="json")
        api.get(reverse("api:helpline_contact_detail", args=[999999]))
        api_for(None).get(
            reverse("api:helpline_contact_list"),
            HTTP_AUTHORIZATION="Token not-a-token",
            REMOTE_ADDR=ADDRESS,
        )

    assert every_log, "the requests were logged: the test looks at something"
    for record in every_log:
        written = f"{record.getMessage()} {record.__dict__!r}"
        assert ADDRESS not in written and FORWARDED not in written, record.getMessage()
    assert AccessEvent.objects.count() == events  # no line in the access log
    from axes.models import AccessAttempt, AccessFailureLog

    assert not AccessAttempt.objects.filter(ip_address=ADDRESS).exists()
    assert not AccessFailureLog.objects.filter(ip_address=ADDRESS).exists()


def test_other_pages_still_know_the_address(treating_psychologist, patient, client_for):
    """The stripping is the helpline's only: the clinic's access log keeps its addresses."""
    client = client_for(treating_psychologist)
    client.get(reverse("workspace:patient", args=[patient.pk]), REMOTE_ADDR=ADDRESS)
    assert AccessEvent.objects.filter(client_address=ADDRESS).exists()


@override_settings(HELPLINE_SUMMARY_MONTHS=12)
def test_summaries_are_erased_after_a_year_and_the_figures_stay(helpline_listener, contact_at):
    old = contact_at(helpline_listener, days=370, summary="Old words", caller_type="relative")
    recent = contact_at(helpline_listener, days=300, summary="Recent words")

    assert erase_old_summaries.apply().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.summary == "" and old.summary_erased_at is not None
    assert old.caller_type == "relative" and old.duration_minutes == 10  # the figures stay
    assert recent.summary == "Recent words"
    assert services.erase_old_summaries() == 0  # a second run erases nothing more
    assert "helpline-summaries" in __import__("django.conf").conf.settings.CELERY_BEAT_SCHEDULE


def test_an_erased_summary_says_so(helpline_listener, contact_at, client_for):
    old = contact_at(helpline_listener, days=400, summary="Old words")
    services.erase_old_summaries()
    page = client_for(helpline_listener).get(reverse("helpline:contact", args=[old.pk]))
    assert "Erased on" in page.content.decode() and "Old words" not in page.content.decode()


def test_a_contact_is_kept_to_the_minute():
    moment = timezone.now().replace(second=42)
    assert services._started(moment).second == 0
    with pytest.raises(Exception, match="future"):
        services._started(timezone.now() + datetime.timedelta(hours=1))


def helpline_time_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_app_config("helpline").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
    ]


@override_settings(HELPLINE_SUMMARY_MONTHS=12)
def test_every_time_the_helpline_keeps_is_to_the_minute(
    helpline_listener, client_for, api_for, contact_at
):
    """docs/helpline.md: times to the minute, no finer; a time to the second could be matched
    with a phone company's records. Read back from the database, after ordinary use: contacts
    logged from the page and the API, a missed one, a follow-up code given, a summary erased."""
    client = client_for(helpline_listener)
    given = {"channel": "phone", "duration_minutes": "5", "give_code": "on"}
    assert client.post(reverse("helpline:log"), given).status_code == 302
    assert client.post(reverse("helpline:missed"), {"channel": "chat"}).status_code == 302
    api_for(helpline_listener).post(
        reverse("api:helpline_contact_list"), {"channel": "email"}, format="json"
    )
    contact_at(helpline_listener, days=400, summary="Old words")
    services.erase_old_summaries()

    columns = helpline_time_columns()
    assert {(m._meta.model_name, name) for m, name in columns} >= {
        ("contact", "started_at"),
        ("contact", "created_at"),
        ("contact", "summary_erased_at"),
        ("followupcode", "created_at"),
    }
    finer = [
        (model._meta.model_name, name, value)
        for model, name in columns
        for value in model.objects.exclude(**{name: None}).values_list(name, flat=True)
        if value.second or value.microsecond
    ]
    assert finer == []
    assert all(model.objects.exclude(**{name: None}).exists() for model, name in columns)


@pytest.mark.parametrize(
    "path", ["/helpline", "/helpline/", "/helpline/log", "/api/v1/helpline", "/api/v1/helpline/x"]
)
def test_the_web_server_is_left_no_address_for_a_helpline_path_with_or_without_its_slash(
    helpline_listener, client_for, path
):
    """The web server's access log reads the address from the request's environ after the
    response; for the helpline it must find none there, even on the way to a redirect."""
    answer = client_for(helpline_listener).get(
        path, REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED
    )

    environ = answer.wsgi_request.META
    assert environ["REMOTE_ADDR"] == "" and "HTTP_X_FORWARDED_FOR" not in environ


def test_a_path_that_only_begins_like_the_helplines_keeps_its_address(client):
    answer = client.get("/helplines-elsewhere/", REMOTE_ADDR=ADDRESS)
    assert answer.wsgi_request.META["REMOTE_ADDR"] == ADDRESS
