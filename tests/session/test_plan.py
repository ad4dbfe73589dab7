"""Planning a round: distinct competencies, seniority, values questions, due/weak first, seeds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_app.session.plan import Plan, PlanRequest, QuestionStat


def comps(plan):
    return [q.competency.casefold() for q in plan.questions]


@pytest.mark.parametrize("role", ["general", "software-engineer", "staff-engineer", "sre",
                                  "product-facing", "engineering-manager"])
@pytest.mark.parametrize("n", [3, 5, 8])
def test_every_plan_covers_distinct_competencies(planner, role, n):
    level = "senior" if role in ("staff-engineer", "engineering-manager") else "mid"
    plan = planner.plan(PlanRequest(role=role, seniority=level, questions=n, seed=n))
    assert len(plan.items) == n
    assert len(set(comps(plan))) == n
    assert len({q.id for q in plan.questions}) == n


def test_seniority_tags_are_honoured(planner, bank):
    for level, tag in (("junior", "junior"), ("staff+", "staff")):
        for seed in range(5):
            plan = planner.plan(PlanRequest(role="software-engineer", seniority=level,
                                            questions=8, seed=seed))
            for q in plan.questions:
                assert not q.seniority or tag in q.seniority, (level, q.id, q.seniority)
    em = planner.plan(PlanRequest(role="engineering-manager", seniority="senior", questions=6))
    assert all(not q.seniority or "manager" in q.seniority for q in em.questions)
    with pytest.raises(ValueError, match="offered at"):
        planner.plan(PlanRequest(role="engineering-manager", seniority="junior"))


def test_the_role_sets_the_mix_of_question_kinds(planner):
    se = planner.plan(PlanRequest(role="software-engineer", seniority="mid", questions=5))
    kinds = [q.kind for q in se.questions]
    assert kinds.count("behavioural") == 3
    assert kinds.count("technical-reasoning") == 1 and kinds.count("communication") == 1
    assert se.questions[0].kind == "behavioural"  # a behavioural opener
    general = planner.plan(PlanRequest(questions=5))
    assert "technical-reasoning" not in {q.kind for q in general.questions}


def test_a_values_pack_adds_questions_on_its_values(planner, values_bank):
    pack = values_bank.get("customer-first")
    plan = planner.plan(PlanRequest(role="general", seniority="mid", values="customer-first",
                                    questions=6, seed=1))
    values = [i for i in plan.items if i.value is not None]
    assert len(values) == 2 and plan.values_name == pack.name
    names = {v.name: v for v in pack.values}
    for item in values:
        v = names[item.value]
        assert item.question.competency in v.competencies
        assert item.question.id.startswith("value-customer-first-")
        assert item.question.follow_ups  # judged with the competency's (or its own) probes
    assert len(set(comps(plan))) == 6
    with pytest.raises(ValueError, match="no values pack 'acme'.*customer-first"):
        planner.plan(PlanRequest(values="acme"))


def test_a_value_without_its_own_phrasing_uses_the_template_and_the_competencys_probes(
        planner, values_bank, bank, config):
    pack = values_bank.get("learning-and-growth")
    value = replace(pack.values[0], questions=(), follow_ups=())  # as a user's pack may write
    q = pack.question(value, value.competencies[0], bank, config.value_templates[0])
    assert q.text == config.value_templates[0].format(value=value.name[0].lower() + value.name[1:])
    own = {p for b in bank.filter(competency=value.competencies[0]) for p in b.follow_ups}
    assert q.follow_ups and set(q.follow_ups) <= own


def test_due_and_weak_questions_are_preferred(planner, bank):
    base = planner.plan(PlanRequest(role="general", questions=4, seed=3))
    unused = [q for q in bank.filter(seniority="mid", kind="behavioural")
              if q.competency.casefold() not in comps(base)]
    due, weak = unused[0], next(q for q in unused if q.competency != unused[0].competency)
    stats = {due.id: QuestionStat(2, 80.0, -3.0), weak.id: QuestionStat(1, 35.0, 4.0)}
    plan = planner.plan(PlanRequest(role="general", questions=4, seed=3), stats)
    reasons = {i.question.id: i.reason for i in plan.items}
    assert reasons.get(due.id) == "due" and reasons.get(weak.id) == "weak"


def test_a_round_built_from_due_and_weak_questions(planner, bank):
    pool = bank.filter(seniority="mid", kind="behavioural")
    picked = {}
    for q in pool:
        if q.competency not in {p.competency for p in picked.values()}:
            picked[q.id] = q
        if len(picked) == 3:
            break
    stats = {qid: QuestionStat(1, 40.0 + n, 10.0) for n, qid in enumerate(picked)}
    plan = planner.plan(PlanRequest(role="general", questions=3, due_and_weak=True, seed=9),
                        stats)
    assert {q.id for q in plan.questions} == set(picked)


def test_plans_are_deterministic_for_a_seed_and_vary_across_seeds(planner):
    req = PlanRequest(role="software-engineer", seniority="senior", values="ownership-and-delivery",
                      questions=6, seed=42)
    a, b = planner.plan(req), planner.plan(req)
    assert a == b
    others = {tuple(q.id for q in planner.plan(PlanRequest(
        role="software-engineer", seniority="senior", questions=6, seed=s)).questions)
        for s in range(8)}
    assert len(others) > 3


def test_a_time_box_sets_the_number_of_questions(planner, config):
    counts = [len(planner.plan(PlanRequest(minutes=m)).items) for m in (15, 30, 45)]
    assert counts == [config.questions_for_minutes(m) for m in (15, 30, 45)]
    assert counts[0] >= 3 and counts[0] < counts[1] <= counts[2] <= 8
    with pytest.raises(ValueError, match="3 to 8"):
        planner.plan(PlanRequest(questions=12))
    with pytest.raises(ValueError, match="not both"):
        planner.plan(PlanRequest(questions=4, minutes=30))


def test_swap_replaces_one_question_with_another_of_its_kind_and_a_new_competency(planner):
    plan = planner.plan(PlanRequest(role="software-engineer", questions=5, seed=5))
    for index in range(5):
        swapped = planner.swap(plan, index)
        old, new = plan.items[index].question, swapped.items[index].question
        assert new.id != old.id and new.kind == old.kind
        assert len(set(comps(swapped))) == 5
        assert [i for n, i in enumerate(swapped.items) if n != index] == [
            i for n, i in enumerate(plan.items) if n != index]
        again = planner.swap(swapped, index)  # never back to one swapped out
        assert again.items[index].question.id not in (old.id, new.id)


def test_a_plan_round_trips_through_its_dict(planner):
    plan = planner.plan(PlanRequest(values="customer-first", questions=4, seed=2))
    assert Plan.from_dict(plan.to_dict()) == plan
