"""Charts drawn in a child process, so matplotlib never holds the window's GIL.

Drawn on a background thread of the window's own process, the charts froze the window for
140–290 ms each time Progress opened: matplotlib keeps the GIL for long stretches, and every
layout or paint the window does calls back into Python. The same charts drawn by a process of
their own leave the window free (``bench/progress.py`` prints the longest stall). The child is
spawned on first use (never at start-up: it costs ~0.5 s and ~60 MB, for users who never open
Progress), keeps matplotlib loaded, and goes with the app. If it cannot be started or dies
twice, charts are drawn in this process as before, slower to the eye but never missing.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from desktop_app.reports.model import Report

log = logging.getLogger(__name__)
T = TypeVar("T")


class ChartDrawer(Protocol):
    """Draws a chart of :data:`desktop_app.reports.charts.CHARTS` by name."""

    def rgba(self, name: str, report: Report, width: int, height: int,
             scale: float = 1.0) -> tuple[bytes, int, int]: ...

    def svg(self, name: str, report: Report, width_in: float) -> bytes: ...

    def close(self) -> None: ...


def _rgba(name: str, report: Report, width: int, height: int,
          scale: float) -> tuple[bytes, int, int]:
    """In whichever process runs it: the chart as RGBA pixels."""
    from desktop_app.reports import charts  # numpy, then matplotlib when first drawn

    return charts.render_rgba(charts.CHARTS[name], report, width, height, scale)


def _svg(name: str, report: Report, width_in: float) -> bytes:
    """In whichever process runs it: the chart as SVG (for the PDF)."""
    from desktop_app.reports import charts

    return charts.render_svg(charts.CHARTS[name], report, width_in)


class InProcessCharts:
    """Draws on the calling thread (the command line; the fallback)."""

    def rgba(self, name: str, report: Report, width: int, height: int,
             scale: float = 1.0) -> tuple[bytes, int, int]:
        return _rgba(name, report, width, height, scale)

    def svg(self, name: str, report: Report, width_in: float) -> bytes:
        return _svg(name, report, width_in)

    def close(self) -> None:
        pass


class ChartProcess:
    """Draws in one spawned child process, started on first use (any thread may call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._failures = 0
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._closed or self._failures >= 2:
                return None
            if self._pool is None:
                # spawn, never fork: the window's process holds Qt and threads
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def _broken(self, pool: ProcessPoolExecutor, exc: BaseException) -> None:
        with self._lock:
            self._failures += 1
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        log.warning("the chart process failed (%s)%s", exc,
                    "; drawing charts in the window's process from now on"
                    if self._failures >= 2 else "; starting a new one")

    def _call(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the child; in this process when there is none to be had."""
        for _ in range(2):
            pool = self._executor()
            if pool is None:
                break
            try:
                future = pool.submit(fn, *args)  # starts the child the first time
            except (OSError, RuntimeError) as exc:  # it could not be started
                self._broken(pool, exc)
                continue
            try:
                return future.result()  # a chart's own error is raised here, as in-process
            except BrokenProcessPool as exc:  # the child died
                self._broken(pool, exc)
        return fn(*args)

    def rgba(self, name: str, report: Report, width: int, height: int,
             scale: float = 1.0) -> tuple[bytes, int, int]:
        return self._call(_rgba, name, report, width, height, scale)

    def svg(self, name: str, report: Report, width_in: float) -> bytes:
        return self._call(_svg, name, report, width_in)

    @property
    def running(self) -> bool:
        """A child process is up (tests)."""
        with self._lock:
            return self._pool is not None

    def close(self) -> None:
        """Stop the child (the app is quitting); later calls draw in this process."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
