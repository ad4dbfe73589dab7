"""Dates as the window and the reports show them, in the user's own time zone (a real second
process with TZ set, so the conversion is the one the app does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOW = ("from desktop_app.textfmt import list_date, long_date, short_date\n"
        "import sys\n"
        "for f in (long_date, short_date): print(f(sys.argv[1]))\n")


def shown(iso: str, tz: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", SHOW, iso], capture_output=True, text=True,
                         env=dict(os.environ, TZ=tz, PYTHONPATH=str(REPO)), timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_long_dates_read_as_words_in_local_time():
    # 23:30 UTC on a Monday is already Tuesday morning in Tokyo
    assert shown("2026-11-30T23:30:00+00:00", "UTC") == ["Mon 30 Nov 2026, 23:30",
                                                         "2026-11-30 23:30"]
    assert shown("2026-11-30T23:30:00+00:00", "JST-9") == ["Tue 1 Dec 2026, 08:30",
                                                           "2026-12-01 08:30"]


def test_a_stored_time_that_does_not_parse_is_shown_as_stored():
    assert shown("yesterday-ish", "UTC") == ["yesterday-ish", "yesterday-ish"]
