"""Small-cell suppression with secondary (complementary) suppression, for published counts.

A count from 1 to threshold - 1 is hidden (primary suppression): it could point at a person.
Hiding it is not enough when totals are published: a row total minus the row's other cells gives
it back. So more figures are hidden (complementary suppression) until no hidden figure can be
worked out exactly from what is published.

The model: every published number is a "figure" (a cell or a total), and what ties them together
is a list of sums, "this figure is the sum of those". A reader who knows the sums and the shown
figures has a linear system in the hidden ones. A hidden figure is given away exactly when its
value is the same in every solution, that is when its unit vector lies in the row space of the
sums restricted to the hidden figures. That is checked with exact rational elimination: no
heuristic such as "two hidden cells in every row and column", which misses a hidden cell that is
the only link (a bridge) between two groups of hidden cells.

Why zeros are never hidden as complements: when every hidden figure is above zero, the true
table sits strictly inside the bounds "every count >= 0", so a figure the sums leave free can move
both up and down without breaking a bound; the rank test is then as strong as a reader who also
uses those bounds (a linear program). A hidden zero sits on its bound, and the bound may pin it
or its neighbours. Hiding every non-zero figure always works (the sums become homogeneous, and a
solution can be scaled), so a choice without zeros always exists.

A total from 1 to threshold - 1 is a small count too and hidden the same way; the sums it takes
part in (the grand total is the sum of the row totals) are checked like the others, so whatever
would give it back is hidden as well. A row whose only non-zero cell is hidden needs no special
case either: "total = that cell" is one of the sums, so the check hides the total or another
cell of its column.

Pure Python, no framework: the clinic's statistics and the helpline's use it alike.
"""

from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

THRESHOLD = 5


def _equations(sums: Iterable[tuple[K, Iterable[K]]]) -> list[dict[K, int]]:
    """Each sum as coefficients: the total +1, each part -1 (equal to 0)."""
    equations = []
    for total, parts in sums:
        equation: dict[K, int] = {total: 1}
        for part in parts:
            equation[part] = equation.get(part, 0) - 1
        equations.append({key: c for key, c in equation.items() if c})
    return equations


# Exact numbers: ints while they stay whole (with coefficients of +-1 they mostly do, and ints
# are ten times faster than fractions), Fractions when a division needs one.
Number = int | Fraction


def _determined(
    equations: list[dict[K, int]], hidden: set[K], order: Mapping[K, int]
) -> dict[K, dict[int, Number]]:
    """The hidden figures the equations give back exactly, each with its proof: the combination
    of equations (by index) that leaves that figure alone among the hidden ones.

    Gauss-Jordan elimination on the equations restricted to the hidden figures, sparse rows of
    exact numbers. In reduced row echelon form e_j lies in the row space iff column j is a pivot
    and its row has no other entry, so one elimination answers for every figure at once."""
    # pivot figure -> (its row, pivot coefficient 1; the equations it combines)
    pivots: dict[K, tuple[dict[K, Number], dict[int, Number]]] = {}

    def subtract(
        row: dict[K, Number],
        history: dict[int, Number],
        factor: Number,
        other_row: dict[K, Number],
        other_history: dict[int, Number],
    ) -> tuple[dict[K, Number], dict[int, Number]]:
        """row - factor * other_row, and the same for the equations they combine."""
        for key, value in other_row.items():
            row[key] = row.get(key, 0) - factor * value
        for index, value in other_history.items():
            history[index] = history.get(index, 0) - factor * value
        return (
            {key: value for key, value in row.items() if value},
            {index: value for index, value in history.items() if value},
        )

    def divide(value: Number, scale: Number) -> Number:
        if scale in (1, -1):
            return value * scale
        quotient = Fraction(value) / scale
        return int(quotient) if quotient.denominator == 1 else quotient

    for number, equation in enumerate(equations):
        row: dict[K, Number] = {key: c for key, c in equation.items() if key in hidden}
        history: dict[int, Number] = {number: 1}
        # The pivot rows hold no other pivot column (kept reduced below), so one pass suffices.
        for pivot in [key for key in row if key in pivots]:
            row, history = subtract(row, history, row[pivot], *pivots[pivot])
        if not row:
            continue
        pivot = min(row, key=order.__getitem__)
        scale = row[pivot]
        row = {key: divide(value, scale) for key, value in row.items()}
        history = {index: divide(value, scale) for index, value in history.items()}
        for other, (other_row, other_history) in pivots.items():
            if pivot in other_row:
                pivots[other] = subtract(other_row, other_history, other_row[pivot], row, history)
        pivots[pivot] = (row, history)
    return {pivot: history for pivot, (row, history) in pivots.items() if len(row) == 1}


def _leaks(equations: list[dict[K, int]], proof: dict[int, Number], hidden: set[K]) -> set[K]:
    """The shown figures a proof reads: hiding any one of them breaks that proof."""
    combined: dict[K, Number] = {}
    for index, factor in proof.items():
        for key, c in equations[index].items():
            if key not in hidden:
                combined[key] = combined.get(key, 0) + factor * c
    return {key for key, value in combined.items() if value}


def determined(
    counts: Mapping[K, int], sums: Iterable[tuple[K, Iterable[K]]], hidden: Iterable[K]
) -> set[K]:
    """Which of the hidden figures a reader works out exactly from the shown ones and the sums."""
    order = {key: index for index, key in enumerate(counts)}
    return set(_determined(_equations(sums), set(hidden), order))


def suppress(
    counts: Mapping[K, int],
    sums: Iterable[tuple[K, Iterable[K]]],
    threshold: int = THRESHOLD,
) -> frozenset[K]:
    """The figures to hide: every count from 1 to threshold - 1, and enough others that none of
    them can be worked out from the shown figures and the sums.

    counts: every figure that would be published (cells and totals), by key, in a stable order
    (ties are broken by it, so the result is deterministic). sums: (total, parts) pairs, each a
    true sum of the counts; a sum that does not add up is a mistake in the model: ValueError.
    """
    listed = [(total, list(parts)) for total, parts in sums]
    for total, parts in listed:
        if counts[total] != sum(counts[part] for part in parts):
            raise ValueError(f"{total!r} is not the sum of its parts")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts are never negative")
    order = {key: index for index, key in enumerate(counts)}
    equations = _equations(listed)
    primary = {key for key, count in counts.items() if 0 < count < threshold}
    hidden = set(primary)
    while exposed := _determined(equations, hidden, order):
        # Each given-away figure comes with the sums that give it away and the shown figures
        # they read; one of those must be hidden. The proof reads a non-zero one: the figure is
        # above zero and equals a combination of shown figures. Hide the one read by the most
        # proofs (it sets the most free: on 200 random tables this hid a fifth less than taking
        # the smallest first), then the smallest (it loses the least), then the first in order.
        read: dict[K, int] = {}
        for proof in exposed.values():
            for key in _leaks(equations, proof, hidden):
                if counts[key]:
                    read[key] = read.get(key, 0) + 1
        hidden.add(min(read, key=lambda key: (-read[key], counts[key], order[key])))
    # The greedy steps may have hidden more than needed: give back each complement, largest
    # first, whose hiding turned out not to matter.
    for key in sorted(hidden - primary, key=lambda k: (-counts[k], -order[k])):
        hidden.discard(key)
        if _determined(equations, hidden, order):
            hidden.add(key)
    return frozenset(hidden)
