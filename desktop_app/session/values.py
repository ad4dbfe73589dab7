"""Company values packs: a company or team's values, each mapped to the competencies that judge it.

A values pack is a TOML file with a ``[values]`` header table (that table is what tells it apart
from a question pack in the user's ``packs/`` folder) and ``[[value]]`` tables; the format is in
prompts/values/README.md. A round that uses a pack asks "Tell me about a time you showed
<value>"-style questions; each is a behavioural :class:`Question` on one of the value's
competencies, so the scorer judges it with that competency's probes. Loading never raises for a
bad pack: each problem becomes a :class:`PackError` with file, line and field, like question packs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain import Question
from desktop_app.questions import (
    MAX_FOLLOW_UPS,
    PackError,
    QuestionBank,
    _did_you_mean,
    _str_list,
    _type,
    read_pack_toml,
    required_strings,
)

HEADER_FIELDS = ("name", "description", "version", "language", "source", "author")
VALUE_FIELDS = ("id", "name", "description", "competencies", "questions", "follow_ups",
                "strong_answer")
MAX_COMPETENCIES = 3
MAX_QUESTIONS = 3


@dataclass(frozen=True)
class Value:
    """One value: what it means, the competencies that show it, optional own phrasings."""

    id: str
    name: str
    description: str
    competencies: tuple[str, ...]
    questions: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    strong_answer: str = ""


@dataclass(frozen=True)
class ValuesPack:
    """A company or team and its values. ``key`` (the file name) names it on the command line."""

    key: str
    name: str
    description: str
    values: tuple[Value, ...]
    path: Path
    source: str = ""

    def question(self, value: Value, competency: str, bank: QuestionBank,
                 template: str, pick: int = 0) -> Question:
        """The question that asks for ``value``, judged as ``competency``: the value's own
        phrasing (the ``pick``-th, wrapping) or ``template``; its probes are the value's own or
        else the first probe of each bank question on that competency."""
        if value.questions:
            text = value.questions[pick % len(value.questions)]
        else:
            text = template.format(value=value.name[:1].lower() + value.name[1:])
        probes = value.follow_ups or _competency_probes(bank, competency)
        strong = value.strong_answer or (
            f"A specific story that shows {value.name.lower()}: {value.description} Told in "
            "order (situation, task, the candidate's own actions, a measured result) and "
            "ending with what it taught them.")
        return Question(
            id=f"value-{self.key}-{value.id}", text=text, competency=competency,
            kind="behavioural", follow_ups=probes, strong_answer=strong, pack=self.name,
        )  # fmt: skip


def _competency_probes(bank: QuestionBank, competency: str) -> tuple[str, ...]:
    probes: list[str] = []
    for q in bank.filter(competency=competency, kind="behavioural") or bank.filter(
            competency=competency):
        if q.follow_ups and q.follow_ups[0] not in probes:
            probes.append(q.follow_ups[0])
        if len(probes) == MAX_FOLLOW_UPS:
            break
    return tuple(probes)


class ValuesBank:
    """Every values pack found, keyed by file name, with the problems found."""

    def __init__(self, packs: Sequence[ValuesPack] = (), errors: Sequence[PackError] = ()):
        self.packs = list(packs)
        self.errors = list(errors)
        self._by_key = {p.key: p for p in self.packs}

    def get(self, key: str) -> ValuesPack | None:
        """A pack by its key (file name without .toml) or, failing that, its name."""
        found = self._by_key.get(key)
        if found is None:
            folded = key.casefold()
            found = next((p for p in self.packs if p.name.casefold() == folded), None)
        return found

    def keys(self) -> list[str]:
        return [p.key for p in self.packs]

    @classmethod
    def load(cls, bundled: Path, user: Path | None = None,
             competencies: Collection[str] | None = None) -> ValuesBank:
        """Packs from ``bundled`` (every ``*.toml`` is a values pack) and ``user`` (only files with
        a ``[values]`` table; the others are question packs). ``competencies``: the bank's, so a
        value mapped to a competency no question covers is reported. A later pack with a key
        already taken is reported and skipped."""
        packs: list[ValuesPack] = []
        errors: list[PackError] = []
        for folder, strict in ((bundled, True), (user, False)):
            if folder is None or not Path(folder).is_dir():
                continue
            for path in sorted(Path(folder).glob("*.toml")):
                if path.name.startswith(".") or not path.is_file():
                    continue
                pack = _load(path, errors, strict, competencies)
                if pack is None:
                    continue
                if any(p.key == pack.key for p in packs):
                    errors.append(PackError(path, None, None, f"a values pack named "
                                            f"'{pack.key}' is already loaded; this one is skipped"))
                    continue
                packs.append(pack)
        return cls(packs, errors)


def _load(path: Path, errors: list[PackError], strict: bool,
          competencies: Collection[str] | None) -> ValuesPack | None:
    mine: list[PackError] = []
    parsed = read_pack_toml(path, mine)
    if parsed is None:
        if strict:
            errors.extend(mine)
        else:  # a broken file in packs/ is a question pack's problem unless it says [values]
            text = _peek(path)
            if re.search(r"^\s*\[\s*values\s*\]", text, re.M):
                errors.extend(mine)
        return None
    data, src = parsed
    header = data.get("values")
    if header is None:
        if strict:
            errors.append(PackError(path, None, "values", "missing [values] table (name, "
                                    "description): a values pack needs it; file skipped"))
        return None
    head_line = src.table("values")
    if not isinstance(header, dict):
        errors.append(PackError(path, src.key("values", None), "values",
                                f"must be a table, not {_type(header)}; file skipped"))
        return None
    info = {"name": path.stem, "description": "", "source": ""}
    for k, v in header.items():
        line = src.key(k, head_line) or head_line
        if k not in HEADER_FIELDS:
            errors.append(PackError(path, line, f"values.{k}", "unknown field (ignored)"
                                    + (_did_you_mean(k, HEADER_FIELDS)
                                       or f"; use {', '.join(HEADER_FIELDS)}")))
        elif not isinstance(v, (str, int, float)) or isinstance(v, bool):
            errors.append(PackError(path, line, f"values.{k}",
                                    f"must be a string, not {_type(v)} (ignored)"))
        elif k in info and str(v).strip():
            info[k] = " ".join(str(v).split())
    for k in data:
        if k not in ("values", "value"):
            errors.append(PackError(path, src.key(k, None) or src.table(k), k,
                                    "unknown top-level entry (ignored); values go in "
                                    "[[value]] tables"))
    raw_values = data.get("value")
    if not isinstance(raw_values, list) or not raw_values:
        errors.append(PackError(path, src.key("value", None) or head_line, "value",
                                "no [[value]] tables found; the pack has no values"))
        return None
    values: list[Value] = []
    seen: dict[str, int | None] = {}
    for n, raw in enumerate(raw_values):
        start = src.table("value", n) or head_line
        if not isinstance(raw, dict):
            errors.append(PackError(path, start, "value",
                                    f"value #{n + 1} must be a table, not {_type(raw)}; skipped"))
            continue
        label = f"value '{raw['id']}'" if isinstance(raw.get("id"), str) else f"value #{n + 1}"

        def line_of(f: str, s: int | None = start) -> int | None:
            return (src.key(f, s) if s is not None else None) or s

        for f in raw:
            if f not in VALUE_FIELDS:
                hint = _did_you_mean(f, VALUE_FIELDS) or f"; known: {', '.join(VALUE_FIELDS)}"
                errors.append(PackError(path, line_of(f), f,
                                        f"{label}: unknown field, ignored{hint}"))
        fields, problems = _validate(raw, competencies)
        if not problems and fields["id"] in seen:
            problems.append(("id", f"duplicate id '{fields['id']}' (first on line "
                                   f"{seen[fields['id']]})"))
        if problems:
            for f, problem in problems:
                errors.append(PackError(path, line_of(f), f, f"{label}: {problem}; value skipped"))
            continue
        seen[fields["id"]] = line_of("id")
        values.append(Value(**fields))
    if not values:
        return None
    key = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "values"
    return ValuesPack(key=key, name=info["name"], description=info["description"],
                      values=tuple(values), path=path, source=info["source"])


def _peek(path: Path) -> str:
    try:
        return path.read_bytes()[:65536].decode("utf-8", "replace")
    except OSError:
        return ""


def _validate(raw: dict[str, Any], competencies: Collection[str] | None
              ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    required_strings(raw, ("id", "name", "description"), out, problems)

    comps = raw.get("competencies")
    if comps is None:
        problems.append(("competencies", "missing (required): the competencies that show this "
                                         "value, e.g. [\"Ownership\"]"))
    elif not _str_list(comps) or not comps:
        problems.append(("competencies", f"must be a list of 1 to {MAX_COMPETENCIES} strings, "
                                         f"not {_type(comps)}"))
    elif len(comps) > MAX_COMPETENCIES:
        problems.append(("competencies", f"lists {len(comps)}; at most {MAX_COMPETENCIES}"))
    else:
        known = {c.casefold(): c for c in (competencies or ())}
        resolved = []
        for c in comps:
            name = " ".join(c.split())
            if known and name.casefold() not in known:
                problems.append(("competencies", f"'{name}' is not a competency of the question "
                                 "bank" + (_did_you_mean(name, list(known.values()))
                                           or f"; known: {', '.join(sorted(known.values()))}")))
            resolved.append(known.get(name.casefold(), name))
        out["competencies"] = tuple(dict.fromkeys(resolved))

    for name, limit in (("questions", MAX_QUESTIONS), ("follow_ups", MAX_FOLLOW_UPS)):
        value = raw.get(name, [])
        if not _str_list(value):
            problems.append((name, f"must be a list of strings, not {_type(value)}"))
        elif name in raw and not 1 <= len(value) <= limit:
            problems.append((name, f"needs 1 to {limit} entries, found {len(value)}"))
        elif any(not v.strip() for v in value):
            problems.append((name, "an entry must not be empty"))
        else:
            out[name] = tuple(" ".join(v.split()) for v in value)
    strong = raw.get("strong_answer", "")
    if not isinstance(strong, str):
        problems.append(("strong_answer", f"must be a string, not {_type(strong)}"))
    else:
        out["strong_answer"] = " ".join(strong.split())
    return out, problems
