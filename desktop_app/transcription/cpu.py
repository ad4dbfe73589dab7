"""How many CPU cores other programs leave free, for choosing the transcriber's thread count.

Intra-op parallelism waits for its slowest thread: with one of two cores taken by a browser or a
video call, two torch threads ran tiny.en 2x slower than one, and at nice 5 6.6x slower
(notes/cpu-load.md). So the transcription process picks its thread count before each call from
what the rest of the machine used since the last one: Linux's /proc/stat (all processes' busy
time) minus this process's own CPU time. Without /proc/stat the load average stands in.

Niced work elsewhere counts as busy: on a desktop each app runs in its own scheduling group
(systemd cgroups, or the kernel's autogroups), and nice only ranks processes inside one group,
so a niced build in a terminal takes its share like any other program. A second thread is worth
it once half a core more is free (``round_up``): the app's own recorder and voice detector take
0.2-0.3 of a core, and rounding down from 1.7 free cores ran an idle machine on one thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def _read_stat(path: Path) -> tuple[float, float] | None:
    """(busy, total) jiffies of all CPUs, or None if unreadable."""
    try:
        with path.open(encoding="ascii") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    values = [float(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


class FreeCores:
    """Cores other processes left free since the previous call of :meth:`sample`.

    ``stat``, ``own_cpu`` and ``clock`` are the machine's by default (collaborators for tests)."""

    def __init__(
        self, *, cores: int | None = None, stat: Path = Path("/proc/stat"),
        own_cpu: Callable[[], float] = _own_cpu_s, clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.cores = cores or os.cpu_count() or 1
        self._stat, self._own_cpu, self._clock = stat, own_cpu, clock
        self._last = self._now()

    def _now(self) -> tuple[tuple[float, float] | None, float, float]:
        return _read_stat(self._stat), self._own_cpu(), self._clock()

    def sample(self) -> float:
        """Free cores (0..cores) since the last sample."""
        (stat0, own0, t0), now = self._last, self._now()
        self._last = now
        stat1, own1, t1 = now
        if stat0 is None or stat1 is None or stat1[1] <= stat0[1] or t1 <= t0:
            try:
                others = os.getloadavg()[0]
            except OSError:
                return float(self.cores)
        else:
            busy = (stat1[0] - stat0[0]) / (stat1[1] - stat0[1]) * self.cores
            others = busy - (own1 - own0) / (t1 - t0)
        return min(float(self.cores), max(0.0, self.cores - others))

    def threads(self, most: int, *, round_up: float = 0.5) -> int:
        """Threads to use now: the free cores, a fraction of at least ``round_up`` counting as
        one (at least 1, at most ``most``)."""
        return max(1, min(most, int(self.sample() + 1.0 - round_up)))
