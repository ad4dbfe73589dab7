"""m010/m011: the progress rollup gives exactly what the attempts say, after saves, re-scores,
moves, deletes and pack changes, under every filter; checked against the attempt-level queries
and against plain sqlite3 over the real file; a migrated database is backfilled; in another
time zone (a real second process) readers fall back and the next write rebuilds."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from desktop_app.domain import SCORE_KEYS, Attempt
from desktop_app.paths import prompts_dir
from desktop_app.questions import QuestionBank
from desktop_app.storage import rollup, rollup_totals
from desktop_app.storage.migrations import MIGRATIONS
from desktop_app.storage.progress import Progress, ProgressFilter
from desktop_app.storage.repository import Repository
from tests.history_factory import analysis_pool, make_history

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bank():
    return QuestionBank.load([prompts_dir()])


@pytest.fixture(scope="module")
def pool(bank):
    return analysis_pool(bank.questions)


def churn(repo: Repository, ids: list[int], pool, rng: random.Random) -> None:
    """What a real history goes through: follow-up answers, unscored and typed attempts,
    re-scores, a moved time, deletes, notes."""
    for aid in rng.sample(ids, 12):  # follow-up answers
        parent = repo.get_attempt(aid)
        p = pool[rng.randrange(len(pool))]
        repo.add_attempt(Attempt(None, parent.question_id, parent.started_at, duration_s=30.0,
                                 status="scored", prompt_text="And what did you learn?",
                                 parent_attempt_id=aid, analysis_json=p.analysis_json,
                                 scores=p.scores))
    for aid in rng.sample(ids, 6):  # recorded, never scored
        a = repo.get_attempt(aid)
        repo.add_attempt(Attempt(None, a.question_id, a.started_at, duration_s=12.5))
    for aid in rng.sample(ids, 20):  # re-scored with another analysis
        p = pool[rng.randrange(len(pool))]
        repo.update_attempt(aid, analysis_json=p.analysis_json, scores=p.scores)
    for aid in rng.sample(ids, 5):  # moved to another day, and to another question
        a = repo.get_attempt(aid)
        repo.update_attempt(aid, started_at=a.started_at[:8] + "03" + a.started_at[10:],
                            question_id=repo.get_attempt(ids[0]).question_id)
    for aid in rng.sample(ids, 15):
        repo.delete_attempt(aid, repo.path.parent)
    for aid in rng.sample([i for i in ids if repo.get_attempt(i)], 5):
        repo.update_attempt(aid, note="remember the numbers")


FILTERS = [
    ProgressFilter(),
    ProgressFilter(include_follow_ups=True),
    ProgressFilter(since=date.today() - timedelta(days=20)),
    ProgressFilter(since=date.today() - timedelta(days=40), until=date.today() - timedelta(days=9)),
]


def filters(bank) -> list[ProgressFilter]:
    comps = bank.competencies()
    kinds = sorted({q.kind for q in bank.questions})
    return [*FILTERS, ProgressFilter(competencies=(comps[0], comps[2])),
            ProgressFilter(kinds=(kinds[0],), since=date.today() - timedelta(days=30)),
            ProgressFilter(competencies=(comps[1],), include_follow_ups=True)]


def near(a: dict, b: dict) -> bool:
    """Equal keys, None in the same places, numbers equal to rounding."""
    return a.keys() == b.keys() and all(
        (a[k] is None) == (b[k] is None) and (a[k] is None or a[k] == pytest.approx(b[k]))
        for k in a)


def same(fast: Progress, slow: Progress, f: ProgressFilter, tip_ids: tuple[str, ...]) -> None:
    assert fast.fast and not slow.fast
    a, b = fast.summary(f), slow.summary(f)
    assert (a.attempts, a.scored, a.first_at, a.last_at, a.window) == (
        b.attempts, b.scored, b.first_at, b.last_at, b.window)
    assert a.practice_s == pytest.approx(b.practice_s)
    for part in ("averages", "start", "end"):
        assert near(getattr(a, part), getattr(b, part)), part
    ca, cb = fast.coverage(f), slow.coverage(f)
    assert [(r.competency, r.attempts, r.best, r.latest, r.last_at) for r in ca] == [
        (r.competency, r.attempts, r.best, r.latest, r.last_at) for r in cb]
    assert all(near(x.averages, y.averages) for x, y in zip(ca, cb, strict=True))
    assert [(w.start, w.attempts) for w in fast.weeks(f)] == [
        (w.start, w.attempts) for w in slow.weeks(f)]
    assert [w.seconds for w in fast.weeks(f)] == pytest.approx([w.seconds for w in slow.weeks(f)])
    assert fast.practice_days(f) == slow.practice_days(f)
    ta, tb = fast.recurring_tips(f, tip_ids, limit=5), slow.recurring_tips(f, tip_ids, limit=5)
    assert sorted((t.tip_id, t.count) for t in ta) == sorted((t.tip_id, t.count) for t in tb)
    everything = ProgressFilter(competencies=f.competencies, kinds=f.kinds,
                                include_follow_ups=f.include_follow_ups)
    assert fast.question_stats(everything) == slow.question_stats(everything)
    # up to max_points scored answers: one point per answer, the same ones
    sa, sb = fast.series(f, max_points=10_000), slow.series(f, max_points=10_000)
    assert [(p.at, p.attempt_id) for p in sa] == [(p.at, p.attempt_id) for p in sb]


def test_the_rollup_equals_the_attempts_after_every_kind_of_write(tmp_path, bank, pool):
    repo = Repository.open(tmp_path / "rehearse.db")
    try:
        repo.sync_questions(bank.questions)
        ids = make_history(repo, bank.questions, 300, weeks=8, pool=pool)
        churn(repo, ids, pool, random.Random(3))
        tip_ids = tuple({t for (t,) in repo.db.execute("SELECT tip_id FROM attempt_tips")})
        fast, slow = Progress(repo.db), Progress(repo.db, rollup=False)
        for f in filters(bank):
            same(fast, slow, f, tip_ids)
        assert fast.attempt_count() == slow.attempt_count() == repo.history_count()
        # a pack moves a question to another competency: its attempts move with it
        moved = bank.questions[0]
        changed = [q if q.id != moved.id else replace(q, competency="Moved")
                   for q in bank.questions]
        repo.sync_questions(changed)
        assert any(r.competency == "Moved" for r in Progress(repo.db).coverage(ProgressFilter()))
        same(Progress(repo.db), Progress(repo.db, rollup=False),
             ProgressFilter(competencies=("Moved", moved.competency)), tip_ids)
        # the all-time and all-competency totals, kept up write by write, equal a rebuild
        kept = coarse_rows(repo.db)
        rollup_totals.rebuild(repo.db)
        assert coarse_rows(repo.db) == kept and all(kept.values())
        # the rollup is a few rows per day, not one per attempt
        days = repo.db.execute("SELECT COUNT(DISTINCT day) FROM progress_days").fetchone()[0]
        rows = repo.db.execute("SELECT COUNT(*) FROM progress_days").fetchone()[0]
        comps = len(bank.competencies()) + 1
        assert rows <= days * comps * 2 * 2 and days <= 8 * 7 + 1
    finally:
        repo.close()


def coarse_rows(db: Database) -> dict[str, list[tuple]]:
    """Every row of m011's tables, sums rounded (a rebuild adds them in another order)."""
    out = {}
    for table in (rollup_totals.TOTALS, rollup_totals.DAILY, rollup_totals.TIP_TOTALS):
        rows = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        out[table] = [tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                      for r in rows]
    return out


def test_the_totals_read_few_rows_whatever_the_history(tmp_path, bank, pool):
    """The view as it opens (all time, every competency) reads the totals tables, whose size
    is set by the competencies and the days, not by the attempts."""
    sizes = {}
    for n in (60, 600):
        repo = Repository.open(tmp_path / f"{n}.db")
        try:
            repo.sync_questions(bank.questions)
            make_history(repo, bank.questions, n, weeks=4, pool=pool)
            plans = " ".join(str(r) for r in repo.db.execute(
                "EXPLAIN QUERY PLAN SELECT TOTAL(attempts) FROM progress_totals"))
            assert "progress_days" not in plans
            sizes[n] = repo.db.execute("SELECT COUNT(*) FROM progress_totals").fetchone()[0]
            days = repo.db.execute("SELECT COUNT(*) FROM progress_daily").fetchone()[0]
            assert days <= 2 * (4 * 7 + 1)
        finally:
            repo.close()
    comps = len(bank.competencies()) + 1
    kinds = len({q.kind for q in bank.questions})
    assert sizes[600] <= comps * kinds * 2 and sizes[600] < 600 / 4


def test_the_migration_adds_up_the_totals_of_a_rollup_database(tmp_path, bank, pool):
    path = tmp_path / "rehearse.db"
    repo = Repository.open(path)
    repo.sync_questions(bank.questions)
    make_history(repo, bank.questions, 80, weeks=3, pool=pool)
    repo.close()
    at_m010 = Database(path)  # as a Rehearse of the release before left it
    for table in (rollup_totals.TOTALS, rollup_totals.DAILY, rollup_totals.TIP_TOTALS):
        at_m010[table].drop()
    at_m010.execute("DROP INDEX progress_tips_tip")
    at_m010.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_progress_totals'")
    at_m010.close()
    repo = Repository.open(path)
    try:
        assert rollup_totals.present(repo.db)
        fast, slow = Progress(repo.db), Progress(repo.db, rollup=False)
        tip_ids = tuple({t for (t,) in repo.db.execute("SELECT tip_id FROM attempt_tips")})
        same(fast, slow, ProgressFilter(), tip_ids)
        assert sum(r[3] for r in coarse_rows(repo.db)[rollup_totals.TOTALS]) == 80
    finally:
        repo.close()


def independent(path: Path, f: ProgressFilter) -> dict:
    """Summary averages, coverage, weekly time and streak days with plain sqlite3, from the
    attempts table alone (no rollup, no side table, no project code)."""
    con = sqlite3.connect(path)
    try:
        conds, params = ["a.prompt_text IS NULL"], []
        if f.since:
            conds.append("date(a.started_at, 'localtime') >= ?")
            params.append(f.since.isoformat())
        if f.competencies:
            conds.append(f"q.competency IN ({', '.join('?' for _ in f.competencies)})")
            params += list(f.competencies)
        w = " AND ".join(conds)
        src = "FROM attempts a LEFT JOIN questions q ON q.id = a.question_id"
        avg = ", ".join(f"AVG(a.score_{k})" for k in SCORE_KEYS)
        row = con.execute(f"SELECT COUNT(*), {avg} {src} WHERE {w} AND "
                          "a.score_overall IS NOT NULL", params).fetchone()
        cov = {c: (n, best) for c, n, best in con.execute(
            f"SELECT q.competency, COUNT(*), MAX(a.score_overall) {src} WHERE {w} "
            "GROUP BY q.competency", params)}
        w_all = " AND ".join(conds[1:]) or "1"
        weeks = con.execute(
            f"SELECT date(a.started_at, 'localtime', 'weekday 0', '-6 days') AS wk, "
            f"SUM(a.duration_s) {src} WHERE {w_all} GROUP BY wk ORDER BY wk", params).fetchall()
        days = [d for (d,) in con.execute(
            f"SELECT DISTINCT date(a.started_at, 'localtime') AS d {src} WHERE {w_all} "
            "ORDER BY d DESC", params)]
    finally:
        con.close()
    return {"scored": row[0], "averages": dict(zip(SCORE_KEYS, row[1:], strict=True)),
            "coverage": cov, "weeks": weeks, "days": days}


def test_the_rollup_matches_plain_sqlite_on_the_file(tmp_path, bank, pool):
    path = tmp_path / "rehearse.db"
    repo = Repository.open(path)
    try:
        repo.sync_questions(bank.questions)
        ids = make_history(repo, bank.questions, 200, weeks=6, pool=pool)
        churn(repo, ids, pool, random.Random(11))
        comps = bank.competencies()
        for f in (ProgressFilter(), ProgressFilter(since=date.today() - timedelta(days=15)),
                  ProgressFilter(competencies=(comps[0], comps[1]))):
            want = independent(path, f)
            p = Progress(repo.db)
            assert p.fast
            s = p.summary(f)
            assert s.scored == want["scored"]
            assert near(s.averages, want["averages"])
            assert {r.competency: (r.attempts, r.best) for r in p.coverage(f)} == want["coverage"]
            wf = ProgressFilter(since=f.since, competencies=f.competencies,
                                include_follow_ups=True)
            assert [(w.start.isoformat(), pytest.approx(w.seconds)) for w in p.weeks(wf)] == \
                want["weeks"]
            assert [d.isoformat() for d in p.practice_days(wf)] == want["days"]
        # over max_points scored answers the trend has one point per day: that day's average
        con = sqlite3.connect(path)
        per_day = con.execute(
            "SELECT date(started_at, 'localtime') AS d, COUNT(*), AVG(score_overall) "
            "FROM attempts WHERE prompt_text IS NULL AND score_overall IS NOT NULL "
            "GROUP BY d ORDER BY d").fetchall()
        con.close()
        points = Progress(repo.db).series(ProgressFilter(), max_points=len(per_day) + 1)
        assert len(points) == len(per_day) < 150
        for pt, (day, n, avg) in zip(points, per_day, strict=True):
            assert pt.at.astimezone().date().isoformat() == day and pt.count == n
            assert pt.values["overall"] == pytest.approx(avg)
        merged = Progress(repo.db).series(ProgressFilter(), max_points=8)
        assert len(merged) <= 9 and sum(pt.count for pt in merged) == sum(r[1] for r in per_day)
    finally:
        repo.close()


def test_the_migration_fills_the_rollup_for_stored_attempts(tmp_path, pool):
    path = tmp_path / "rehearse.db"
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m010_progress_rollup")
    rows = [{"question_id": f"q{i % 4}", "status": "scored", "duration_s": 40.0 + i,
             "started_at": f"2026-10-{1 + i % 20:02d}T1{i % 10}:00:00+00:00",
             "analysis_json": pool[i % len(pool)].analysis_json,
             **{f"score_{k}": v for k, v in pool[i % len(pool)].scores.items()}}
            for i in range(60)]
    old["attempts"].insert_all(rows)
    old.close()
    repo = Repository.open(path)
    try:
        assert rollup.usable(repo.db)
        fast, slow = Progress(repo.db), Progress(repo.db, rollup=False)
        f = ProgressFilter()
        assert near(fast.summary(f).averages, slow.summary(f).averages)
        assert fast.summary(f).attempts == 60 and fast.practice_days(f) == slow.practice_days(f)
        assert fast.question_stats(f) == slow.question_stats(f)
        # m008's triggers are gone: the repository writes the side tables
        names = {n for (n,) in repo.db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'trigger'")}
        assert not {n for n in names if n.startswith("attempts_metrics_")}
    finally:
        repo.close()


ZONE = textwrap.dedent("""
    import json, sys
    from desktop_app.domain import Attempt
    from desktop_app.storage.progress import Progress, ProgressFilter
    from desktop_app.storage.repository import Repository
    from desktop_app.storage import rollup, rollup_totals
    repo = Repository.open(sys.argv[1])
    f = ProgressFilter()
    before = rollup.usable(repo.db)
    p, slow = Progress(repo.db), Progress(repo.db, rollup=False)
    days = [d.isoformat() for d in p.practice_days(f)]
    ok = days == [d.isoformat() for d in slow.practice_days(f)]
    repo.add_attempt(Attempt(None, "q0", "2026-10-05T23:30:00+00:00", duration_s=5.0))
    after = rollup.usable(repo.db)
    fast = Progress(repo.db)
    same = [d.isoformat() for d in fast.practice_days(f)] == [
        d.isoformat() for d in Progress(repo.db, rollup=False).practice_days(f)]
    print(json.dumps({"before": before, "ok": ok, "after": after, "same": same, "days": days}))
""")


def test_another_time_zone_falls_back_then_rebuilds(tmp_path, pool):
    path = tmp_path / "rehearse.db"
    env = dict(os.environ, PYTHONPATH=str(REPO), TZ="UTC")
    # built in UTC, with attempts late in the UTC evening: the next day in Tokyo
    seed = textwrap.dedent("""
        import sys
        from desktop_app.domain import Attempt
        from desktop_app.storage.repository import Repository
        repo = Repository.open(sys.argv[1])
        for i in range(6):
            repo.add_attempt(Attempt(None, "q0", f"2026-10-0{1 + i}T22:30:00+00:00",
                                     duration_s=30.0))
    """)
    run = subprocess.run([sys.executable, "-c", seed, str(path)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    tokyo = subprocess.run([sys.executable, "-c", ZONE, str(path)], capture_output=True, text=True,
                           env=dict(env, TZ="JST-9"), timeout=120)
    assert tokyo.returncode == 0, tokyo.stderr
    got = json.loads(tokyo.stdout)
    assert got["before"] is False and got["ok"]  # built in UTC: not used in Tokyo
    assert "2026-10-02" in got["days"] and "2026-10-01" not in got["days"]  # Tokyo's days
    assert got["after"] is True and got["same"]  # the write rebuilt it for Tokyo
