"""Command line for mock interviews and spaced repetition (registered by cli.py).

    rehearse interview plan --role R --seniority S [--values PACK] [--questions N | --minutes M]
                            [--seed N] [--due-and-weak] [--json]
    rehearse interview roles [--json]          roles, seniorities and values packs on offer
    rehearse interview date [YYYY-MM-DD | --clear]
    rehearse due [--json]                      questions due for another go
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, datetime, timezone
from typing import Any

from desktop_app.paths import AppPaths
from desktop_app.textfmt import kind_label, shorten

REASONS = {"due": "due for review", "weak": "weak last time", "new": "not practised yet",
           "value": "company value", "focus": "core for the role", "mix": "for the mix"}


def add_parsers(sub: Any) -> None:
    """Add `interview` and `due` to the main parser's subcommands."""
    i = sub.add_parser("interview", help="plan mock interview rounds")
    isub = i.add_subparsers(dest="interview_command", metavar="ACTION", required=True)
    p = isub.add_parser("plan", help="print the plan of a round")
    p.add_argument("--role", default="general", help="target role (see `interview roles`)")
    p.add_argument("--seniority", default="mid", help="junior, mid, senior or staff+")
    p.add_argument("--values", metavar="PACK", help="a company values pack (its file name)")
    n = p.add_mutually_exclusive_group()
    n.add_argument("--questions", type=int, metavar="N", help="3 to 8 questions")
    n.add_argument("--minutes", type=int, metavar="M", help="a time box: 15, 30 or 45 minutes")
    p.add_argument("--seed", type=int, help="the same seed gives the same plan")
    p.add_argument("--due-and-weak", action="store_true",
                   help="build the round from due and weakly answered questions first")
    p.add_argument("--json", action="store_true", help="print JSON")
    r = isub.add_parser("roles", help="roles, seniorities and values packs on offer")
    r.add_argument("--json", action="store_true", help="print JSON")
    d = isub.add_parser("date", help="show, set or clear the interview date")
    d.add_argument("date", nargs="?", help="YYYY-MM-DD; review intervals end before it")
    d.add_argument("--clear", action="store_true", help="forget the interview date")
    due = sub.add_parser("due", help="questions due for another go (spaced repetition)")
    due.add_argument("--json", action="store_true", help="print JSON")


def _err(message: str) -> None:
    print(f"rehearse: {message}", file=sys.stderr)


def _kit(paths: AppPaths) -> Any:
    from desktop_app.session.kit import InterviewKit

    kit = InterviewKit.load(paths.packs)
    for e in kit.errors:
        _err(f"pack problem: {e}")
    return kit


def _interview_date(paths: AppPaths) -> date | None:
    from desktop_app.session.kit import parse_interview_date
    from desktop_app.settings import Settings

    return parse_interview_date(Settings.load(paths.settings).interview_date)


def _with_schedule(paths: AppPaths, use: Any) -> Any:
    """``use(schedule, repo)`` on the data folder's database, schedules caught up first."""
    from desktop_app.session.kit import open_schedule
    from desktop_app.storage.repository import Repository

    repo = Repository.open(paths.database)
    if repo.notice:
        _err(repo.notice)
    try:
        schedule = open_schedule(repo, _interview_date(paths))
        schedule.sync()
        return use(schedule, repo)
    finally:
        repo.close()


def cmd_interview(args: argparse.Namespace, paths: AppPaths) -> int:
    if args.interview_command == "plan":
        return _plan(args, paths)
    if args.interview_command == "roles":
        return _roles(args, paths)
    return _date(args, paths)


def _plan(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.session.plan import PlanRequest

    kit = _kit(paths)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10_000)
    request = PlanRequest(role=args.role, seniority=args.seniority, values=args.values,
                          questions=args.questions, minutes=args.minutes, seed=seed,
                          due_and_weak=args.due_and_weak)
    try:
        stats = _with_schedule(paths, lambda s, _r: s.stats())
    except Exception as exc:  # noqa: BLE001 - history is a preference, not a need
        _err(f"planning without your history ({exc})")
        stats = {}
    plan = kit.planner.plan(request, stats)
    minutes = round(len(plan.items) * kit.config.per_question_s / 60)
    if args.json:
        print(json.dumps({
            "role": plan.role_label, "seniority": plan.level_label, "values": plan.values_name,
            "seed": seed, "estimated_minutes": minutes, "notes": list(plan.notes),
            "questions": [{"index": n + 1, "id": i.question.id, "text": i.question.text,
                           "competency": i.question.competency, "kind": i.question.kind,
                           "reason": i.reason, "value": i.value,
                           "follow_ups": list(i.question.follow_ups)}
                          for n, i in enumerate(plan.items)],
        }, indent=2, ensure_ascii=False))
        return 0
    values = f" · values: {plan.values_name}" if plan.values_name else ""
    print(f"Mock interview: {plan.role_label} · {plan.level_label}{values} · "
          f"{len(plan.items)} questions, about {minutes} min")
    comp_w = max(len(i.question.competency) for i in plan.items)
    print(f" #  {'KIND':19s}  {'COMPETENCY':{comp_w}s}  {'WHY':26s}  QUESTION")
    for n, i in enumerate(plan.items, 1):
        why = f"value: {i.value}" if i.value else REASONS.get(i.reason, i.reason)
        print(f"{n:2d}  {kind_label(i.question.kind):19s}  {i.question.competency:{comp_w}s}  "
              f"{shorten(why, 26):26s}  {i.question.text}")
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"seed {seed} (--seed {seed} gives this plan again)", file=sys.stderr)
    return 0


def _roles(args: argparse.Namespace, paths: AppPaths) -> int:
    kit = _kit(paths)
    data = {
        "roles": [{"key": r.key, "label": r.label, "levels": list(r.levels) or
                   list(kit.roles.levels)} for r in kit.roles.roles.values()],
        "seniority": [{"key": lv.key, "label": lv.label} for lv in kit.roles.levels.values()],
        "values": [{"key": p.key, "name": p.name, "values": [v.name for v in p.values]}
                   for p in kit.values.packs],
        "time_boxes": list(kit.config.time_boxes),
    }
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print("Roles:")
    for r in data["roles"]:
        print(f"  {r['key']:20s}  {r['label']}  ({', '.join(r['levels'])})")
    print("Seniority: " + ", ".join(f"{lv['key']} ({lv['label']})" for lv in data["seniority"]))
    print("Values packs:")
    for p in data["values"]:
        print(f"  {p['key']:28s}  {p['name']}: {', '.join(p['values'])}")
    print("Time boxes: " + ", ".join(f"{m} min" for m in data["time_boxes"]))
    return 0


def _date(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.settings import Settings

    settings = Settings.load(paths.settings)
    if args.clear or args.date:
        if args.date:
            try:
                day = date.fromisoformat(args.date)
            except ValueError:
                _err(f"'{args.date}' is not a date; write it as YYYY-MM-DD")
                return 2
            settings.interview_date = day.isoformat()
        else:
            settings.interview_date = None
        settings.save(paths.settings)
    if settings.interview_date:
        print(f"Interview date: {settings.interview_date} (every question you have practised "
              "comes back before it)")
    else:
        print("No interview date set.")
    return 0


def cmd_due(args: argparse.Namespace, paths: AppPaths) -> int:
    now = datetime.now(timezone.utc)

    def gather(schedule: Any, repo: Any) -> dict[str, Any]:
        stats = schedule.stats(now)
        rows = []
        for d in schedule.items():
            st = stats.get(d.question_id)
            rows.append({
                "question_id": d.question_id,
                "question_text": repo.question_text(d.question_id) or f"(question "
                                                                      f"{d.question_id})",
                "due_at": d.due_at.isoformat(timespec="seconds"),
                "due": d.due_at <= now,
                "overdue_days": round(max(0.0, -d.due_in_days(now)), 1),
                "last_grade": d.last_grade, "reviews": d.reviews,
                "last_overall": st.last_overall if st else None,
            })
        return {"now": now.isoformat(timespec="seconds"),
                "interview_date": schedule.interview_date.isoformat()
                if schedule.interview_date else None,
                "due": [r for r in rows if r["due"]],
                "upcoming": [r for r in rows if not r["due"]]}

    data = _with_schedule(paths, gather)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    due, upcoming = data["due"], data["upcoming"]
    if not due and not upcoming:
        print("Nothing scheduled yet: every question you answer comes back when it is due.")
        return 0
    print(f"{len(due)} question{'s' if len(due) != 1 else ''} due now"
          + (f" (interview on {data['interview_date']})" if data["interview_date"] else ""))
    if due:
        print(f"{'DUE':10s}  {'LAST':5s}  {'GRADE':5s}  QUESTION")
        for r in due:
            last = "—" if r["last_overall"] is None else f"{round(r['last_overall'])}"
            print(f"{r['due_at'][:10]:10s}  {last:>5s}  {r['last_grade'] or '':5s}  "
                  f"{shorten(r['question_text'], 90)}")
    if upcoming:
        nxt = upcoming[0]
        print(f"Next: {shorten(nxt['question_text'], 70)} on {nxt['due_at'][:10]} "
              f"({len(upcoming)} scheduled later)", file=sys.stderr)
    return 0


COMMANDS = {"interview": cmd_interview, "due": cmd_due}
