"""Keeps Python's full garbage collections short, so they never stall the window.

A full (oldest-generation) collection walks every object the process holds and keeps the GIL
while it does. With the window, the question bank and the analyser loaded (~100,000 objects)
one took 70–150 ms here while Progress drew its charts in this process (they are drawn in a
child process now, :mod:`desktop_app.reports.chart_process`; answers being scored and
transcribed still churn objects). Objects that live until the app quits (modules, widgets,
the bank, the analyser's lexicons) never become garbage, so once they are loaded
:func:`settle` moves them out of the collector's sight (``gc.freeze``): later full
collections walk only what came after. Cheap (it moves lists), and once per reason.
"""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger(__name__)
_lock = threading.Lock()
_settled: set[str] = set()


def settle(reason: str) -> bool:
    """Freeze what is alive now, once per ``reason`` ("window shown", "charts", …); True when
    it froze."""
    with _lock:
        if reason in _settled:
            return False
        _settled.add(reason)
    before = gc.get_freeze_count()
    gc.freeze()
    log.debug("heap settled after %s: %d objects set aside (%d in all)", reason,
              gc.get_freeze_count() - before, gc.get_freeze_count())
    return True
