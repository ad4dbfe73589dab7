"""Load and validate interview question packs (TOML) from prompts/ and the user's packs folder.

A pack is one ``.toml`` file: an optional ``[pack]`` header table (name, version, description,
language) and an array of tables ``[[question]]``. The format is documented in prompts/README.md.
Loading never raises for a bad pack: every problem becomes a :class:`PackError` naming the file,
the line and the field, and every question that is valid still loads.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 needs the tomli backport
    import tomli as tomllib

from desktop_app.domain import AUDIENCES, KINDS, QUESTION_FIELDS, Question
from desktop_app.pack_source import PackSource, syntax_line

SENIORITIES = ("junior", "mid", "senior", "staff", "manager")
MAX_FOLLOW_UPS = 3
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACK_FIELDS = {
    "name": str, "version": (str, int, float), "description": str, "language": str,
    "source": str, "author": str,
}
KIND_SPELLINGS = {"behavioral": "behavioural"}  # US spelling accepted, stored the British way


class PackError(Exception):
    """A problem in one question pack, located by file, line (1-based) and field."""

    def __init__(self, file: Path, line: int | None, field: str | None, message: str) -> None:
        self.file = Path(file)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def __repr__(self) -> str:
        return f"PackError({str(self)!r})"


@dataclass(frozen=True)
class PackInfo:
    """The header of one loaded pack and how many of its questions loaded."""

    name: str
    version: str
    description: str
    language: str
    path: Path
    count: int
    source: str = ""
    author: str = ""


def required_strings(raw: dict[str, Any], names: Sequence[str], out: dict[str, Any],
                     problems: list[tuple[str, str]]) -> None:
    """Check required non-empty string fields into ``out`` (whitespace folded; ``id`` stripped
    and checked to be kebab-case), each problem added to ``problems``."""
    for name in names:
        value = raw.get(name)
        if value is None:
            problems.append((name, "missing (required)"))
        elif not isinstance(value, str):
            problems.append((name, f"must be a string, not {_type(value)}"))
        elif not value.strip():
            problems.append((name, "must not be empty"))
        else:
            out[name] = " ".join(value.split()) if name != "id" else value.strip()
    if "id" in out and not ID_RE.match(out["id"]):
        problems.append(("id", f"'{out['id']}' must be kebab-case (a-z, 0-9 and single hyphens)"))


def _validate(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """Check one question table. Returns (clean fields, [(field, problem)], [unknown fields])."""
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    required_strings(raw, ("id", "text", "competency", "kind"), out, problems)
    if "kind" in out:
        out["kind"] = KIND_SPELLINGS.get(out["kind"], out["kind"])
    if "kind" in out and out["kind"] not in KINDS:
        problems.append(("kind", f"'{out['kind']}' is not one of {', '.join(KINDS)}"
                         + _did_you_mean(out["kind"], KINDS)))

    seniority = raw.get("seniority", [])
    if not _str_list(seniority):
        problems.append(("seniority", f"must be a list of strings, not {_type(seniority)}"))
    else:
        unknown = [s for s in seniority if s not in SENIORITIES]
        if unknown:
            problems.append(("seniority", f"unknown level {', '.join(map(repr, unknown))}; "
                             f"use {', '.join(SENIORITIES)}"
                             + _did_you_mean(unknown[0], SENIORITIES)))
        out["seniority"] = tuple(dict.fromkeys(seniority))

    follow_ups = raw.get("follow_ups", [])
    if not _str_list(follow_ups):
        problems.append(("follow_ups", f"must be a list of strings, not {_type(follow_ups)}"))
    elif "follow_ups" in raw and not 1 <= len(follow_ups) <= MAX_FOLLOW_UPS:
        problems.append(
            ("follow_ups", f"needs 1 to {MAX_FOLLOW_UPS} probes, found {len(follow_ups)}")
        )
    elif any(not f.strip() for f in follow_ups):
        problems.append(("follow_ups", "a follow-up must not be empty"))
    else:
        out["follow_ups"] = tuple(" ".join(f.split()) for f in follow_ups)

    strong = raw.get("strong_answer", "")
    if not isinstance(strong, str):
        problems.append(("strong_answer", f"must be a string, not {_type(strong)}"))
    else:
        out["strong_answer"] = " ".join(strong.split())

    audience = raw.get("audience", "interviewer")
    if not isinstance(audience, str):
        problems.append(("audience", f"must be a string, not {_type(audience)}"))
    elif audience not in AUDIENCES:
        problems.append(("audience", f"'{audience}' is not one of {', '.join(AUDIENCES)}"
                         + _did_you_mean(audience, AUDIENCES)))
    else:
        out["audience"] = audience
    unknown_fields = [k for k in raw if k not in QUESTION_FIELDS]
    return out, problems, unknown_fields


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def read_pack_toml(path: Path, errors: list[PackError]
                   ) -> tuple[dict[str, Any], PackSource] | None:
    """A pack file's TOML and where its keys are, or None (the problem added to ``errors``)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(PackError(path, None, None, f"not UTF-8 text ({exc.reason})"))
        return None
    except OSError as exc:
        errors.append(PackError(path, None, None, f"cannot read file: {exc.strerror or exc}"))
        return None
    src = PackSource(text)
    try:
        return tomllib.loads(text), src
    except RecursionError:
        errors.append(PackError(path, None, None, "nested too deeply to read (arrays or "
                                "tables inside each other thousands of levels deep); "
                                "file skipped"))
    except tomllib.TOMLDecodeError as exc:
        line = syntax_line(exc, src)
        msg = re.sub(r"\s*\(at [^)]*\)\s*$", "", str(exc))
        errors.append(PackError(path, line, src.key_at(line) if line else None,
                                f"TOML syntax error: {msg}; file skipped"))
    return None


class QuestionBank:
    """All questions from the bundled packs plus the user's own, with any problems found."""

    def __init__(self, questions: Sequence[Question] = (), errors: Sequence[PackError] = (),
                 packs: Sequence[PackInfo] = ()) -> None:
        self.questions: list[Question] = list(questions)
        self.errors: list[PackError] = list(errors)
        self.packs: list[PackInfo] = list(packs)
        self._by_id = {q.id: q for q in self.questions}

    # ----- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, dirs: Sequence[Path]) -> QuestionBank:
        """Load every ``*.toml`` pack in each folder, in order. A missing folder is skipped.

        Later folders add questions; a duplicate id is reported (naming both files) and the later
        question is skipped. Never raises for a bad pack.
        """
        if isinstance(dirs, (str, Path)):
            dirs = [Path(dirs)]
        questions: list[Question] = []
        errors: list[PackError] = []
        packs: list[PackInfo] = []
        origin: dict[str, tuple[Path, int | None]] = {}
        seen_dirs: set[Path] = set()
        for d in dirs:
            d = Path(d).expanduser()
            try:
                key = d.resolve()
            except OSError:
                key = d
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            for path in cls._pack_files(d, errors):
                loaded, info = cls._load_file(path, errors)
                kept = 0
                for q, line in loaded:
                    if q.id in origin:
                        first, first_line = origin[q.id]
                        where = f"{first}:{first_line}" if first_line else str(first)
                        errors.append(PackError(path, line, "id", f"duplicate id '{q.id}', "
                                                f"already defined in {where}; this one is skipped"))
                        continue
                    origin[q.id] = (path, line)
                    questions.append(q)
                    kept += 1
                if info is not None:
                    packs.append(PackInfo(**{**info, "count": kept}))
        return cls(questions, errors, packs)

    @staticmethod
    def _pack_files(d: Path, errors: list[PackError]) -> list[Path]:
        if d.is_file():
            return [d]
        if not d.is_dir():
            return []
        try:
            return sorted(p for p in d.glob("*.toml") if p.is_file() and not p.name.startswith("."))
        except OSError as exc:
            errors.append(PackError(d, None, None, f"cannot list pack folder: {exc}"))
            return []

    @staticmethod
    def _load_file(path: Path, errors: list[PackError]
                   ) -> tuple[list[tuple[Question, int | None]], dict[str, Any] | None]:
        parsed = read_pack_toml(path, errors)
        if parsed is None:
            return [], None
        data, src = parsed
        if "values" in data and "question" not in data:
            return [], None  # a company values pack (desktop_app.session.values loads it)

        header = data.get("pack", {})
        info = {"name": path.stem, "version": "", "description": "", "language": "en"}
        head_line = src.table("pack")
        if not isinstance(header, dict):
            errors.append(PackError(path, src.key("pack", None), "pack",
                                    "must be a table: [pack] with name, version, description"))
            header = {}
        for k, v in header.items():
            line = src.key(k, head_line) or head_line
            want = PACK_FIELDS.get(k)
            if want is None:
                errors.append(PackError(path, line, f"pack.{k}", "unknown field (ignored); "
                                        f"use {', '.join(PACK_FIELDS)}"))
            elif not isinstance(v, want) or isinstance(v, bool):
                errors.append(PackError(path, line, f"pack.{k}",
                                        f"must be a string, not {_type(v)} (ignored)"))
            elif str(v).strip():
                info[k] = str(v).strip()
        for k in data:
            if k not in ("pack", "question"):
                errors.append(PackError(path, src.key(k, None) or src.table(k), k,
                                        "unknown top-level entry (ignored); questions go in "
                                        "[[question]] tables"))

        raw_questions = data.get("question")
        if raw_questions is None:
            errors.append(PackError(path, None, "question",
                                    "no [[question]] tables found; the pack has no questions"))
            return [], {**info, "path": path}
        if not isinstance(raw_questions, list):
            errors.append(PackError(path, src.key("question", None), "question",
                                    "must be an array of tables written as [[question]]"))
            return [], {**info, "path": path}

        loaded: list[tuple[Question, int | None]] = []
        fallback = src.key("question", None)
        for n, raw in enumerate(raw_questions):
            start = src.table("question", n) or fallback
            label = f"question #{n + 1}"
            if not isinstance(raw, dict):
                errors.append(PackError(path, start, "question",
                                        f"{label} must be a table, not {_type(raw)}; skipped"))
                continue
            fields, problems, unknown = _validate(raw)
            if isinstance(raw.get("id"), str):
                label = f"question '{raw['id']}'"

            def line_of(f: str, s: int | None = start) -> int | None:
                return (src.key(f, s) if s is not None else None) or s

            for f in unknown:
                hint = _did_you_mean(f, QUESTION_FIELDS) or f"; known: {', '.join(QUESTION_FIELDS)}"
                errors.append(PackError(path, line_of(f), f,
                                        f"{label}: unknown field, ignored{hint}"))
            if problems:
                for f, problem in problems:
                    errors.append(PackError(path, line_of(f), f,
                                            f"{label}: {problem}; question skipped"))
                continue
            loaded.append((Question(pack=info["name"], **fields), line_of("id")))
        return loaded, {**info, "path": path}

    # ----- queries -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def get(self, qid: str) -> Question | None:
        return self._by_id.get(qid)

    def competencies(self) -> list[str]:
        """Distinct competencies, sorted case-insensitively."""
        return sorted({q.competency for q in self.questions}, key=str.casefold)

    def kinds(self) -> list[str]:
        """The kinds present, in the canonical order of ``domain.KINDS``."""
        present = {q.kind for q in self.questions}
        return [k for k in KINDS if k in present]

    def filter(self, competency: str | None = None, kind: str | None = None,
               seniority: str | None = None, audience: str | None = None) -> list[Question]:
        """Questions matching every given criterion. A question with no seniority tags suits all
        levels. Competency matches case-insensitively."""
        comp = competency.casefold() if competency else None
        return [
            q for q in self.questions
            if (comp is None or q.competency.casefold() == comp)
            and (kind is None or q.kind == kind)
            and (seniority is None or not q.seniority or seniority in q.seniority)
            and (audience is None or q.audience == audience)
        ]
