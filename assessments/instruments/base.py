"""How an instrument is described: items, their ratings, the arithmetic, the bands.

Plain Python, no database: an instrument is a value, and adding one means adding one module
to this package and one line to the registry (assessments/instruments/__init__.py). Only item
names, points, bands and arithmetic are shipped; never the manuals' text.
"""

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

Responses = Mapping[str, object]

# The longest text a counted item reads: "110.0" needs five characters; leave room for spaces
# and a sign, and refuse the rest before the decimal arithmetic sees it.
MAX_NUMBER_LENGTH = 20


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    points: int | None = None


@dataclass(frozen=True)
class Item:
    """One thing the assessor rates (a choice) or counts (a number)."""

    code: str
    name: str
    choices: tuple[Choice, ...] = ()
    minimum: Decimal | None = None  # numbers only
    maximum: Decimal | None = None
    decimals: int = 0
    domain: str = ""
    help: str = ""
    # Rated only when the facts say so (e.g. STABLE-2007 item 3: child victims only).
    applies: Callable[[Responses], bool] | None = None
    # HCR-20 V3: each item is also rated for its relevance to the person.
    relevance: bool = False

    @property
    def is_number(self) -> bool:
        return not self.choices

    def applies_to(self, facts: Responses) -> bool:
        return self.applies is None or self.applies(facts)

    def parse(self, raw) -> object:
        """The stored value of a response, or ValueError with a message for the assessor.

        Whatever arrives (a form's text, any JSON value), the answer is a value or a
        ValueError: never an exception of the decimal arithmetic.
        """
        if raw is None or raw == "":
            raise ValueError(_("Rate this item."))
        if self.choices:
            value = str(raw)
            if value not in {c.value for c in self.choices}:
                raise ValueError(_("Choose one of the ratings offered."))
            return value
        return self._parse_number(raw)

    def _parse_number(self, raw) -> int | str:
        text = str(raw).strip().replace(",", ".")
        # No count or age of ours needs more characters; a longer text is not worth parsing.
        if len(text) > MAX_NUMBER_LENGTH:
            raise self._out_of_range()
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError, OverflowError):
            raise ValueError(_("Enter a number.")) from None
        # "inf", "NaN", and JSON's 1e400 (read as float("inf")) parse, but are not numbers of
        # anything; bounds come before rounding, which fails on huge values.
        if not number.is_finite():
            raise self._out_of_range()
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise self._out_of_range()
        try:
            rounded = round(number, self.decimals)
        except (InvalidOperation, OverflowError):
            raise self._out_of_range() from None
        if number != rounded:
            raise ValueError(
                ngettext(
                    "Use at most %(decimals)d decimal.",
                    "Use at most %(decimals)d decimals.",
                    self.decimals,
                )
                % {"decimals": self.decimals}
            )
        return str(rounded) if self.decimals else int(rounded)

    def _out_of_range(self) -> ValueError:
        if self.minimum is None or self.maximum is None:
            return ValueError(_("Enter a number."))
        bounds = {"min": self.minimum, "max": self.maximum}
        return ValueError(_("Enter a number from %(min)s to %(max)s.") % bounds)

    def points(self, value) -> int:
        for choice in self.choices:
            if choice.value == value:
                return choice.points or 0
        return 0


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    lower: int | None  # inclusive; None: no lower bound
    upper: int | None  # inclusive; None: no upper bound

    def contains(self, total: int) -> bool:
        return (self.lower is None or total >= self.lower) and (
            self.upper is None or total <= self.upper
        )


@dataclass(frozen=True)
class BandTable:
    """A versioned lookup from a total to a level; an assessment records which one it used."""

    version: str
    name: str
    bands: tuple[Band, ...]

    def level(self, total: int) -> Band:
        for band in self.bands:
            if band.contains(total):
                return band
        raise ValueError(f"{total} is outside every band of {self.version}")


@dataclass(frozen=True)
class Scores:
    totals: dict[str, int] = field(default_factory=dict)
    levels: dict[str, Band] = field(default_factory=dict)  # band table version → band


YES_NO = (Choice("no", _("No"), 0), Choice("yes", _("Yes"), 1))
LOW_MODERATE_HIGH = (
    Choice("low", _("Low")),
    Choice("moderate", _("Moderate")),
    Choice("high", _("High")),
)


class Instrument:
    """Subclasses set the class attributes and, for actuarial tools, `score`."""

    code: str = ""
    name: str = ""
    version: str = ""
    kind: str = ""  # "actuarial", "dynamic" or "structured judgement"
    # The year the instrument (this version) was published: no assessment can predate it.
    published: int = 0
    # Context the assessor records first (eligibility, which items apply).
    facts: tuple[Item, ...] = ()
    items: tuple[Item, ...] = ()
    # Structured professional judgement: the summary the clinician decides; no score does.
    judgements: tuple[Item, ...] = ()
    band_tables: tuple[BandTable, ...] = ()
    total_range: tuple[int, int] | None = None
    reassess_months: int | None = None
    relevance_choices: tuple[Choice, ...] = LOW_MODERATE_HIGH

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def band_table(self, version: str) -> BandTable | None:
        """The band table an assessment used, by the version it recorded."""
        return next((table for table in self.band_tables if table.version == version), None)

    @property
    def is_scored(self) -> bool:
        return self.total_range is not None

    def applicable_items(self, facts: Responses) -> list[Item]:
        """The items known to apply: while a fact is unanswered, an item that depends on it
        is not one of them (STABLE-2007 item 3 before "child victims?" is answered)."""
        return [item for item in self.items if item.applies_to(facts)]

    def has_all_facts(self, facts: Responses) -> bool:
        return all(item.code in facts for item in self.facts)

    def items_kept(self, facts: Responses) -> list[Item]:
        """The items whose ratings a draft keeps: those that apply and, while a fact is
        unanswered, any item it may bring in (its rating waits for the answer)."""
        return self.applicable_items(facts) if self.has_all_facts(facts) else list(self.items)

    def progress(self, facts: Responses, responses: Responses) -> tuple[int, int]:
        """(items rated, items to rate) among the items known to apply."""
        items = self.applicable_items(facts)
        return sum(1 for item in items if item.code in responses), len(items)

    def is_rated(self, facts: Responses, responses: Responses) -> bool:
        """Every fact answered and every item that applies rated: enough for a total."""
        rated, expected = self.progress(facts, responses)
        return self.has_all_facts(facts) and rated == expected

    def missing(
        self, *, facts: Responses, responses: Responses, judgements: Responses
    ) -> list[str]:
        """What is still to answer, rate or decide before signing, named; empty when nothing."""
        messages = [
            _("Not answered yet: %(question)s") % {"question": item.name}
            for item in self.facts
            if item.code not in facts
        ]
        items = [item.code for item in self.applicable_items(facts) if item.code not in responses]
        if items:
            messages.append(
                ngettext(
                    "Item not rated yet: %(items)s.", "Items not rated yet: %(items)s.", len(items)
                )
                % {"items": ", ".join(items)}
            )
        decisions = [str(item.name) for item in self.judgements if item.code not in judgements]
        if decisions:
            messages.append(
                ngettext(
                    "Summary judgement not given yet: %(judgements)s.",
                    "Summary judgements not given yet: %(judgements)s.",
                    len(decisions),
                )
                % {"judgements": ", ".join(decisions)}
            )
        return [str(message) for message in messages]

    def eligibility(self, *, facts: Responses, responses: Responses, sex: str) -> list[str]:
        """Reasons the instrument must not be used for this person; empty when it may.

        Called with what a draft has so far: a rule looks only at the facts it needs, and says
        nothing while they are missing."""
        return []

    def clean(
        self,
        *,
        facts: Responses,
        responses: Responses,
        judgements: Responses,
        sex: str,
        partial: bool = False,
    ) -> tuple[dict, dict, dict, dict[str, list[str]]]:
        """Parse everything; return (facts, responses, judgements, errors by field name).

        `partial` (a draft): what is missing may stay missing; what is given is checked all
        the same. Errors of eligibility (the instrument does not fit this person) come under
        "__all__".
        """
        errors: dict[str, list[str]] = {}

        def parse_all(items, raw, prefix):
            parsed = {}
            for item in items:
                value = raw.get(item.code)
                if partial and (value is None or value == ""):
                    continue
                try:
                    parsed[item.code] = item.parse(value)
                except ValueError as error:
                    errors[f"{prefix}{item.code}"] = [str(error)]
            return parsed

        clean_facts = parse_all(self.facts, facts, "fact_")
        kept = self.items_kept(clean_facts)
        clean_responses = parse_all(kept, responses, "item_")
        relevance = {}
        for item in kept:
            if item.relevance:
                raw = responses.get(f"{item.code}_relevance")
                value = "" if raw is None or raw == "" else str(raw)  # any JSON value: a text
                if value and value not in {c.value for c in self.relevance_choices}:
                    errors[f"item_{item.code}_relevance"] = [str(_("Choose a relevance rating."))]
                elif value:
                    relevance[f"{item.code}_relevance"] = value
        clean_responses.update(relevance)
        clean_judgements = parse_all(self.judgements, judgements, "judgement_")
        if not errors:
            reasons = self.eligibility(facts=clean_facts, responses=clean_responses, sex=sex)
            if reasons:
                errors["__all__"] = [str(reason) for reason in reasons]
        return clean_facts, clean_responses, clean_judgements, errors

    def result(self, *, facts: Responses, responses: Responses) -> Scores:
        """Totals and levels once every item that applies is rated; nothing before (a part
        of the items would give a total that means nothing)."""
        if not self.is_rated(facts, responses):
            return Scores()
        return self.score(facts=facts, responses=responses)

    def score(self, *, facts: Responses, responses: Responses) -> Scores:
        """Totals and levels, from parsed responses. Unscored instruments return nothing."""
        return Scores()

    def points_so_far(self, parsed: Responses, facts: Responses) -> int:
        """The points of the items rated so far (the live total while the form is filled)."""
        return sum(
            item.points(parsed[item.code])
            for item in self.applicable_items(facts)
            if item.code in parsed and item.choices
        )

    def running_total(self, *, facts: Responses, responses: Responses) -> tuple[int, int, int]:
        """(points so far, items rated, items to rate), from raw form values."""

        def parse_what_can_be(items, raw) -> dict:
            parsed = {}
            for item in items:
                with suppress(ValueError):
                    parsed[item.code] = item.parse(raw.get(item.code))
            return parsed

        parsed_facts = parse_what_can_be(self.facts, facts)
        parsed = parse_what_can_be(self.applicable_items(parsed_facts), responses)
        rated, expected = self.progress(parsed_facts, parsed)
        return self.points_so_far(parsed, parsed_facts), rated, expected
