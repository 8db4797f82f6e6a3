"""What the assessment tests share: answers that add up to a known total, a draft in one call,
an API client, and a reader of the forms the pages offer."""

import datetime
from html.parser import HTMLParser

from rest_framework.test import APIClient

from assessments import services

STATIC = {
    "1": "45.0",
    "2": "no",
    "3": "no",
    "4": "yes",
    "5c": 2,
    "5v": 1,
    "6": 4,
    "7": "no",
    "8": "yes",
    "9": "no",
    "10": "no",
}  # -1 +1 +1 +1 +1 +1 = 4 → IVa


def save(patient, user, instrument="static99r", responses=None, facts=None, **options):
    defaults = {
        "static99r": ({"non_contact_only": "no"}, STATIC),
        "stable2007": ({"child_victims": "no"}, {str(n): "1" for n in range(1, 14)}),
    }
    default_facts, default_responses = defaults.get(instrument, ({}, {}))
    return services.assessment_save(
        actor=user,
        patient=patient,
        instrument=instrument,
        assessed_on=options.pop("assessed_on", datetime.date(2026, 11, 2)),
        facts=default_facts if facts is None else facts,
        responses=default_responses if responses is None else responses,
        trained_assessor=options.pop("trained_assessor", True),
        complete=options.pop("complete", True),
        **options,
    )


def form_data(**changes):
    data = {
        "assessed_on": "2026-11-02",
        "fact_non_contact_only": "no",
        "trained_assessor": "on",
        "complete": "on",
    }
    data.update({f"item_{k}": v for k, v in STATIC.items()})
    data.update(changes)
    return data


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self._select = self._textarea = None

    def _field(self, name, kind):
        return self.fields.setdefault(name, {"kind": kind, "offered": [], "value": None})

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("hidden", "submit"):
            kind = attrs.get("type", "text")
            field = self._field(name, kind)
            if kind in ("radio", "checkbox"):
                field["offered"].append(attrs.get("value", "on"))
                if "checked" in attrs:
                    field["value"] = attrs.get("value", "on")
            else:
                field["value"] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = self._field(name, "select")
        elif tag == "option" and self._select is not None:
            self._select["offered"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select["value"] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = self._field(name, "textarea")
            self._textarea["value"] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def offered(page: str) -> dict[str, dict]:
    """The fields of the page's forms: for each name, its kind, the values it offers (radio
    buttons, options, checkboxes) and the value it shows (checked, selected or typed)."""
    reader = _FormReader()
    reader.feed(page)
    return reader.fields


def post_back(fields: dict[str, dict], choose=None) -> dict:
    """What a browser would send: each field's shown value; a list with nothing selected sends
    its first option; of radio buttons with none checked, `choose(name, values)` picks one
    (the last offered by default); an unticked box sends nothing."""
    data = {}
    for name, field in fields.items():
        value, offers = field["value"], field["offered"]
        if field["kind"] == "select" and value is None and offers:
            value = offers[0]
        elif field["kind"] == "radio" and value is None and offers:
            value = choose(name, offers) if choose else offers[-1]
        if value is not None:
            data[name] = value
    return data


def full_answers(code: str) -> dict:
    """Facts, ratings and judgements that rate every item of an instrument (the lowest
    rating; Static-99R: the answers in STATIC)."""
    from assessments import instruments

    definition = instruments.get(code)
    if code == "static99r":
        return {"facts": {"non_contact_only": "no"}, "responses": dict(STATIC), "judgements": {}}

    def lowest(items):
        return {item.code: item.choices[0].value for item in items}

    return {
        "facts": lowest(definition.facts),
        "responses": lowest(definition.items),
        "judgements": lowest(definition.judgements),
    }
