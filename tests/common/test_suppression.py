"""Secondary suppression on hand-written tables: every count under 5 is hidden, and so is enough
of its row and column that a reader with the totals cannot work it out (common/suppression.py).
Each protected table is checked by the attacker of tests/common/attacker.py."""

import random

import pytest

from common.suppression import THRESHOLD, determined, suppress
from tests.common.attacker import recovered

# Two 2 x 2 blocks of small cells, (0..1, 0..1) and (2..3, 2..3), joined by the small cell (1, 2):
# every row and column with a hidden cell has two or more, yet (1, 2) is the only link between
# the blocks (a bridge) and rows 0-1 against columns 0-1 give it back.
BRIDGED = [
    [2, 3, 20, 30, 9],
    [4, 1, 3, 40, 8],
    [30, 20, 2, 4, 7],
    [25, 35, 1, 3, 6],
]


def figures(table, *, row_totals=True, column_totals=True, grand_total=True):
    """The figures of a table and the sums between them: its cells, and the margins published."""
    counts = {("cell", i, j): c for i, row in enumerate(table) for j, c in enumerate(row)}
    sums = []
    width = len(table[0])
    if row_totals:
        for i, row in enumerate(table):
            counts[("row", i)] = sum(row)
            sums.append((("row", i), [("cell", i, j) for j in range(width)]))
    if column_totals:
        for j in range(width):
            counts[("column", j)] = sum(row[j] for row in table)
            sums.append((("column", j), [("cell", i, j) for i in range(len(table))]))
    if grand_total:
        counts[("grand",)] = sum(map(sum, table))
        sums.append((("grand",), [("cell", i, j) for i in range(len(table)) for j in range(width)]))
    return counts, sums


def hide(table, **margins) -> frozenset:
    """What suppress() hides of a table with these margins."""
    counts, sums = figures(table, **margins)
    return suppress(counts, sums)


def cells(hidden) -> set:
    return {(key[1], key[2]) for key in hidden if key[0] == "cell"}


def totals(hidden, kind: str) -> set:
    return {key[1] for key in hidden if key[0] == kind}


def as_published(counts, hidden):
    return {key: None if key in hidden else count for key, count in counts.items()}


def primary(counts):
    return {key for key, count in counts.items() if 0 < count < THRESHOLD}


def test_without_margins_only_the_small_cells_are_hidden():
    hidden = hide([[3, 7], [0, 12]], row_totals=False, column_totals=False, grand_total=False)
    assert hidden == {("cell", 0, 0)}


def test_a_row_total_would_give_a_lone_small_cell_away():
    table = [[3, 7, 8]]
    hidden = hide(table, column_totals=False, grand_total=False)
    # the smallest other cell goes with it, not the 8 and not the total
    assert hidden == {("cell", 0, 0), ("cell", 0, 1)}
    counts, sums = figures(table, column_totals=False, grand_total=False)
    assert recovered(as_published(counts, primary(counts)), sums) == {("cell", 0, 0): 3}
    assert recovered(as_published(counts, hidden), sums) == {}


def test_a_full_table_gets_a_rectangle():
    table = [[3, 10, 20], [8, 15, 30], [9, 25, 40]]
    hidden = hide(table)
    # the cheapest rectangle through (0, 0): row 0's 10, column 0's 8, and (1, 1) to close it
    assert cells(hidden) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    counts, sums = figures(table)
    assert recovered(as_published(counts, hidden), sums) == {}


def test_the_two_per_row_and_column_rule_misses_a_bridge():
    counts, sums = figures(BRIDGED)
    small = primary(counts)
    cells = [(key[1], key[2]) for key in small]
    # the naive rule is satisfied: no row or column holds exactly one hidden cell
    for index in (0, 1):
        lines = {cell[index] for cell in cells}
        assert all(sum(1 for cell in cells if cell[index] == line) >= 2 for line in lines)
    # but the bridge is given back, by the rank test and by the attacker alike
    assert determined(counts, sums, small) == {("cell", 1, 2)}
    assert recovered(as_published(counts, small), sums) == {("cell", 1, 2): 3}
    # suppress() hides more, and then nothing can be recovered
    hidden = hide(BRIDGED)
    assert hidden > small
    assert determined(counts, sums, hidden) == set()
    assert recovered(as_published(counts, hidden), sums) == {}


def test_a_small_total_is_hidden_and_so_is_what_would_give_it_back():
    table = [[3, 0, 0], [10, 12, 0]]
    hidden = hide(table)
    assert 0 in totals(hidden, "row")  # 3: a small count itself
    assert (0, 0) in cells(hidden)
    # a zero is never hidden: a hidden zero would be pinned by "no count is negative"
    assert not cells(hidden) & {(0, 1), (0, 2), (1, 2)}
    assert 2 not in totals(hidden, "column")
    counts, sums = figures(table)
    assert recovered(as_published(counts, hidden), sums) == {}


def test_a_row_with_one_non_zero_cell_hides_its_total_with_it():
    # row 0's only count, 6, is the cheapest complement for the 3 below it in column 0; its row
    # total equals it and would give it back, so the total is hidden with it
    table = [[6, 0, 0], [3, 0, 20], [30, 40, 50]]
    hidden = hide(table)
    assert (0, 0) in cells(hidden) and 0 in totals(hidden, "row")
    counts, sums = figures(table)
    assert recovered(as_published(counts, hidden), sums) == {}


def test_a_sum_that_does_not_add_up_is_refused():
    with pytest.raises(ValueError):
        suppress({"a": 3, "b": 4, "total": 8}, [("total", ["a", "b"])])


def test_the_result_is_the_same_every_time():
    assert len({hide(BRIDGED) for _ in range(5)}) == 1


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_are_protected(seed):
    rng = random.Random(seed)
    width = rng.randint(1, 6)
    table = [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(width)]
        for _ in range(rng.randint(1, 6))
    ]
    margins = {
        "row_totals": rng.random() < 0.8,
        "column_totals": rng.random() < 0.8,
        "grand_total": rng.random() < 0.8,
    }
    hidden = hide(table, **margins)
    counts, sums = figures(table, **margins)
    assert primary(counts) <= hidden
    assert all(counts[key] > 0 for key in hidden)
    assert recovered(as_published(counts, hidden), sums) == {}


def test_a_year_of_thirty_rows_keeps_every_hidden_count_hidden():
    rng = random.Random(7)
    table = [[rng.choice([0, 1, 3, 6, 8, 12, 20, 45]) for _ in range(12)] for _ in range(30)]
    hidden = hide(table)
    counts, sums = figures(table)
    assert primary(counts) <= hidden
    assert determined(counts, sums, hidden) == set()
