"""FreeCores: the cores other programs leave free, from /proc/stat minus our own CPU time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.transcription.cpu import FreeCores


def write_stat(path: Path, busy: int, idle: int) -> None:
    # user nice system idle iowait irq softirq steal (jiffies)
    path.write_text(f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0\n")


def test_others_busy_time_is_what_is_not_free(tmp_path):
    stat = tmp_path / "stat"
    clock, own, jiffies = [0.0], [0.0], [0, 0]
    write_stat(stat, 0, 0)
    free = FreeCores(cores=2, stat=stat, own_cpu=lambda: own[0], clock=lambda: clock[0])

    def second(busy: int, idle: int, ours: float = 0.0) -> None:
        """One more second on 2 cores (200 jiffies): ``busy`` of them busy, ``ours`` s ours."""
        jiffies[0] += busy
        jiffies[1] += idle
        write_stat(stat, *jiffies)
        clock[0] += 1.0
        own[0] += ours

    second(100, 100, ours=0.5)  # 1 core busy, half of it ours -> 1.5 free
    assert free.sample() == pytest.approx(1.5)
    second(30, 170)  # 0.3 of a core elsewhere (the app's own recorder) -> 1.7 free: two threads
    assert free.threads(4) == 2
    second(60, 140)  # 0.6 of a core elsewhere -> 1.4 free: one thread, not two half-starved ones
    assert free.threads(4) == 1
    second(60, 140)  # the same with a lower bar for the second thread
    assert free.threads(4, round_up=0.3) == 2
    second(200, 0)  # all busy, none of it ours -> nothing free, still one thread
    assert free.sample() == 0.0
    second(200, 0)
    assert free.threads(4) == 1
    second(0, 200)  # idle machine: both cores, capped by ``most``
    assert free.threads(4) == 2 and FreeCores(cores=8, stat=stat).threads(4) <= 4


def test_unreadable_stat_falls_back_to_the_load_average(tmp_path):
    free = FreeCores(cores=2, stat=tmp_path / "missing")
    assert 0.0 <= free.sample() <= 2.0


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="no /proc/stat (not Linux)")
def test_a_real_busy_process_takes_a_core():
    free = FreeCores(cores=os.cpu_count() or 1)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        free.sample()
        time.sleep(1.0)
        taken = free.cores - free.sample()
    finally:
        busy.kill()
        busy.wait()
    assert taken >= 0.8  # the busy loop's core (and whatever else the machine runs)
