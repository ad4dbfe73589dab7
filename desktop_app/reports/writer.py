"""Write one report file (PDF, CSV or JSON) for a filter: what the CLI and File → Export… call.

Runs wherever its attempt service's repository was opened (the window calls it on a worker
thread with its own read-only connection); attempts are read back through the service.
``progress(fraction, what)`` is told how far it got; the file appears only once it is
complete (see :mod:`desktop_app.reports.atomic`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.reports.atomic import check_target
from desktop_app.reports.model import Bank, build_report
from desktop_app.storage.progress import Progress, ProgressFilter

if TYPE_CHECKING:
    from desktop_app.practice.attempts import AttemptService
    from desktop_app.reports.chart_process import ChartDrawer

FORMATS = ("pdf", "csv", "json")
StepFn = Callable[[float, str], None]


@dataclass(frozen=True)
class ReportRequest:
    filter: ProgressFilter
    format: str  # pdf | csv | json
    path: Path
    attempt_pages: bool = False  # PDF only


@dataclass(frozen=True)
class Written:
    path: Path
    attempts: int
    summary: str  # "12 attempts, 2026-10-01 – 2026-11-30"


def write_report(attempts: AttemptService, bank: Bank, request: ReportRequest,
                 progress: StepFn | None = None, drawer: ChartDrawer | None = None) -> Written:
    """Write the report; raises ExportError (disk full, folder not writable…) or ValueError.
    ``drawer`` draws the PDF's charts (the window passes its chart process)."""
    if request.format not in FORMATS:
        raise ValueError(f"unknown report format {request.format!r} (choose one of "
                         f"{', '.join(FORMATS)})")
    step = progress or (lambda _f, _w: None)
    path = check_target(request.path)  # a folder that cannot be written fails before the work
    step(0.02, "Reading your history…")
    queries = Progress(attempts.repo.db)
    if request.format == "csv":
        from desktop_app.reports.csv_export import write_csv

        report = build_report(queries, bank, request.filter)
        write_csv(queries, request.filter, path)
    else:
        from desktop_app.session.round_export import rounds_in

        with_attempts = request.format == "json" or request.attempt_pages
        report = build_report(queries, bank, request.filter, store=attempts,
                              with_attempts=with_attempts)
        f = request.filter
        rounds = rounds_in(attempts.repo, f.since, f.until, f.competencies)  # mock interviews
        step(0.15, "Laying out…")
        if request.format == "json":
            from desktop_app.reports.json_export import write_json

            write_json(report, path, rounds=[r.to_dict() for r in rounds])
        else:
            from desktop_app.reports.pdf_report import write_pdf

            write_pdf(report, path, attempt_pages=request.attempt_pages, progress=step,
                      rounds=rounds, drawer=drawer)
    step(1.0, "Done")
    n = report.summary.attempts
    return Written(path, n, f"{n} attempt{'s' if n != 1 else ''}, {report.period_text()}")
