"""Finished rounds for the report machinery: the ones in a report's period (each with when it
was held), as plain JSON-ready dicts for the JSON report, and one round on its own for an
export from History. The PDF section is drawn by reports/pdf_rounds.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from desktop_app.session.report import RoundReport
from desktop_app.storage.progress import utc_bound
from desktop_app.storage.rounds import RoundRow, RoundStore

MAX_ROUNDS = 1000  # a report covers at most this many rounds (a year of daily rounds, thrice)


@dataclass(frozen=True)
class DatedRound:
    """A finished round's report and when it was held (UTC ISO timestamps, as stored)."""

    round_id: int
    started_at: str
    ended_at: str | None
    report: RoundReport

    def to_dict(self) -> dict[str, Any]:
        return {"round_id": self.round_id, "started_at": self.started_at,
                "ended_at": self.ended_at, **self.report.to_dict()}


class _HasDb(Protocol):
    db: Any
    path: Any


def _dated(row: RoundRow) -> DatedRound | None:
    if not row.report:
        return None
    try:
        report = RoundReport.from_dict(row.report)
    except (KeyError, TypeError, ValueError):
        return None  # a report of a shape this version cannot read: left out
    return DatedRound(row.id, row.started_at, row.ended_at, report)


def rounds_in(repo: _HasDb, since: date | None = None, until: date | None = None,
              competencies: Sequence[str] = ()) -> list[DatedRound]:
    """The finished rounds started in [since, until] (local days, as a progress filter's),
    oldest first; with ``competencies``, only rounds that asked one of them."""
    lo = utc_bound(since) if since is not None else ""
    hi = utc_bound(until + timedelta(days=1)) if until is not None else "~"
    out = []
    for row in RoundStore(repo.db, repo.path).finished(limit=MAX_ROUNDS):
        if not lo <= row.started_at < hi:
            continue
        dated = _dated(row)
        if dated is None:
            continue
        if competencies and not {i.competency for i in dated.report.items} & set(competencies):
            continue
        out.append(dated)
    return sorted(out, key=lambda d: (d.started_at, d.round_id))


def round_by_id(repo: _HasDb, round_id: int) -> DatedRound | None:
    row = RoundStore(repo.db, repo.path).get(round_id)
    return _dated(row) if row is not None and row.finished else None


def write_round(dated: DatedRound, path: Path | str) -> Path:
    """One round as a PDF (a ``.pdf`` path) or as JSON (anything else), written atomically and
    private (0600)."""
    from desktop_app.reports.atomic import write_bytes
    from desktop_app.reports.json_export import plain

    path = Path(path)
    if path.suffix.lower() == ".pdf":
        from desktop_app.reports.pdf_rounds import write_round_pdf

        return write_round_pdf(dated, path)
    text = json.dumps(plain(dated.to_dict()), ensure_ascii=False, indent=2, allow_nan=False)
    return write_bytes(path, text.encode("utf-8") + b"\n")
