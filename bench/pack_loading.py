"""Question-pack loading time against the TOML parse alone, as the pack grows.

Each size is one user pack of generated questions (every tenth with a problem to report, so the
line-finding path runs too); ``load`` is ``QuestionBank.load`` on its folder, ``parse`` is
``tomllib.loads`` of the same text, measured in the same run. Linear loading keeps load/parse
flat as the pack grows.

``--before DIR`` also runs the same sizes on another source tree (e.g. ``git archive ed45453``
unpacked in DIR) in a child process, each size with a time limit, and prints the ratios.

    python bench/pack_loading.py [--sizes 500,1000,2000,4000,16000] [--before DIR]

Last line: questions=<largest> load_s=… parse_s=… ratio=<load/parse> [before_s=… speedup=…]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else None
sys.path.insert(0, _CODE or str(Path(__file__).resolve().parents[1]))

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from desktop_app.questions import QuestionBank  # noqa: E402


def pack_text(n: int) -> str:
    parts = ['[pack]\nname = "Bench"\nversion = "1"\n\n']
    for i in range(n):
        kind = "behavioural" if i % 10 else "trivia"  # one in ten is reported
        parts.append(
            f'[[question]]\nid = "bench-{i}"\ntext = "Tell me about time number {i} you had to '
            f'deliver under pressure."\ncompetency = "Delivery"\nkind = "{kind}"\n'
            'seniority = ["mid", "senior"]\nfollow_ups = ["What would you do differently?"]\n'
            'strong_answer = """A specific situation, your own actions,\n'
            'and a measured result."""\n\n'
        )
    return "".join(parts)


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(sizes: list[int]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="rehearse-packs-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            text = pack_text(n)
            (folder / "bench.toml").write_text(text, encoding="utf-8")
            runs = 3 if n <= 4000 else 1
            load = median_s(lambda f=folder: QuestionBank.load([f]), runs)
            parse = median_s(lambda t=text: tomllib.loads(t), runs)
            out[n] = {"load": load, "parse": parse, "mb": len(text.encode()) / 1e6}
            print(f"questions={n} ({out[n]['mb']:.1f} MB): load {load:.3f} s, parse "
                  f"{parse:.3f} s, ratio {load / parse:.1f}", file=sys.stderr, flush=True)
    return out


def before(tree: str, sizes: list[int], limit_s: float) -> dict[int, float | None]:
    """Load time of each size on ``tree`` (None: over ``limit_s``), one child per size."""
    got: dict[int, float | None] = {}
    for n in sizes:
        try:
            child = subprocess.run(
                [sys.executable, __file__, "--code", tree, "--json", "--sizes", str(n)],
                stdout=subprocess.PIPE, text=True, check=True, timeout=limit_s)
            got[n] = json.loads(child.stdout)[str(n)]["load"]
        except subprocess.TimeoutExpired:
            got[n] = None
            print(f"before questions={n}: over {limit_s:.0f} s, stopped", file=sys.stderr)
    return got


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="500,1000,2000,4000,16000")
    p.add_argument("--before", metavar="DIR", help="a source tree to compare with")
    p.add_argument("--limit", type=float, default=120.0, help="seconds per size, before only")
    p.add_argument("--code", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.json:
        print(json.dumps(measure(sizes)))
        return
    old = before(args.before, sizes, args.limit) if args.before else {}
    new = measure(sizes)
    for n in sizes:
        line = (f"questions={n} ({new[n]['mb']:.1f} MB): load {new[n]['load']:.3f} s = "
                f"{new[n]['load'] / new[n]['parse']:.1f} x parse")
        if n in old:
            b = old[n]
            line += (f"; before {b:.2f} s ({b / new[n]['load']:.0f}x slower)" if b is not None
                     else f"; before did not finish in {args.limit:.0f} s")
        print(line)
    n = max(sizes)
    r = new[n]
    tail = ""
    if n in old:
        b = old[n]
        tail = (f" before_s={b:.2f} speedup={b / r['load']:.0f}" if b is not None
                else f" before_s=>{args.limit:.0f}")
    print(f"questions={n} load_s={r['load']:.3f} parse_s={r['parse']:.3f} "
          f"ratio={r['load'] / r['parse']:.1f}{tail}")


if __name__ == "__main__":
    main()
