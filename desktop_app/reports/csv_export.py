"""The CSV export: one row per attempt, every headline score and the key metrics.

Read straight from the score and metric columns (no analysis is decoded). UTF-8 with a byte
order mark, so spreadsheet programs read accents and quotes right; times in UTC (ISO 8601) and
in local time; numbers rounded to 2 decimals; empty cells where a value was not judged.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from pathlib import Path

from desktop_app.reports.atomic import write_bytes
from desktop_app.storage.progress import Progress, ProgressFilter

_RENAME = {"text": "question_text"}


def header_name(column: str) -> str:
    name = column.split(".", 1)[-1]
    name = _RENAME.get(name, name)
    return name[2:] if name.startswith("m_") else name


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 2)
    return value


def local_time(iso: str | None) -> str:
    try:
        return datetime.fromisoformat(iso or "").astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


def csv_text(progress: Progress, f: ProgressFilter) -> str:
    columns, rows = progress.table_rows(f)
    names = [header_name(c) for c in columns]
    at = names.index("started_at")
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([*names[:at + 1], "local_time", *names[at + 1:]])
    for row in rows:
        cells = [_cell(v) for v in row]
        out.writerow([*cells[:at + 1], local_time(row[at]), *cells[at + 1:]])
    return buf.getvalue()


def write_csv(progress: Progress, f: ProgressFilter, path: str | os.PathLike[str]) -> Path:
    return write_bytes(path, csv_text(progress, f).encode("utf-8-sig"))
