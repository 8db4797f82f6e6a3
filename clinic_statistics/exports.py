"""The indicators as they may leave the clinic (for the support centre, for researchers): no
name, no file number, no date, only the year's counts, with small cells hidden by secondary
suppression (common.suppression, docs/statistics.md "Small cells and secondary suppression").

- A count from 1 to 4 is hidden, and enough other counts that none can be worked out from the
  totals: a table's rows add up to its total; tables of the same people share one total (the
  Static-99R at intake and latest); the referrals are the total of the referrals by source;
  the sessions planned are the individual and the group ones.
- A share, a median or a percentile is hidden when it is counted out of fewer than 5, and a
  share also when the count it stands for, or what it leaves out, is from 1 to 4: 1 of 40 is
  2.5%, which gives the 1 back.
"""

from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clinic_statistics.indicators import Figure, Indicators, Table
from common.suppression import suppress

HIDDEN = "×"
COLUMNS = ("section", "table", "key", "label", "value", "unit", "denominator")
# Counts published beside the parts they add up to (the total first).
FIGURE_SUMS = (("sessions_planned", ("sessions_individual", "sessions_group")),)
# Shares and medians counted out of a count published as a figure of its own.
DENOMINATOR_OF = {
    "waiting_median_days": "admissions",
    "waiting_p90_days": "admissions",
    "letters_signed_on_time": "letters_due",
    "letters_sent_on_time": "letters_due",
}


def _denominator_key(figure: Figure) -> str:
    return DENOMINATOR_OF.get(figure.key, f"{figure.key}:n")


def _total_key(table: Table) -> str:
    return table.total_key or f"{table.key}:total"


def hidden_keys(figures: Indicators, threshold: int) -> frozenset[str]:
    """The keys of the counts an export hides: figures by their key, table rows as
    table:row, table totals by their total key."""
    counts: dict[str, int] = {}
    sums: list[tuple[str, list[str]]] = []
    for section in figures.sections:
        for figure in section.figures:
            if not figure.unit and isinstance(figure.value, int):
                counts[figure.key] = figure.value
            elif figure.denominator is not None:
                counts.setdefault(_denominator_key(figure), figure.denominator)
        for table in section.tables:
            parts = []
            for row in table.rows:
                counts[f"{table.key}:{row.key}"] = row.count
                parts.append(f"{table.key}:{row.key}")
            counts[_total_key(table)] = table.total
            sums.append((_total_key(table), parts))
    sums.extend(
        (total, list(parts))
        for total, parts in FIGURE_SUMS
        if total in counts and all(part in counts for part in parts)
    )
    return suppress(counts, sums, threshold)


def _shown_derived(figure: Figure, threshold: int) -> bool:
    """A share, a median or a percentile: shown only out of enough people (see above)."""
    if figure.denominator is None or figure.value is None:
        return True
    if figure.denominator < threshold:
        return False
    if figure.part is not None:  # a share: the count it stands for, and what it leaves out
        left_out = figure.denominator - figure.part
        return not (0 < figure.part < threshold or 0 < left_out < threshold)
    return True


def published_rows(figures: Indicators) -> Iterator[tuple]:
    """The rows of the export, hidden figures as HIDDEN: the figures, then each table's rows
    and its total."""
    threshold = settings.HELPLINE_SMALL_CELL
    hidden = hidden_keys(figures, threshold)

    def shown(key: str, value):
        return HIDDEN if key in hidden else value

    for section in figures.sections:
        for figure in section.figures:
            value: int | float | str
            if figure.hidden:
                value = HIDDEN
            elif figure.value is None:
                value = ""
            elif figure.unit:
                value = figure.value if _shown_derived(figure, threshold) else HIDDEN
            else:
                value = shown(figure.key, figure.value)
            denominator = "" if figure.denominator is None else figure.denominator
            if figure.denominator is not None and _denominator_key(figure) in hidden:
                value = denominator = HIDDEN
            yield (section.key, "", figure.key, figure.label, value, figure.unit, denominator)
        for table in section.tables:
            for row in table.rows:
                value = shown(f"{table.key}:{row.key}", row.count)
                yield (section.key, table.key, row.key, row.label, value, "", "")
            total = shown(_total_key(table), table.total)
            yield (section.key, table.key, "total", str(_("Total")), total, "", "")
