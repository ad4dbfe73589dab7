"""Plan a mock interview round: which questions, in which order, and why each was chosen.

The plan covers distinct competencies, mixes question kinds as the role's real rounds do
(assets/interview/roles.toml), honours the questions' seniority tags, adds questions on a company
values pack's values, and leans toward what is due for review or was answered weakly. It is
deterministic for a seed: every candidate's random spread comes from the seed and its own id,
so a swap or a re-plan never reshuffles the rest.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from desktop_app.domain import KINDS, Question
from desktop_app.questions import QuestionBank
from desktop_app.session.config import Level, Role, Roles, RoundConfig
from desktop_app.session.values import Value, ValuesBank, ValuesPack

WEAK_BELOW = 70.0  # a last overall under this makes a question "weak"
DEFAULT_QUESTIONS = 5


@dataclass(frozen=True)
class QuestionStat:
    """What history says about one question."""

    attempts: int = 0
    last_overall: float | None = None
    due_in_days: float | None = None  # <= 0: due now; None: no schedule yet

    @property
    def due(self) -> bool:
        return self.due_in_days is not None and self.due_in_days <= 0

    @property
    def weak(self) -> bool:
        return self.last_overall is not None and self.last_overall < WEAK_BELOW


@dataclass(frozen=True)
class PlanRequest:
    role: str = "general"
    seniority: str = "mid"
    values: str | None = None  # a values pack key
    questions: int | None = None  # 3-8; or
    minutes: int | None = None  # a time box
    seed: int = 0
    due_and_weak: bool = False  # build the round from due and weak questions first


@dataclass(frozen=True)
class PlanItem:
    question: Question
    reason: str  # due | weak | new | value | focus | mix
    value: str | None = None  # the value's name, for a values question

    def to_dict(self) -> dict[str, Any]:
        return {"question": asdict(self.question), "reason": self.reason, "value": self.value}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlanItem:
        q = dict(d["question"])
        for k in ("seniority", "follow_ups"):
            q[k] = tuple(q.get(k, ()))
        return cls(Question(**q), str(d["reason"]), d.get("value"))


@dataclass(frozen=True)
class Plan:
    request: PlanRequest
    role_label: str
    level_label: str
    values_name: str | None
    items: tuple[PlanItem, ...]
    swapped_out: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def questions(self) -> list[Question]:
        return [i.question for i in self.items]

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": asdict(self.request), "role_label": self.role_label,
            "level_label": self.level_label, "values_name": self.values_name,
            "items": [i.to_dict() for i in self.items], "swapped_out": list(self.swapped_out),
            "notes": list(self.notes),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        return cls(PlanRequest(**d["request"]), d["role_label"], d["level_label"],
                   d.get("values_name"), tuple(PlanItem.from_dict(i) for i in d["items"]),
                   tuple(d.get("swapped_out", ())), tuple(d.get("notes", ())))


def _jitter(seed: int, key: str) -> float:
    return random.Random(f"{seed}:{key}").random()  # str seeds hash with SHA-512: stable


class Planner:
    """Builds and edits plans from the question bank, roles and values packs."""

    def __init__(self, bank: QuestionBank, roles: Roles, values: ValuesBank,
                 config: RoundConfig) -> None:
        self.bank, self.roles, self.values, self.config = bank, roles, values, config
        self._cache: dict[str, tuple[float, str]] = {}  # this call's scores: each slot would
        # otherwise rescore the whole bank (not thread-safe: one planner per thread)

    # ----- the whole plan -------------------------------------------------------------------
    def plan(self, request: PlanRequest, stats: Mapping[str, QuestionStat] | None = None
             ) -> Plan:
        """A plan for ``request``. Raises ValueError with a plain message for a bad request."""
        stats, self._cache = stats or {}, {}
        role, level = self._target(request)
        count = self._count(request)
        pack = self._pack(request.values)
        pool = self._eligible(role, level)
        if not pool:
            raise ValueError(f"no question in the bank suits a {level.label} {role.label}")
        n_values = 0
        if pack is not None:
            share = self.config.planner.values_share
            n_values = min(len(pack.values), max(1, round(count * share)))
        slots = self._kind_slots(role, pool, count, n_values)
        used_comps: set[str] = set()
        used_ids: set[str] = set()
        chosen: dict[str, list[PlanItem]] = {k: [] for k in KINDS}
        notes: list[str] = []
        if pack is not None:
            for item in self._values_items(pack, n_values, request.seed, stats, used_comps):
                chosen["behavioural"].append(item)
                used_ids.add(item.question.id)
        if request.due_and_weak:  # due and weak questions first, whatever their kind
            for item in self._due_and_weak(pool, role, request, stats, count - n_values):
                if item.question.competency.casefold() in used_comps:
                    continue
                kind = item.question.kind
                if slots.get(kind, 0) <= 0:
                    kind = max(slots, key=lambda k: slots[k])
                    if slots[kind] <= 0:
                        break
                slots[kind] -= 1
                chosen[item.question.kind].append(item)
                used_comps.add(item.question.competency.casefold())
                used_ids.add(item.question.id)
        fallback = sorted(KINDS, key=lambda k: -role.kinds.get(k, 0.0))
        for kind in KINDS:
            for _ in range(slots.get(kind, 0)):
                item = self._best(pool, kind, role, request, stats, used_comps, used_ids)
                for other in fallback:  # that kind ran out of competencies: another kind
                    if item is not None:
                        break
                    item = self._best(pool, other, role, request, stats, used_comps, used_ids)
                if item is None:
                    notes.append("the bank has too few competencies for this many questions")
                    break
                chosen[item.question.kind].append(item)
                used_comps.add(item.question.competency.casefold())
                used_ids.add(item.question.id)
        return Plan(request, role.label, level.label, pack.name if pack else None,
                    tuple(_interleave(chosen)), (), tuple(notes))

    def swap(self, plan: Plan, index: int, stats: Mapping[str, QuestionStat] | None = None
             ) -> Plan:
        """``plan`` with its ``index``-th question replaced by the best other fit (same kind, a
        competency the rest of the plan does not cover, never one swapped out before)."""
        stats, self._cache = stats or {}, {}
        if not 0 <= index < len(plan.items):
            raise ValueError(f"no question {index + 1} in a plan of {len(plan.items)}")
        old = plan.items[index]
        others = [i for n, i in enumerate(plan.items) if n != index]
        used_comps = {i.question.competency.casefold() for i in others}
        out = (*plan.swapped_out, old.question.id)
        used_ids = {i.question.id for i in others} | set(out)
        request = plan.request
        new: PlanItem | None = None
        if old.value is not None:
            pack = self._pack(request.values)
            if pack is not None:
                spare = [v for v in pack.values
                         if f"value-{pack.key}-{v.id}" not in used_ids]
                new = next(iter(self._values_items(pack, 1, request.seed, stats, used_comps,
                                                   spare)), None)
        if new is None:
            role, level = self._target(request)
            new = self._best(self._eligible(role, level), old.question.kind, role, request,
                             stats, used_comps, used_ids)
        if new is None:
            raise ValueError("no other question fits this slot; keep this one or re-plan")
        items = list(plan.items)
        items[index] = new
        return replace(plan, items=tuple(items), swapped_out=out)

    # ----- parts ----------------------------------------------------------------------------
    def _target(self, request: PlanRequest) -> tuple[Role, Level]:
        role = self.roles.role(request.role)
        level = self.roles.level(request.seniority)
        if role.levels and level.key not in role.levels:
            offered = ", ".join(self.roles.levels[k].label for k in role.levels)
            raise ValueError(f"the {role.label} round is offered at {offered}")
        return role, level

    def _count(self, request: PlanRequest) -> int:
        c = self.config
        if request.questions is not None and request.minutes is not None:
            raise ValueError("give a number of questions or a time box, not both")
        if request.minutes is not None:
            if request.minutes <= 0:
                raise ValueError("the time box must be a positive number of minutes")
            return c.questions_for_minutes(request.minutes)
        n = DEFAULT_QUESTIONS if request.questions is None else request.questions
        if not c.min_questions <= n <= c.max_questions:
            raise ValueError(f"a round has {c.min_questions} to {c.max_questions} questions, "
                             f"not {n}")
        return n

    def _pack(self, key: str | None) -> ValuesPack | None:
        if key is None:
            return None
        pack = self.values.get(key)
        if pack is None:
            raise ValueError(f"no values pack '{key}'; available: "
                             f"{', '.join(self.values.keys()) or 'none'}")
        return pack

    def _eligible(self, role: Role, level: Level) -> list[Question]:
        def fits(q: Question) -> bool:
            if not q.seniority:
                return True
            return level.tag in q.seniority and (role.tag is None or role.tag in q.seniority)
        return [q for q in self.bank if fits(q)]

    def _kind_slots(self, role: Role, pool: Sequence[Question], count: int, n_values: int
                    ) -> dict[str, int]:
        """Questions per kind (largest remainder), values questions taking behavioural slots."""
        present = {q.kind for q in pool}
        weights = {k: w for k, w in role.kinds.items() if w > 0 and k in present}
        if not weights:
            weights = {k: 1.0 for k in present}
        total = sum(weights.values())
        exact = {k: count * w / total for k, w in weights.items()}
        slots = {k: int(v) for k, v in exact.items()}
        for k in sorted(exact, key=lambda k: (exact[k] - slots[k], weights[k]), reverse=True):
            if sum(slots.values()) >= count:
                break
            slots[k] += 1
        take = n_values
        for k in ("behavioural", *sorted(slots, key=lambda k: -slots[k])):
            got = min(take, slots.get(k, 0))
            slots[k] = slots.get(k, 0) - got
            take -= got
        return slots

    def _score(self, q: Question, role: Role, request: PlanRequest,
               stats: Mapping[str, QuestionStat]) -> tuple[float, str]:
        if q.id not in self._cache:
            self._cache[q.id] = self._rank(q, role, request, stats)
        return self._cache[q.id]

    def _rank(self, q: Question, role: Role, request: PlanRequest,
              stats: Mapping[str, QuestionStat]) -> tuple[float, str]:
        w = self.config.planner
        st = stats.get(q.id, QuestionStat())
        focus = not role.focus or q.competency in role.focus
        score = w.focus * focus + w.jitter * _jitter(request.seed, q.id)
        reason = "focus" if role.focus and focus else "mix"
        if st.attempts == 0:
            score += w.new
            reason = "new"
        if st.weak:
            score += w.weak * (WEAK_BELOW - float(st.last_overall or 0.0)) / WEAK_BELOW
            reason = "weak"
        if st.due:
            score += w.due + min(1.0, w.overdue_per_day * -float(st.due_in_days or 0.0))
            reason = "due"
        if request.due_and_weak and (st.due or st.weak):
            score += 100.0  # before anything else
        return score, reason

    def _best(self, pool: Sequence[Question], kind: str, role: Role, request: PlanRequest,
              stats: Mapping[str, QuestionStat], used_comps: set[str], used_ids: set[str]
              ) -> PlanItem | None:
        best: tuple[float, str, Question] | None = None
        for q in pool:
            if q.kind != kind or q.id in used_ids or q.competency.casefold() in used_comps:
                continue
            score, reason = self._score(q, role, request, stats)
            if best is None or score > best[0]:
                best = (score, reason, q)
        return None if best is None else PlanItem(best[2], best[1])

    def _due_and_weak(self, pool: Sequence[Question], role: Role, request: PlanRequest,
                      stats: Mapping[str, QuestionStat], n: int) -> list[PlanItem]:
        ranked = sorted(
            ((*self._score(q, role, request, stats), q) for q in pool
             if stats.get(q.id, QuestionStat()).due or stats.get(q.id, QuestionStat()).weak),
            key=lambda t: -t[0])
        return [PlanItem(q, reason) for _score, reason, q in ranked][: max(0, n) * 2]

    def _values_items(self, pack: ValuesPack, n: int, seed: int,
                      stats: Mapping[str, QuestionStat], used_comps: set[str],
                      candidates: Sequence[Value] | None = None) -> list[PlanItem]:
        """Up to ``n`` values questions, each on a competency not yet used (added to
        ``used_comps``); values whose question is due or weak come first."""
        def rank(v: Value) -> float:
            st = stats.get(f"value-{pack.key}-{v.id}", QuestionStat())
            return _jitter(seed, v.id) + 2.0 * st.due + 1.0 * st.weak
        items: list[PlanItem] = []
        templates = self.config.value_templates or ("Tell me about a time you showed {value}.",)
        for v in sorted(candidates if candidates is not None else pack.values, key=rank,
                        reverse=True):
            if len(items) == n:
                break
            comp = next((c for c in v.competencies if c.casefold() not in used_comps), None)
            if comp is None:
                continue
            pick = random.Random(f"{seed}:{v.id}:text").randrange(
                max(len(v.questions), len(templates)))
            q = pack.question(v, comp, self.bank, templates[pick % len(templates)], pick)
            st = stats.get(q.id, QuestionStat())
            items.append(PlanItem(q, "due" if st.due else "weak" if st.weak else "value",
                                  v.name))
            used_comps.add(comp.casefold())
        return items


def _interleave(chosen: Mapping[str, list[PlanItem]]) -> list[PlanItem]:
    """A round's order: a behavioural opener, then the kinds taking turns, values questions
    spread among the behavioural ones."""
    beh = chosen.get("behavioural", [])
    plain = [i for i in beh if i.value is None]
    vals = [i for i in beh if i.value is not None]
    merged: list[PlanItem] = []
    while plain or vals:
        if plain:
            merged.append(plain.pop(0))
        if vals:
            merged.append(vals.pop(0))
    queues = [merged, *(list(chosen.get(k, [])) for k in KINDS if k != "behavioural")]
    out: list[PlanItem] = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out
