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
    clock, own = [0.0], [0.0]
    write_stat(stat, 0, 0)
    free = FreeCores(cores=2, stat=stat, own_cpu=lambda: own[0], clock=lambda: clock[0])
    # 1 s: half of all CPU time busy (= 1 core), of which 0.5 s was ours -> 1.5 cores free
    write_stat(stat, 100, 100)
    clock[0], own[0] = 1.0, 0.5
    assert free.sample() == pytest.approx(1.5)
    assert free.threads(4) == 1  # 1.5 free cores: one thread, never two half-starved ones
    # next second: all busy, none of it ours -> nothing free, still one thread
    write_stat(stat, 300, 100)
    clock[0] = 3.0
    assert free.sample() == 0.0 and free.threads(4) == 1
    # idle machine: both cores, capped by ``most``
    write_stat(stat, 300, 300)
    clock[0] = 4.0
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
