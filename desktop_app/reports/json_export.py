"""The JSON report: everything, lossless, with a schema version (see docs/report-json.md).

``report_to_dict`` is the one place a report becomes JSON; ``attempt_to_dict`` /
``attempt_from_dict`` convert one attempt both ways, so ``rehearse report --format json`` read
back with :func:`read_report` gives the same attempts, transcripts and analyses.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.domain import Attempt, Transcript
from desktop_app.reports.atomic import write_bytes
from desktop_app.reports.model import Report
from desktop_app.reports.records import AttemptRecord

SCHEMA = "rehearse-report"
SCHEMA_VERSION = 1
_RAW = ("words_json", "analysis_json")  # carried decoded, as "transcript" and "analysis"


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, numpy numbers as Python numbers, NaN as null."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def attempt_to_dict(rec: AttemptRecord) -> dict[str, Any]:
    a = rec.attempt
    out: dict[str, Any] = {f.name: getattr(a, f.name) for f in fields(Attempt)
                           if f.name not in _RAW}
    q = rec.question
    out.update(question_text=rec.question_text,
               competency=q.competency if q else None, kind=q.kind if q else None,
               transcript=rec.transcript.to_dict(),
               analysis=None if rec.analysis is None else rec.analysis.to_dict())
    if rec.analysis is None and a.analysis_json:
        out["analysis_raw"] = a.analysis_json  # a shape this version cannot read: kept as is
    return plain(out)


def attempt_from_dict(d: dict[str, Any]) -> AttemptRecord:
    """An attempt of a JSON report back as typed objects."""
    values = {f.name: d[f.name] for f in fields(Attempt) if f.name in d and f.name not in _RAW}
    transcript = Transcript.from_dict(d.get("transcript") or {"text": ""})
    analysis_json = (json.dumps(d["analysis"], ensure_ascii=False) if d.get("analysis")
                     else d.get("analysis_raw"))
    attempt = Attempt(**values, words_json=json.dumps(transcript.to_dict(), ensure_ascii=False),
                      analysis_json=analysis_json)
    from desktop_app.practice.attempts import read_analysis

    return AttemptRecord(attempt, transcript, read_analysis(attempt),
                         d.get("question_text") or "")


def report_to_dict(report: Report) -> dict[str, Any]:
    s = report.summary
    f = report.filter
    return plain({
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "generated_at": report.generated_at,
        "filter": asdict(f),
        "period": report.period_text(),
        "summary": {
            "attempts": s.attempts, "scored": s.scored, "practice_s": s.practice_s,
            "first_at": s.first_at, "last_at": s.last_at, "averages": s.averages,
            "start": s.start, "end": s.end, "change": s.change, "window": s.window,
            "strongest": report.strongest, "weakest": report.weakest,
        },
        "focus": [asdict(p) for p in report.focus],
        "recurring_tips": [asdict(t) for t in report.tips],
        "coverage": [{**asdict(r), "weakest": r.weakest} for r in report.coverage],
        "weeks": [asdict(w) for w in report.weeks],
        "streak": asdict(report.streak),
        "series": [asdict(p) for p in report.series],
        "attempts": [attempt_to_dict(r) for r in report.attempts],
    })


def write_json(report: Report, path: str | os.PathLike[str],
               rounds: list[dict[str, Any]] | None = None) -> Path:
    """``rounds``: the mock interview rounds of the period (session/round_export.py)."""
    out = report_to_dict(report)
    if rounds is not None:
        out["rounds"] = plain(rounds)
    data = json.dumps(out, ensure_ascii=False, indent=2, allow_nan=False)
    return write_bytes(path, data.encode("utf-8") + b"\n")


def read_report(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[AttemptRecord]]:
    """A JSON report read back: its dict, and its attempts as typed objects. Raises
    ValueError for a file that is not a Rehearse report, or of a newer schema."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a Rehearse JSON report")
    if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
        raise ValueError(f"{path} was written by a newer Rehearse (report schema "
                         f"{data['schema_version']}; this one reads up to {SCHEMA_VERSION})")
    return data, [attempt_from_dict(a) for a in data.get("attempts", [])]
