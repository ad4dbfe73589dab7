"""Progress at scale: how long the Progress view takes to open, and the summary PDF to write,
with 10,000 attempts against 100.

Two data folders are filled through the app's own storage API (``Repository.add_attempt``, via
tests/history_factory.py: real analyses of the spoken-answer fixtures, spread over weeks). For
each, the real ProgressView is built offscreen and opened: ``progress_open_s`` runs from show()
to its ``loaded`` signal (the SQL aggregates, the report model, summary, coverage and what to
practise next on screen); the charts are then drawn by matplotlib one after the other, and the
time to ``charts_ready`` (all three on screen) is printed on the line before the last. Medians
of ``--repeat`` runs after one warm-up (the warm-up pays matplotlib's import).
The GUI thread's longest event-loop gap while it opens is printed too (the work is off it;
the charts are drawn by a child process, or with ``--no-chart-process`` on a thread of this
one, as before: run both to see what the GIL costs the window). The
summary PDF (no per-attempt pages) is written for the large history through ``write_report``,
as File → Export… and ``rehearse report`` do. The cost of saving one scored answer is printed
on the line before the last, at schema m009 (metric tables filled by m008's JSON triggers)
against today's schema (written by the repository with the progress rollups), as
``save_ms``.

    python bench/progress.py [--attempts 10000] [--small 100] [--repeat 3]

Last line: attempts=<n> progress_open_s=<x> small_open_s=<x at the small size>
ratio=<x/x> report_pdf_s=<summary PDF>
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.app import build_services  # noqa: E402
from desktop_app.paths import AppPaths  # noqa: E402
from desktop_app.reports.chart_process import ChartProcess, InProcessCharts  # noqa: E402
from tests.history_factory import analysis_pool, make_history  # noqa: E402


def filled(root: Path, n: int, pool: list) -> object:
    """Services on a fresh data folder holding ``n`` attempts over 26 weeks."""
    services = build_services(AppPaths(root / f"data-{n}").ensure(), with_audio=False)
    make_history(services.repo, services.bank.questions, n, weeks=26, pool=pool)
    return services


def open_once(app: QApplication, services: object, charts: object
              ) -> tuple[float, float, float]:
    """(seconds until the numbers show, until the charts show, longest GUI-thread gap)."""
    from desktop_app.ui.progress_view import ProgressView

    view = ProgressView(services, charts=charts)
    view.resize(1100, 760)
    gaps, tick = [0.0], QElapsedTimer()
    timer = QTimer()
    timer.setInterval(5)

    def beat() -> None:
        gaps.append(tick.restart() / 1000.0)

    timer.timeout.connect(beat)
    done: list[float] = []
    drawn: list[float] = []
    view.loaded.connect(lambda: done.append(time.perf_counter()))
    view.charts_ready.connect(lambda: drawn.append(time.perf_counter()))
    tick.start()
    timer.start()
    t0 = time.perf_counter()
    view.show()  # showEvent → refresh(): the load runs on the thread pool
    while not drawn and time.perf_counter() - t0 < 120:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    view.close()
    view.deleteLater()
    app.processEvents()
    if not (done and drawn):
        raise SystemExit("the Progress view did not open within 120 s")
    assert view.report is not None and not view.report.empty
    return done[0] - t0, drawn[0] - t0, max(gaps)


def median_open(app: QApplication, services: object, charts: object, repeat: int
                ) -> tuple[float, float, float]:
    runs = [open_once(app, services, charts) for _ in range(repeat)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            max(r[2] for r in runs))


def pdf_seconds(services: object, out: Path, repeat: int) -> float:
    from desktop_app.reports.writer import ReportRequest, write_report
    from desktop_app.storage.progress import ProgressFilter

    times = []
    for i in range(repeat):
        request = ReportRequest(ProgressFilter(), "pdf", out / f"report-{i}.pdf")
        t0 = time.perf_counter()
        written = write_report(services.attempts, services.bank, request)
        times.append(time.perf_counter() - t0)
        assert written.path.stat().st_size > 10_000
    return statistics.median(times)


def save_ms(root: Path, pool: list, questions: list, n: int = 60) -> tuple[float, float]:
    """Median milliseconds of one answer's save (the RECORDING row, then its analysis and
    scores, each its own transaction, as the app writes them) on a database at schema m009
    (m008's JSON triggers fill the metric tables) and at today's schema (the repository writes
    them and the rollups), both holding the same 1,000 attempts."""
    from sqlite_utils import Database

    from desktop_app.domain import Attempt
    from desktop_app.storage.migrations import MIGRATIONS
    from desktop_app.storage.repository import Repository

    old = Database(root / "m009.db")
    MIGRATIONS.apply(old, stop_before="m010_progress_rollup")
    repos = {"m009": Repository(old, path=root / "m009.db"),
             "now": Repository.open(root / "now.db")}
    times: dict[str, list[float]] = {k: [] for k in repos}
    for repo in repos.values():
        repo.sync_questions(questions)
        make_history(repo, questions, 1000, weeks=8, pool=pool)
    for i in range(n):
        for name, repo in repos.items():  # interleaved: the same load on both
            p = pool[i % len(pool)]
            t0 = time.perf_counter()
            aid = repo.add_attempt(Attempt(None, questions[i % len(questions)].id,
                                           time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                         time.gmtime()), status="recording"))
            repo.update_attempt(aid, status="scored", analysis_json=p.analysis_json,
                                scores=p.scores, transcript_text=p.transcript.text)
            times[name].append((time.perf_counter() - t0) * 1000)
    for repo in repos.values():
        repo.close()
    return statistics.median(times["m009"]), statistics.median(times["now"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attempts", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-chart-process", dest="chart_process", action="store_false",
                    help="draw the charts on a thread of this process, as before the chart "
                         "process (the baseline of the GUI-thread gap)")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        probe = build_services(AppPaths(root / "probe").ensure(), with_audio=False)
        pool = analysis_pool(probe.bank.questions)
        probe.repo.close()
        t0 = time.perf_counter()
        small = filled(root, args.small, pool)
        large = filled(root, args.attempts, pool)
        print(f"filled {args.small} + {args.attempts} attempts through Repository.add_attempt "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)
        # one chart process for every open, as the window keeps one for its life
        charts = ChartProcess() if args.chart_process else InProcessCharts()
        open_once(app, small, charts)  # warm-up: imports, fonts, the thread pool, the process
        small_s, small_charts, small_gap = median_open(app, small, charts, args.repeat)
        large_s, large_charts, large_gap = median_open(app, large, charts, args.repeat)
        charts.close()
        print(f"charts on screen: {args.small} attempts {small_charts:.3f} s, {args.attempts} "
              f"attempts {large_charts:.3f} s (ratio {large_charts / small_charts:.2f}); "
              f"longest GUI-thread gap {small_gap * 1000:.0f} / {large_gap * 1000:.0f} ms; "
              f"medians of {args.repeat}", flush=True)
        pdf_s = pdf_seconds(large, root, max(1, args.repeat - 1))
        before_ms, after_ms = save_ms(root, pool, large.bank.questions)
        print(f"save_ms m009_triggers={before_ms:.2f} now={after_ms:.2f} "
              f"ratio={after_ms / before_ms:.2f} (median of 60 saves, 1,000 attempts stored)",
              flush=True)
        for services in (small, large):
            services.repo.close()
    print(f"attempts={args.attempts} progress_open_s={large_s:.3f} small_open_s={small_s:.3f} "
          f"ratio={large_s / small_s:.2f} report_pdf_s={pdf_s:.2f}")


if __name__ == "__main__":
    main()
