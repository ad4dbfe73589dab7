"""Planning a round and reading the schedule, as the bank and the history grow.

``plan``: ``Planner.plan`` of an 8-question round with history for every question, against one
pass over the bank (``scan``) measured in the same run; a flat plan/scan ratio means the planner
stays linear in the bank. ``stats``: ``Schedule.stats()`` + ``due()`` (what the planner and
``rehearse due`` read) over a real database of N scored attempts with their schedules, against a
``COUNT(*)`` of the attempts table. ``sync``: catching up N answers given before schedules
existed (a one-off, at the first ``rehearse due`` or round after upgrading), per answer.

    python bench/round_planning.py [--sizes 100,1000,16000] [--attempts 200,2000,10000]

Last line: questions=… plan_ms=… scan_ms=… ratio=… attempts=… stats_ms=… count_ms=… ratio=…
sync_ms_per_answer=…
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.domain import Attempt, Question  # noqa: E402
from desktop_app.questions import QuestionBank  # noqa: E402
from desktop_app.session.config import Roles, RoundConfig  # noqa: E402
from desktop_app.session.plan import Planner, PlanRequest, QuestionStat  # noqa: E402
from desktop_app.session.schedule import GradeRules, Schedule  # noqa: E402
from desktop_app.session.values import ValuesBank  # noqa: E402
from desktop_app.storage.cards import CardStore  # noqa: E402
from desktop_app.storage.db import write_transaction  # noqa: E402
from desktop_app.storage.repository import Repository  # noqa: E402

KINDS = ("behavioural", "behavioural", "communication", "technical-reasoning")


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def bank_of(n: int) -> QuestionBank:
    return QuestionBank([Question(f"q-{i}", f"Tell me about time {i}.", f"Competency {i % 60}",
                                  KINDS[i % 4], ("mid", "senior"), ("Why?",)) for i in range(n)])


def plan_figures(n: int) -> tuple[float, float]:
    bank = bank_of(n)
    rng = random.Random(n)
    stats = {q.id: QuestionStat(rng.randrange(1, 5), rng.uniform(20, 95), rng.uniform(-9, 30))
             for q in bank}
    planner = Planner(bank, Roles.load(), ValuesBank(), RoundConfig.load())
    req = PlanRequest(role="general", questions=8, seed=3)
    plan_ms = median_ms(lambda: planner.plan(req, stats))
    scan_ms = median_ms(lambda: sum(len(q.competency.casefold()) + (q.id in stats)
                                    for q in bank))
    return plan_ms, scan_ms


def history_db(folder: Path, n: int) -> Repository:
    repo = Repository.open(folder / f"h{n}.db")
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with write_transaction(repo.db):
        for i in range(n):
            overall = 30.0 + (i * 37) % 65
            repo.add_attempt(Attempt(
                None, f"q-{i % 400}", (t0 + timedelta(hours=i)).isoformat(), status="scored",
                scores={"overall": overall}, duration_s=90.0,
                analysis_json={"scores": {"overall": overall}}))
    return repo


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,16000")
    ap.add_argument("--attempts", default="200,2000,10000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    counts = [int(s) for s in args.attempts.split(",")]
    plan_rows = []
    for n in sizes:
        plan_ms, scan_ms = plan_figures(n)
        plan_rows.append((n, plan_ms, scan_ms))
        print(f"questions={n} plan_ms={plan_ms:.2f} scan_ms={scan_ms:.3f} "
              f"ratio={plan_ms / scan_ms:.1f}")
    stat_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            repo = history_db(Path(tmp), n)
            sched = Schedule(CardStore(repo.db, repo.path), GradeRules.load(), fuzz=False)
            t0 = time.perf_counter()
            sched.sync()
            sync_ms = 1000 * (time.perf_counter() - t0) / n
            stats_ms = median_ms(lambda s=sched: (s.stats(), s.due()))
            count_ms = median_ms(lambda r=repo: r.db.execute(
                "SELECT COUNT(*) FROM attempts").fetchone())
            repo.close()
            stat_rows.append((n, stats_ms, count_ms, sync_ms))
            print(f"attempts={n} stats_ms={stats_ms:.2f} count_ms={count_ms:.3f} "
                  f"ratio={stats_ms / count_ms:.1f} sync_ms_per_answer={sync_ms:.2f}")
    n, plan_ms, scan_ms = plan_rows[-1]
    a, stats_ms, count_ms, sync_ms = stat_rows[-1]
    print(f"questions={n} plan_ms={plan_ms:.2f} scan_ms={scan_ms:.3f} ratio={plan_ms / scan_ms:.1f}"
          f" attempts={a} stats_ms={stats_ms:.2f} count_ms={count_ms:.3f} "
          f"ratio={stats_ms / count_ms:.1f} sync_ms_per_answer={sync_ms:.2f}")


if __name__ == "__main__":
    main()
