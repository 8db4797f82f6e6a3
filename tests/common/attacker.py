"""The reader who tries to undo suppression: given the published figures (hidden ones unknown) and
the sums that tie them together, how low and how high can each hidden figure go? A figure whose
lowest and highest value meet has been recovered. scipy's linear programming, as a reader with
the figures in a spreadsheet would do it."""

import math
from collections.abc import Hashable, Iterable, Mapping

from scipy.optimize import linprog


def ranges(
    published: Mapping[Hashable, int | None],
    sums: Iterable[tuple[Hashable, Iterable[Hashable]]],
    *,
    lowest: int = 0,
) -> dict[Hashable, tuple[float, float]]:
    """{hidden figure: (min, max)} subject to the sums and every hidden figure >= lowest.
    published: every figure, None where it is hidden."""
    unknown = [key for key, value in published.items() if value is None]
    column = {key: index for index, key in enumerate(unknown)}
    matrix, constants = [], []
    for total, parts in sums:
        row = [0.0] * len(unknown)
        constant = 0.0
        for key, sign in [(total, 1), *((part, -1) for part in parts)]:
            if published[key] is None:
                row[column[key]] += sign
            else:
                constant -= sign * published[key]
        if any(row):
            matrix.append(row)
            constants.append(constant)
        else:
            assert math.isclose(constant, 0), f"the published figures break the sum of {total!r}"
    found = {}
    for key in unknown:
        bounds = []
        for sign in (1, -1):
            objective = [0.0] * len(unknown)
            objective[column[key]] = sign
            result = linprog(
                objective,
                A_eq=matrix or None,
                b_eq=constants or None,
                bounds=[(lowest, None)] * len(unknown),
                method="highs",
            )
            if result.status == 3:  # unbounded: no highest value
                bounds.append(math.inf)
            else:
                assert result.status == 0, result.message
                bounds.append(sign * result.fun)
        found[key] = (bounds[0], bounds[1])
    return found


def recovered(
    published: Mapping[Hashable, int | None],
    sums: Iterable[tuple[Hashable, Iterable[Hashable]]],
) -> dict[Hashable, float]:
    """The hidden figures pinned to one value, with that value."""
    return {key: low for key, (low, high) in ranges(published, sums).items() if high - low < 1e-6}
