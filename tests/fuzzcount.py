"""Tried / survived counts of the robustness tests, printed in the pytest summary.

``conftest.py`` counts every hypothesis example of every test file by itself (an example
that raised counts as tried, not survived; one hypothesis discarded with ``assume`` not
at all). Tests that count their own tries (kill -9 runs, fault injection) call
``record``. The README's reliability table cites these lines.
"""

from __future__ import annotations

COUNTS: dict[str, list[int]] = {}  # what -> [tried, survived]


def record(what: str, tried: int, survived: int) -> None:
    c = COUNTS.setdefault(what, [0, 0])
    c[0] += tried
    c[1] += survived
