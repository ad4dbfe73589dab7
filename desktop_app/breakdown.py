"""What went into each score, in words: the scorecard's tile breakdowns and the CLI's score line.

Reads only the JSON shape of ``Analysis.to_dict()`` (as stored in ``attempts.analysis_json``), so
old attempts explain themselves too; missing fields are left out, never guessed. A dimension that
was not judged (a ``None`` score, reasoning on a behavioural question, delivery of typed text)
gets no number, and says why. No Qt here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tomllib

from desktop_app.paths import assets_dir
from desktop_app.textfmt import fmt_score, fmt_time

_I = re.compile(r"\bi\b")  # lexicons are lower case: "i think" reads "I think"

TITLES = {
    "overall": "Overall",
    "star": "STAR",
    "specificity": "Specificity",
    "jargon": "Jargon",
    "delivery": "Delivery",
    "reasoning": "Reasoning",
}
WHAT = {
    "overall": "Your answer as a whole: the other scores, weighed for this kind of question.",
    "star": "How the story is built: Situation, Task, Action, Result, in order and in balance.",
    "specificity": "How concrete it is: numbers, names, your own part, what really happened.",
    "jargon": "How easy it is to follow for this listener: rare words, acronyms, buzzwords.",
    "delivery": "How it sounded: pace, fillers, hedges, long pauses and length.",
    "reasoning": "How you think: trade-offs, alternatives, reasons, assumptions, steps.",
}
STAR_NAMES = {"S": "Situation", "T": "Task", "A": "Action", "R": "Result", "O": "Other"}
REASONING_CUES = {
    "tradeoff": "Trade-offs weighed",
    "alternative": "Alternatives considered",
    "justification": "Reasons given (“because…”)",
    "assumption": "Assumptions stated",
    "systematic": "Systematic steps (“first… then…”)",
}
NOT_FOR_BEHAVIOURAL = ("Not scored for behavioural questions: interviewers probe the “why” in "
                       "communication and technical-reasoning rounds.")
NOT_FOR_TEXT = "Not judged for typed text: there is no voice to time (pace, pauses, length)."
NOT_FOR_FOLLOW_UP = ("Not judged as a whole story: a follow-up answer is judged on what the "
                     "follow-up asked.")
NEED_NAMES = {"S": "The situation", "T": "Your task", "A": "What you did", "R": "The outcome",
              "number": "A number or measure", "lesson": "What you learned",
              "first_person": "Your own part (“I”)", "reasoning": "Your reasons",
              "others": "The other people involved"}


@dataclass(frozen=True)
class Tile:
    """One score as the user sees it: the number (None = not judged), why not, and its parts."""

    key: str
    title: str
    value: float | None
    reason: str = ""  # why there is no number
    rows: tuple[tuple[str, str], ...] = ()  # (what, how much)

    @property
    def shown(self) -> str:
        return fmt_score(self.value)


def tiles(data: Mapping[str, Any]) -> list[Tile]:
    """A Tile per score, in display order."""
    return [tile(data, key) for key in TITLES]


def tile(data: Mapping[str, Any], key: str) -> Tile:
    sub = _dict(data.get(key))
    value = _num(_dict(data.get("scores")).get(key))
    reason = ""
    if key == "reasoning" and sub.get("weighted") is False:
        value, reason = None, NOT_FOR_BEHAVIOURAL
    elif key == "delivery" and sub and sub.get("timed") is False:
        value, reason = None, NOT_FOR_TEXT
    elif key == "star" and narrow_focus(data):
        value, reason = None, NOT_FOR_FOLLOW_UP
    elif value is None:
        reason = "Not judged for this answer."
    rows = _ROWS[key](data, sub) if data else []
    return Tile(key, TITLES[key], value, reason, tuple(rows))


def narrow_focus(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The follow-up focus a follow-up answer was judged on (None for a whole story)."""
    focus = _dict(data.get("focus"))
    return focus if focus and not focus.get("full_star") else None


def focus_rows(focus: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the follow-up asked for, each need told or missing."""
    needs = _dict(focus.get("needs"))
    return [(NEED_NAMES.get(k, k), "✓ told" if ok else "✗ missing") for k, ok in needs.items()]


def score_line(data: Mapping[str, Any]) -> str:
    """``overall 72  star 80 … reasoning —`` — what the CLI prints, the same as the tiles show."""
    return "  ".join(f"{t.key} {t.shown}" for t in tiles(data))


def not_judged_notes(data: Mapping[str, Any]) -> list[str]:
    """``reasoning: Not scored for …`` for each score shown as NOT_JUDGED."""
    return [f"{t.key}: {t.reason}" for t in tiles(data) if t.value is None]


# ---- rows per score ------------------------------------------------------------------------------
def _overall(data: Mapping[str, Any], _sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    weights = _dict(data.get("weights"))
    rows = []
    focus = narrow_focus(data)
    if focus:
        value = fmt_score(_num(_dict(data.get("scores")).get("focus")))
        rows.append((f"Follow-up: {focus.get('label', 'what it asked')}", value))
    for key, w in weights.items():
        if key not in TITLES or _num(w) is None:
            continue
        t = tile(data, key)
        if not w:
            rows.append((t.title, "not counted for this kind of question"))
        else:
            judged = t.shown if t.value is not None else f"{t.shown} (not judged)"
            rows.append((t.title, f"{judged}, weighs {float(w) * 100:.0f} %"))
    return rows


def _star(data: Mapping[str, Any], sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    focus = narrow_focus(data)
    if focus:
        return focus_rows(focus)
    present = _dict(sub.get("present"))
    rows = [(STAR_NAMES[k], "✓ told" if present.get(k) else "✗ missing") for k in "STAR"
            if k in present]
    order = [k for k in sub.get("order") or [] if k in STAR_NAMES]
    if order:
        ok = "" if sub.get("order_ok", True) else " (out of order)"
        rows.append(("Order", " → ".join(order) + ok))
    balance = _dict(sub.get("balance"))
    if balance:
        shares = [f"{k} {float(v) * 100:.0f} %" for k, v in balance.items()
                  if k in STAR_NAMES and _num(v) is not None and (k != "O" or v)]
        rows.append(("Share of your words", " · ".join(shares)))
    if "result_measured" in sub:
        rows.append(("Result measured", _yes(sub["result_measured"])))
    if "lesson" in sub:
        rows.append(("What you learned", _yes(sub["lesson"])))
    return rows


def _specificity(data: Mapping[str, Any], sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    if "quantities" in sub:
        rows.append(("Numbers, dates, amounts", _count_with(sub["quantities"],
                                                             _finding_texts(data, "number"))))
    if "named" in sub:
        rows.append(("Names and concrete things", _count_with(sub["named"],
                                                              sub.get("named_terms") or [])))
    i, we = _num(sub.get("i_count")), _num(sub.get("we_count"))
    if i is not None and we is not None:
        ratio = _num(sub.get("i_ratio"))
        share = f" ({ratio * 100:.0f} % “I”)" if ratio is not None and i + we else ""
        rows.append(("“I” vs “we”", f"{int(i)} I · {int(we)} we{share}"))
    if "hypothetical" in sub:
        share = _num(sub.get("hypothetical_share"))
        text = "yes" if sub["hypothetical"] else "no"
        if share:
            text += f" ({share * 100:.0f} % of sentences say what you would do)"
        rows.append(("Hypothetical (“I would…”)", text))
    if _num(sub.get("past_share")) is not None:
        rows.append(("Told as what happened (past tense)", f"{sub['past_share'] * 100:.0f} %"))
    if "vague" in sub:
        rows.append(("Vague words", _count_with(sub["vague"], _finding_texts(data, "vague"))))
    return rows


def _jargon(data: Mapping[str, Any], sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    if sub.get("audience"):
        rows.append(("Listener", str(sub["audience"])))
    if "rare" in sub or "terms" in sub:
        pct = _num(sub.get("rare_pct"))
        extra = f" — {pct:.1f} % of words" if pct is not None else ""
        rows.append(("Rare words", _count_with(sub.get("rare", len(sub.get("terms") or [])),
                                               sub.get("terms") or []) + extra))
    if sub.get("mid_terms"):
        rows.append(("Less common words", _count_with(len(sub["mid_terms"]), sub["mid_terms"])))
    if "acronyms" in sub:
        rows.append(("Unexplained acronyms", _count_with(len(sub["acronyms"] or []),
                                                         sub["acronyms"] or [])))
    if sub.get("explained_acronyms"):
        rows.append(("Acronyms you explained", ", ".join(map(str, sub["explained_acronyms"]))))
    if "buzzwords" in sub:
        rows.append(("Buzzwords", _count_with(len(sub["buzzwords"] or []),
                                              sub["buzzwords"] or [])))
    return rows


def _delivery(_data: Mapping[str, Any], sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    timed = bool(sub.get("timed"))
    pace = _pace_band()
    wpm = _num(sub.get("wpm"))
    if wpm is not None:
        rows.append(("Pace", f"{wpm:.0f} words/min (comfortable: {pace})"))
    elif not timed:
        rows.append(("Pace", "not measured (no timing in typed text)"))
    duration, speaking = _num(sub.get("duration_s")), _num(sub.get("speaking_s"))
    if duration is not None:
        talk = f", speaking {fmt_time(speaking)}" if speaking is not None else ""
        rows.append(("Length", f"{fmt_time(duration)}{talk}"))
    elif _num(sub.get("estimated_duration_s")) is not None:
        rows.append(("Length (estimated)", f"about {fmt_time(sub['estimated_duration_s'])} "
                                           "spoken"))
    if "fillers" in sub:
        per_min = _num(sub.get("fillers_per_min"))
        rate = f", {per_min:.1f} per minute" if per_min is not None else ""
        rows.append(("Fillers", _count_with(sub["fillers"], sub.get("filler_terms") or [],
                                            counted=True) + rate))
    if "hedges" in sub:
        rows.append(("Hedges", _count_with(sub["hedges"], sub.get("hedge_terms") or [],
                                           counted=True)))
    if timed and "long_pauses" in sub:
        at = [fmt_time(p.get("at")) for p in sub.get("pauses") or [] if isinstance(p, dict)]
        rows.append(("Long pauses (over 1 s)", _count_with(sub["long_pauses"], at, prefix="at ")))
    return rows


def _reasoning(_data: Mapping[str, Any], sub: Mapping[str, Any]) -> list[tuple[str, str]]:
    counts = _dict(sub.get("counts"))
    rows = [(label, str(int(counts[k]))) for k, label in REASONING_CUES.items()
            if _num(counts.get(k)) is not None]
    if "weighted" in sub:
        rows.append(("Counts towards overall", "yes" if sub["weighted"] else
                     "no (behavioural question)"))
    return rows


_ROWS = {"overall": _overall, "star": _star, "specificity": _specificity, "jargon": _jargon,
         "delivery": _delivery, "reasoning": _reasoning}


# ---- helpers -------------------------------------------------------------------------------------
def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _yes(flag: Any) -> str:
    return "yes" if flag else "no"


def _finding_texts(data: Mapping[str, Any], kind: str) -> list[str]:
    return [str(f.get("text", "")) for f in data.get("findings") or []
            if isinstance(f, dict) and f.get("kind") == kind and f.get("text")]


def _count_with(n: Any, words: Iterable[Any], *, counted: bool = False, prefix: str = "",
                limit: int = 6) -> str:
    """``3 (um ×2, like)``: a count and the words behind it (the first ``limit`` of them)."""
    count = int(_num(n) or 0)
    words = [_I.sub("I", str(w)) for w in words if str(w).strip()]
    if not words:
        return str(count)
    if counted:
        tally = Counter(_I.sub("I", w.lower()) for w in words)
        shown = [f"{w} ×{c}" if c > 1 else w for w, c in tally.most_common(limit)]
        more = len(tally) - limit
    else:
        unique = list(dict.fromkeys(words))
        shown, more = unique[:limit], len(unique) - limit
    tail = f", +{more} more" if more > 0 else ""
    return f"{count} ({prefix}{', '.join(shown)}{tail})"


@lru_cache(maxsize=1)
def _pace_band() -> str:
    try:
        with open(assets_dir() / "analysis" / "delivery.toml", "rb") as fh:
            pace = tomllib.load(fh)["pace"]
        return f"{pace['ideal_low']}–{pace['ideal_high']}"
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "125–170"
