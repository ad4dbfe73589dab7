"""History at scale: GUI-thread time to open, scroll, search, delete and update one row.

For each history size a data folder is filled with that many scored attempts (transcript, words
and analysis JSON of a one-minute answer), the real window is built offscreen, and every action
is timed on the GUI thread, events and painting included (median of 3). A bare QTableView of 200
rows is timed in the same run as the machine's baseline.

``--before DIR`` also runs the same actions on another source tree (e.g. ``git archive ed45453``
unpacked in DIR), in a child process, in the same run, and prints before/after ratios.

    python bench/history_scale.py [--sizes 200,2000,10000] [--before DIR --before-sizes 50,200]

Last line: rows=<largest> worst_ms=<slowest action there> baseline_ms=… ratio=<worst/baseline>
[before_<n>_open_ms=… after_<n>_open_ms=… speedup=…]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else None
sys.path.insert(0, _CODE or str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from desktop_app.app import build_services  # noqa: E402
from desktop_app.paths import AppPaths  # noqa: E402

WORDS = ("deadline team migration customer conflict rollback release budget vendor latency "
         "incident mentor scope stakeholder metric outage").split()


def fill(paths: AppPaths, n: int, question_ids: list[str]) -> list[int]:
    """``n`` scored attempts with one-minute answers, inserted in one transaction."""
    rng = random.Random(n)
    services = build_services(paths, with_audio=False)
    db = services.repo.db
    rows = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(150))
        words = [{"text": w, "start": j * 0.4, "end": j * 0.4 + 0.3, "probability": 0.9}
                 for j, w in enumerate(text.split())]
        analysis = {"scores": {"overall": 70.0}, "tips": ["Say what you did."], "text": text}
        day, minute = divmod(i, 600)
        rows.append((question_ids[i % len(question_ids)],
                     f"2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{minute // 60:02d}:"
                     f"{minute % 60:02d}:00+00:00", 61.0, "scored", text,
                     json.dumps({"text": text, "words": words}), json.dumps(analysis),
                     50 + i % 50))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO attempts (question_id, started_at, duration_s, status, transcript_text,"
            " words_json, analysis_json, score_overall) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    ids = [r[0] for r in db.execute("SELECT id FROM attempts ORDER BY started_at, id")]
    services.repo.close()
    return ids


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def timed(app: QApplication, fn, runs: int = 3) -> float:
    """Median ms of ``fn`` plus the events and painting it causes."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        settle(app)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def baseline(app: QApplication, texts: list[tuple[str, ...]]) -> float:
    """A bare table of the same 200 rows: what the machine needs to show a page at all."""
    view = QTableView()
    view.resize(600, 700)
    view.show()

    def show() -> None:
        model = QStandardItemModel(len(texts), 5)
        for r, row in enumerate(texts):
            for c, text in enumerate(row):
                model.setItem(r, c, QStandardItem(text))
        view.setModel(model)

    ms = timed(app, show, runs=5)
    view.close()
    return ms


def after(app: QApplication, services, ids: list[int]) -> dict[str, float]:
    """Every action on the real History view, in ms."""
    from desktop_app.ui.main_window import MainWindow

    w = MainWindow(services, load_model_on_show=False)
    w.resize(1180, 800)
    w.show()
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    settle(app)
    out: dict[str, float] = {"open": timed(app, hv.refresh)}
    bar = hv.table.verticalScrollBar()

    def scroll_page() -> None:
        bar.setValue(bar.maximum())

    out["scroll"] = timed(app, scroll_page, runs=5)

    def search(word: str):
        def run() -> None:
            hv.search_edit.blockSignals(True)
            hv.search_edit.setText(word)
            hv.search_edit.blockSignals(False)
            hv.refresh()
        return run

    out["search_common"] = timed(app, search("deadline"))
    out["search_rare"] = timed(app, search("zebra"))
    out["search_clear"] = timed(app, search(""))
    victims = iter(ids[len(ids) // 2:])
    out["open_one"] = timed(app, lambda: hv.open_attempt(ids[len(ids) // 2 - 1]))

    def delete() -> None:  # the shown attempt, as the Delete button does
        victim = next(victims)
        hv.open_attempt(victim)
        settle(app)
        t0 = time.perf_counter()
        hv.delete_attempt(victim, ask=False)
        settle(app)
        spent.append((time.perf_counter() - t0) * 1000)

    spent: list[float] = []
    for _ in range(3):
        delete()
    out["delete"] = statistics.median(spent)
    newest = ids[-1]
    out["row_scored"] = timed(app, lambda: w.pipeline.attempt_scored.emit(newest, None, None))
    out["open_oldest"] = timed(app, lambda: hv.open_attempt(ids[0]), runs=1)
    w.close()
    return out


def measure(sizes: list[int]) -> tuple[float, dict[int, dict[str, float]]]:
    """(baseline ms, {size: {action: ms}}) for the code this process imported."""
    app = QApplication.instance() or QApplication(sys.argv)
    results: dict[int, dict[str, float]] = {}
    base = 0.0
    with tempfile.TemporaryDirectory(prefix="rehearse-history-") as tmp:
        for n in sizes:
            paths = AppPaths(Path(tmp) / f"n{n}").ensure()
            first = build_services(paths, with_audio=False)
            qids = [q.id for q in first.bank.questions]
            first.repo.close()
            ids = fill(paths, n, qids)
            services = build_services(paths, with_audio=False)
            services.settings.speak_questions = False
            if not base:
                rows = services.repo.list_attempts(limit=200)
                base = baseline(app, [(a.started_at[:16], a.question_id, "1:01", "70",
                                       a.status) for a in rows])
            results[n] = after(app, services, ids)
            services.repo.close()
            print(f"rows={n}: " + " ".join(f"{k}={v:.1f}" for k, v in results[n].items())
                  + " (ms)", file=sys.stderr, flush=True)
    return base, results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="200,2000,10000")
    p.add_argument("--before", metavar="DIR", help="a source tree to compare with")
    p.add_argument("--before-sizes", default="25,50,100,200")
    p.add_argument("--code", help=argparse.SUPPRESS)  # the tree this process imports
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.json:
        base, results = measure(sizes)
        print(json.dumps({"baseline": base, "results": results}))
        return
    befores: dict[int, dict[str, float]] = {}
    if args.before:
        print(f"before: {args.before}", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--code", args.before, "--json",
             "--sizes", args.before_sizes], capture_output=False, stdout=subprocess.PIPE,
            text=True, check=True)
        befores = {int(k): v for k, v in json.loads(child.stdout)["results"].items()}
    print("after: this tree", flush=True)
    base, results = measure(sizes)
    print(f"baseline: a bare 200-row table {base:.1f} ms")
    for n in sorted(set(befores) & set(results)):
        pairs = " ".join(f"{k}={befores[n][k]:.0f}/{results[n][k]:.1f}" for k in results[n])
        print(f"rows={n} before/after ms: {pairs}")
    largest = max(sizes)
    worst = max(results[largest].values())
    tail = ""
    common = max(set(befores) & set(results), default=None)
    if common:
        b, a = befores[common]["open"], results[common]["open"]
        tail = (f" before_{common}_open_ms={b:.0f} after_{common}_open_ms={a:.1f} "
                f"speedup={b / a:.0f}")
    print(f"rows={largest} worst_ms={worst:.1f} baseline_ms={base:.1f} "
          f"ratio={worst / base:.1f}{tail}")


if __name__ == "__main__":
    main()
