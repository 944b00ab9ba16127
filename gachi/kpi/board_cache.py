"""What the board shows the same to every staff member between two refreshes, kept in
the worker's memory.

The board's tables by district, by problem category and by complex, its weekly activity
and its turnout chart come only from the figures computed ahead (gachi/kpi/refresh.py):
until the next refresh lands they are the same for every staff member who asks for the
same page, filters and language. Rendering them is most of the board's CPU (a complex
page is ~700 formatted numbers), so each worker keeps them, rendered, per cohort and
for one version of the figures only: the refresh's `computed_at`, read on every
request, so a refresh landing in any worker (or the scheduler's process) is seen by all
of them at their next request, and a refresh in this process forgets them at once.
What can change without a refresh (targets, figures entered by hand before their
refresh, the KPIs' names, business models, the cohort's name) is not kept: it is read
and rendered on every request, as before.

No Redis: a worker keeps at most `PAGES_PER_COHORT` rendered pages per cohort (about
100 kB each at 50 complexes a page), the least recently used dropped first. Names kept
in the rendered tables (a complex's, a category's) change there at the next refresh,
at most a refresh period later, like the figures beside them.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

PAGES_PER_COHORT = 128
EXTENSION = "gachi.kpi.board_cache"


class FiguresCache:
    """{cohort: (version, {key: value})}, one version per cohort: a request that reads
    another version (a refresh landed) drops what was kept for the previous one."""

    def __init__(self, per_cohort: int = PAGES_PER_COHORT):
        self.per_cohort = per_cohort
        self._lock = threading.Lock()
        self._cohorts: dict[int, tuple[Hashable, OrderedDict]] = {}
        self.hits = self.misses = 0

    def get(self, cohort_id: int, version: Hashable, key: Hashable, make: Callable[[], Any]):
        with self._lock:
            kept = self._cohorts.get(cohort_id)
            if kept is not None and kept[0] == version and key in kept[1]:
                kept[1].move_to_end(key)
                self.hits += 1
                return kept[1][key]
        value = make()  # outside the lock: another thread may make the same meanwhile
        with self._lock:
            self.misses += 1
            kept = self._cohorts.get(cohort_id)
            if kept is None or kept[0] != version:
                kept = self._cohorts[cohort_id] = (version, OrderedDict())
            kept[1][key] = value
            while len(kept[1]) > self.per_cohort:
                kept[1].popitem(last=False)
        return value

    def forget(self, cohort_id: int) -> None:
        with self._lock:
            self._cohorts.pop(cohort_id, None)

    def __len__(self) -> int:
        return sum(len(kept[1]) for kept in self._cohorts.values())


def figures_cache(app: Flask | None = None) -> FiguresCache:
    """The app's cache (one per app, so one per worker, and none shared between tests)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions.setdefault(EXTENSION, FiguresCache())
