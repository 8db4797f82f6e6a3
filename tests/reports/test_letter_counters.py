"""A letter prints the attendance counters so that its reader can check the sum: the sessions
planned, then every part of it, zeros included (docs/letters.md)."""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from casework import services
from reports import rendering
from reports import services as letters
from tests.factories import AuthorityFactory, book, record


@pytest.fixture
def authority(db):
    """The periodic report is addressed to the authority, in its language: English here."""
    return AuthorityFactory(name="Commission de probation de Liège", language="en")


def printed_counters(patient, actor, *, days_after_today=0) -> list[str]:
    today = timezone.localdate()
    letter = letters.letter_draft(
        actor=actor,
        patient=patient,
        kind="periodic_report",
        mandate=patient.mandates.get(),
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=days_after_today),
    )
    reader = _Counters()
    reader.feed(rendering.render_html(letter))
    return [" ".join(item.split()) for item in reader.items]


class _Counters(HTMLParser):
    """The text of each item of the counters' list, nested items included, in order."""

    def __init__(self):
        super().__init__()
        self.depth, self.items, self.current = 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "ul" and (self.depth or ("class", "counters") in attrs):
            self.depth += 1
            self.current = None
        elif tag == "li" and self.depth:
            self.items.append("")
            self.current = len(self.items) - 1

    def handle_endtag(self, tag):
        if tag == "ul" and self.depth:
            self.depth -= 1
        if tag in ("li", "ul"):
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.items[self.current] += data


def test_a_letter_prints_the_sessions_planned_then_every_part_zeros_included(
    patient, treating_psychologist, administrator
):
    for days, code in [(-9, "attended-failed-to-comply"), (-8, "absence-unacceptable")]:
        record(book(patient, treating_psychologist, days=days), code, by=treating_psychologist)
    services.appointment_cancel(
        actor=treating_psychologist,
        appointment=book(patient, treating_psychologist, days=-7),
        reason="Therapist ill",
    )

    assert printed_counters(patient, administrator) == [
        "3 sessions planned",
        "1 session attended, of which 1 without complying with its frame",
        "0 justified absences",
        "1 unjustified absence",
        "0 absences awaiting evidence",
        "0 sessions whose outcome is still being checked",
        "1 session cancelled by the clinic",
    ]


def test_sessions_still_to_come_are_printed_when_there_are_some(
    patient, treating_psychologist, administrator
):
    record(book(patient, treating_psychologist, days=-9), "attended", by=treating_psychologist)
    record(
        book(patient, treating_psychologist, days=-8), "absence-medical", by=treating_psychologist
    )
    book(patient, treating_psychologist, days=-2)
    book(patient, treating_psychologist, days=3)
    book(patient, treating_psychologist, days=5)

    assert printed_counters(patient, administrator, days_after_today=10) == [
        "5 sessions planned",
        "1 session attended",
        "0 justified absences",
        "0 unjustified absences",
        "1 absence awaiting evidence",
        "1 session whose outcome is still being checked",
        "2 sessions still to come",
        "0 sessions cancelled by the clinic",
    ]
