"""Small text formats shared by the window and the command line (no Qt, no I/O)."""

from __future__ import annotations

from datetime import datetime

KIND_LABELS = {
    "behavioural": "Behavioural",
    "communication": "Communication",
    "technical-reasoning": "Technical reasoning",
}
NOT_JUDGED = "—"  # a score that was not judged (shown in the window and printed by the CLI)


def kind_label(kind: str) -> str:
    """ "technical-reasoning" → "Technical reasoning" (competency names are shown as written)."""
    return KIND_LABELS.get(kind, kind.replace("-", " ").capitalize())


def short_date(iso: str | None) -> str:
    """An ISO timestamp as local "YYYY-MM-DD HH:MM" (the text itself if it does not parse)."""
    try:
        return datetime.fromisoformat(iso or "").astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso or ""


def long_date(iso: str | None) -> str:
    """An ISO timestamp as a local date a person reads at a glance: "Tue 1 Dec 2026, 17:20"
    (the text itself if it does not parse)."""
    try:
        when = datetime.fromisoformat(iso or "").astimezone()
    except (TypeError, ValueError):
        return iso or ""
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M}"


def list_date(iso: str | None, now: datetime | None = None) -> str:
    """A compact local date for a list: "1 Dec 11:06" this year, "2025-12-01" before (the text
    itself if it does not parse)."""
    try:
        when = datetime.fromisoformat(iso or "").astimezone()
    except (TypeError, ValueError):
        return iso or ""
    if when.year != (now or datetime.now().astimezone()).year:
        return when.strftime("%Y-%m-%d")
    return f"{when.day} {when:%b %H:%M}"


def fmt_time(seconds: float | None) -> str:
    """Seconds as m:ss."""
    s = max(0, int(seconds or 0))
    return f"{s // 60}:{s % 60:02d}"


def fmt_score(value: float | None) -> str:
    """A 0–100 score rounded, or NOT_JUDGED when there is none."""
    return NOT_JUDGED if value is None else f"{round(float(value))}"


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    one = " ".join(str(text).split())
    return one if len(one) <= width else one[: max(0, width - 1)].rstrip() + "…"
