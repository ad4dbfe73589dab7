"""``rehearse report`` and ``rehearse export``: progress reports and one-attempt bundles.

    rehearse report [--format pdf|csv|json] [--since DATE] [--until DATE]
                    [--competency NAME]... [--kind KIND]... [--attempt-pages] -o PATH
    rehearse export ATTEMPT_ID [-o bundle.zip]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.paths import AppPaths, prompts_dir

FORMATS = ("pdf", "csv", "json")
EXIT_USAGE = 2
Handler = Callable[[argparse.Namespace, AppPaths], int]


class UsageError(Exception):
    """Bad arguments: the message says what to type instead."""


def _usage_errors(cmd: Handler) -> Handler:
    def run(args: argparse.Namespace, paths: AppPaths) -> int:
        try:
            return cmd(args, paths)
        except UsageError as exc:
            print(f"rehearse {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return run


def add_parsers(sub: Any) -> dict[str, Handler]:
    """Add the two subcommands to ``rehearse``'s parser; returns their handlers by name."""
    r = sub.add_parser("report", help="write a progress report (PDF, CSV or JSON)")
    r.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    r.add_argument("--format", choices=FORMATS,
                   help="default: from the file name's extension, else pdf")
    r.add_argument("--since", type=_date, metavar="DATE", help="first day (YYYY-MM-DD)")
    r.add_argument("--until", type=_date, metavar="DATE", help="last day (YYYY-MM-DD)")
    r.add_argument("--competency", action="append", default=[], metavar="NAME",
                   help="only this competency (repeat for several)")
    r.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="only this kind of question: behavioural, communication, "
                        "technical-reasoning (repeat for several)")
    r.add_argument("--attempt-pages", action="store_true",
                   help="PDF: add one page per attempt (question, transcript, scores, tips)")
    e = sub.add_parser("export", help="one attempt as a zip: WAV, TXT, SRT, VTT, analysis JSON")
    e.add_argument("attempt_id", type=int, metavar="ATTEMPT_ID")
    e.add_argument("-o", "--output", type=Path, metavar="PATH",
                   help="default: attempt-ID.zip in the current folder")
    return {"report": _usage_errors(cmd_report), "export": _usage_errors(cmd_export)}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD "
                                         "(e.g. 2026-11-01)") from None


def _match(given: list[str], known: list[str], what: str) -> tuple[str, ...]:
    by_fold = {k.casefold(): k for k in known}
    out = []
    for name in given:
        if name.casefold() in by_fold:
            out.append(by_fold[name.casefold()])
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown {what} {name!r}.{hint} `rehearse questions` lists them.")
    return tuple(out)


def _open(paths: AppPaths) -> tuple[Any, Any]:
    from desktop_app.questions import QuestionBank
    from desktop_app.storage.repository import Repository

    bank = QuestionBank.load([prompts_dir(), paths.packs])
    repo = Repository.open(paths.database)
    if repo.notice:
        print(f"rehearse: {repo.notice}", file=sys.stderr)
    return bank, repo


def report_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "pdf"


def cmd_report(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.practice.attempts import AttemptService
    from desktop_app.reports.writer import ReportRequest, write_report
    from desktop_app.storage.progress import ProgressFilter

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    bank, repo = _open(paths)
    shown = False
    try:
        f = ProgressFilter(since=args.since, until=args.until,
                           competencies=_match(args.competency, bank.competencies(),
                                               "competency"),
                           kinds=_match(args.kind, bank.kinds() or ["behavioural"], "kind"))
        fmt = report_format(args)
        request = ReportRequest(f, fmt, args.output, attempt_pages=args.attempt_pages)
        shown = fmt == "pdf" and sys.stderr.isatty()
        done = write_report(AttemptService(repo, paths), bank, request,
                            progress=_progress if shown else None)
    finally:
        repo.close()
    if shown:
        print(file=sys.stderr)
    print(f"Wrote {done.path} ({done.summary})")
    return 0


def _progress(fraction: float, what: str) -> None:
    print(f"\r{int(fraction * 100):3d} % {what:<40.40s}", end="", file=sys.stderr, flush=True)


def cmd_export(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.practice.attempts import AttemptService
    from desktop_app.reports.bundle import write_bundle
    from desktop_app.reports.records import load_record

    bank, repo = _open(paths)
    try:
        rec = load_record(AttemptService(repo, paths), bank, args.attempt_id)
    finally:
        repo.close()
    if rec is None:
        raise UsageError(f"there is no attempt {args.attempt_id}; `rehearse history` lists "
                         "them with their IDs")
    audio = paths.absolute(rec.attempt.audio_path) if rec.attempt.audio_path else None
    result = write_bundle(rec, audio, args.output or Path(f"attempt-{rec.id}.zip"))
    for warning in result.warnings:
        print(f"rehearse: {warning}", file=sys.stderr)
    print(f"Wrote {result.path} ({', '.join(result.members)})")
    return 0
