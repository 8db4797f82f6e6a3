"""The helpline's figures for a month or a year, with small cells suppressed everywhere they
are shown (page, CSV, API): a count from 1 to HELPLINE_SMALL_CELL - 1 is hidden, so that a rare
combination cannot point at a caller, and so are enough other figures that no hidden one can be
worked out from the totals (common.suppression). A hidden figure reads "×". The counts are
added up from those kept by month (helpline.counts), not counted from the contacts at each
look. docs/helpline.md."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.dates import add_months
from common.suppression import suppress
from helpline.models import Contact, MonthlyCount, MonthlyTagCount, ProblemTag, ReferralService

EARLIEST_YEAR = 2000


# One mark for every hidden figure, small or hidden with it: two marks would tell a reader
# which hidden figures are under 5 and which are not, bounds that can pin one down.
HIDDEN = "×"


@dataclass
class Row:
    label: str
    key: str
    counts: list[int]  # one per column
    total: int = 0
    hidden: set[int] = field(default_factory=set)  # the columns whose count is not shown
    total_hidden: bool = False

    @property
    def cells(self) -> list[int | str]:
        return [HIDDEN if c in self.hidden else count for c, count in enumerate(self.counts)]

    @property
    def shown_total(self) -> int | str:
        return HIDDEN if self.total_hidden else self.total


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    chart: str = ""  # the page's SVG (helpline.charts), drawn from the totals


@dataclass
class Figures:
    year: int
    month: int | None
    columns: list[datetime.date]  # the first day of each month shown
    contacts: Row
    tables: list[Table]

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)


def _month_counts(model, first: datetime.date, after: datetime.date) -> list[dict]:
    """The counts kept for the months from `first` to before `after` (helpline.counts), one
    row per month and combination, its month number as "column": a few hundred rows a year,
    read in one query whatever the number of contacts."""
    rows = list(model.objects.filter(month__gte=first, month__lt=after).values().order_by())
    for row in rows:
        row["column"] = row.pop("month").month
        if "referral_id" in row:
            row["referral"] = row.pop("referral_id")
    return rows


def _by_column(rows: list[dict], month: int | None, group: str | None, keep=lambda row: True):
    """{(value, column index): count} for one dimension, added up from _month_counts' rows
    that `keep` keeps."""
    found: dict[tuple, int] = {}
    for row in rows:
        if not keep(row):
            continue
        column = 0 if month else row["column"] - 1
        key = row[group] if group else None
        found[(key, column)] = found.get((key, column), 0) + row["n"]
    return found


def _row(label, key, found, value, width) -> Row:
    counts = [found.get((value, column), 0) for column in range(width)]
    return Row(label=str(label), key=str(key), counts=counts, total=sum(counts))


def figures(year: int, month: int | None = None) -> Figures:
    """Every table of a year (a column per month) or of one month."""
    first = datetime.date(year, month or 1, 1)
    after = add_months(first, 1 if month else 12)
    width = 1 if month else 12
    columns = [datetime.date(year, m, 1) for m in ([month] if month else range(1, 13))]
    rows = _month_counts(MonthlyCount, first, after)
    contacts = _row(_("Contacts"), "contacts", _by_column(rows, month, None), None, width)

    def is_answered(row):
        return not row["missed"]

    channel = _by_column(rows, month, "channel")
    caller = _by_column(rows, month, "caller_type", is_answered)
    tag = _by_column(_month_counts(MonthlyTagCount, first, after), month, "tag_id")
    referral = _by_column(
        rows, month, "referral", lambda row: is_answered(row) and row["referral"] is not None
    )
    repeat = _by_column(rows, month, "repeat", is_answered)
    missed = _by_column(rows, month, None, lambda row: row["missed"])
    hung_up = _by_column(rows, month, None, lambda row: is_answered(row) and row["hung_up"])

    tables = [
        Table(
            "channel",
            str(_("By channel")),
            [_row(label, v, channel, v, width) for v, label in Contact.Channel.choices],
        ),
        Table(
            "caller_type",
            str(_("Who is calling (answered contacts)")),
            [_row(label, v, caller, v, width) for v, label in Contact.CallerType.choices]
            + [_row(_("Not recorded"), "none", caller, "", width)],
        ),
        Table(
            "tags",
            str(_("What it is about (answered contacts; several per contact)")),
            [_row(t.name, t.code, tag, t.pk, width) for t in ProblemTag.objects.all()],
        ),
        Table(
            "referral",
            str(_("Referred to")),
            [_row(r.name, r.pk, referral, r.pk, width) for r in ReferralService.objects.all()],
        ),
        Table(
            "first_or_repeat",
            str(_("First or repeat contact (answered contacts)")),
            [
                _row(_("First contact"), "first", repeat, False, width),
                _row(_("Repeat contact"), "repeat", repeat, True, width),
            ],
        ),
        Table(
            "missed",
            str(_("Missed and silent contacts")),
            [
                _row(_("Missed contacts"), "missed", missed, None, width),
                _row(_("Hung up before speaking"), "hung_up", hung_up, None, width),
            ],
        ),
    ]
    _suppress(contacts, tables, width)
    return Figures(year=year, month=month, columns=columns, contacts=contacts, tables=tables)


def sums(contacts: Row, tables: list[Table], width: int) -> list[tuple[tuple, list[tuple]]]:
    """Every sum a reader can form from the published figures, as (total, parts), a figure
    keyed (table, row, column index or "total"). Besides each row's total: the channels add up
    to the contacts of each month; the answered contacts (who is calling, or first and repeat
    contacts) and the missed ones do too. Not the problem tags (one contact may have several),
    the referrals (most contacts have none, and that count is not published) or the callers who
    hung up (a part of the answered contacts, beside the others)."""
    rows = {(table.key, row.key): row for table in tables for row in table.rows}
    rows["contacts", "contacts"] = contacts
    found = [((*key, "total"), [(*key, column) for column in range(width)]) for key in rows]
    answered = {
        "caller_type": [row.key for row in _table(tables, "caller_type").rows],
        "first_or_repeat": ["first", "repeat"],
    }
    for column in range(width):
        contacts_then = ("contacts", "contacts", column)
        channels = [("channel", row.key, column) for row in _table(tables, "channel").rows]
        found.append((contacts_then, channels))
        for table, keys in answered.items():
            parts = [("missed", "missed", column)] + [(table, key, column) for key in keys]
            found.append((contacts_then, parts))
    return found


def _table(tables: list[Table], key: str) -> Table:
    return next(table for table in tables if table.key == key)


def _suppress(contacts: Row, tables: list[Table], width: int) -> None:
    """Marks the figures to hide, every table at once: the tables share their monthly totals
    (the contacts) and the missed contacts, so a figure hidden in one must not be given back by
    another."""
    rows = [("contacts", contacts)] + [(table.key, row) for table in tables for row in table.rows]
    counts: dict[tuple, int] = {}
    for table_key, row in rows:
        for column, count in enumerate(row.counts):
            counts[table_key, row.key, column] = count
        counts[table_key, row.key, "total"] = row.total
    hidden = suppress(counts, sums(contacts, tables, width), settings.HELPLINE_SMALL_CELL)
    for table_key, row in rows:
        row.hidden = {c for c in range(width) if (table_key, row.key, c) in hidden}
        row.total_hidden = (table_key, row.key, "total") in hidden


def as_data(figures: Figures) -> dict:
    """The figures for the API and the CSV: suppressed the same way as on the page."""
    return {
        "period": figures.period,
        "small_cell_limit": settings.HELPLINE_SMALL_CELL,
        "hidden_as": HIDDEN,
        "contacts": figures.contacts.shown_total,
        "tables": {
            table.key: {
                row.key: {"label": row.label, "total": row.shown_total, "by_month": row.cells}
                if figures.month is None
                else {"label": row.label, "total": row.shown_total}
                for row in table.rows
            }
            for table in figures.tables
        },
    }
