"""The operations page, for those who run the office: background work, failed tasks, mail not
yet delivered, the access log's seal and last check; and the home page's warning when no
worker runs (docs/operations.md, "Health")."""

import datetime
import re

import pytest
from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from audit.sealing import seal_access_log
from audit.verifying import verify_access_log
from common import outbox
from common.models import BackupRecord, Heartbeat, TaskFailure
from common.tasks import heartbeat

pytestmark = pytest.mark.django_db

URL = reverse("workspace:operations")


@shared_task
def fails_with_a_name_in_its_message():
    raise ValueError("Mr Dupont's file")


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("administrator", 200),
        ("clinical_lead", 200),
        ("treating_psychologist", 403),
        ("helpline_listener", 403),
        ("auditor", 403),
    ],
)
def test_only_administrators_and_the_lead_see_the_operations_page(
    persona, answer, request, client_for
):
    page = client_for(request.getfixturevalue(persona)).get(URL)

    assert page.status_code == answer


@pytest.mark.parametrize(
    ("persona", "linked"), [("administrator", True), ("treating_psychologist", False)]
)
def test_the_footer_links_the_operations_page_for_those_who_may_see_it(
    persona, linked, request, client_for
):
    home = client_for(request.getfixturevalue(persona)).get(reverse("workspace:dashboard"))

    assert (URL in home.content.decode()) is linked


def test_a_task_that_fails_for_good_is_counted_for_a_day_without_its_message(
    administrator, client_for
):
    # As a worker runs it: the failure is handled, not raised to the caller.
    assert fails_with_a_name_in_its_message.apply(throw=False).failed()
    TaskFailure.objects.create(
        task="old.task", error="KeyError", at=timezone.now() - datetime.timedelta(days=2)
    )

    page = client_for(administrator).get(URL).content.decode()

    failure = TaskFailure.objects.get(task__endswith="fails_with_a_name_in_its_message")
    assert failure.error == "ValueError" and failure.task_id
    assert "1 task failed after its retries" in page
    assert failure.task in page and "old.task" not in page
    assert "Dupont" not in page


def test_the_heartbeat_clears_failures_older_than_ninety_days(db):
    now = timezone.now()
    for days in (1, 91):
        TaskFailure.objects.create(task=f"t{days}", error="E", at=now - datetime.timedelta(days))

    heartbeat()

    assert list(TaskFailure.objects.values_list("task", flat=True)) == ["t1"]


def test_the_page_counts_the_mail_waiting_and_shows_the_access_logs_seal_and_check(
    administrator, patient, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.OUTBOX_ATTEMPTS_BEFORE_WARNING = 1
    message = outbox.queue(to=["a@example.org"], subject="s", body="b", purpose="Reminder")
    outbox.send(message.pk)  # refused: waits for its next attempt
    with django_capture_on_commit_callbacks(execute=True):  # the head is written after commit
        seal_access_log()
    verify_access_log()

    page = client_for(administrator).get(URL)

    html = page.content.decode()
    assert page.context["waiting"] == 1 and page.context["unsent"] == 1
    assert reverse("workspace:unsent_messages") in html
    chain = page.context["chain"]
    assert chain.sealed_to and chain.sealed_at and chain.verified_at
    assert "Reminder" not in html  # what each message is: on the unsent page, not here


def test_the_embedded_demo_does_its_background_work_in_the_web_process(administrator, client_for):
    page = client_for(administrator).get(URL)

    assert page.context["ready"] is True
    assert "in the web process" in page.content.decode()
    assert "No backup made with manage.py backup is recorded" in page.content.decode()


def test_the_page_shows_the_last_backup(administrator, client_for):
    for hours, name in ((30, "clinic-old"), (2, "clinic-new")):
        BackupRecord.objects.create(
            taken_at=timezone.now() - datetime.timedelta(hours=hours),
            name=name,
            size_bytes=5_000_000,
            head_seq=10,
        )

    page = client_for(administrator).get(URL).content.decode()

    assert "clinic-new" in page and "clinic-old" not in page
    assert "4.8\xa0MB" in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "clinic-new" not in title
    assert page.count('<h2 id="backups">') == 1


def test_the_page_costs_the_same_queries_however_many_failures(
    administrator, client_for, django_assert_max_num_queries
):
    client = client_for(administrator)
    client.get(URL)
    now = timezone.now()
    TaskFailure.objects.bulk_create(
        TaskFailure(task=f"t{n}", error="E", at=now - datetime.timedelta(minutes=n))
        for n in range(50)
    )

    with django_assert_max_num_queries(13):
        page = client.get(URL)

    assert len(page.context["failures"]) == 20 and page.context["failures_count"] == 50


@pytest.mark.parametrize(
    ("seen_minutes_ago", "persona", "warned"),
    [
        (30, "administrator", True),
        (30, "clinical_lead", True),
        (1, "administrator", False),
        (30, "treating_psychologist", False),
    ],
)
def test_the_home_page_says_when_background_work_has_stopped(
    seen_minutes_ago, persona, warned, request, client_for, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker is expected
    Heartbeat.objects.create(
        name="worker", at=timezone.now() - datetime.timedelta(minutes=seen_minutes_ago)
    )

    home = client_for(request.getfixturevalue(persona)).get(reverse("workspace:dashboard"))

    assert ("Background work has stopped" in home.content.decode()) is warned
