"""What confidence and reasons for conflicts cost a scan: wall time of ``overlap scan``
on Baomoi, before and after, side by side.

Three variants, each ``overlap scan -q PATH`` (the default text report, sent to
/dev/null) in a fresh child process, run in turns (before, after, after without
assessment, before, ...) so that load from other processes hits them alike; the best of
``--repeat`` runs is kept, in wall seconds and in CPU seconds of the scan's processes:

- ``before``: the ``overlap`` package found in ``--before`` (a ``src`` directory of
  another checkout, e.g. ``git archive 397c000 | tar -x -C /tmp/before``);
- ``after``: this checkout's ``src``;
- ``after, no assessment``: this checkout with ``overlap.confidence.assess`` replaced by
  a pass-through, so the difference to ``after`` is what confidence, reasons and the
  same-value checks cost inside the scan.

``python -m benchmarks.bench_conflict_cost --before /tmp/before/src [--repeat 3] [PATH]``
prints the table and writes ``benchmarks/results/conflict_cost.csv``.  PATH defaults to
``../shared/data/baomoi``; without it the benchmark says so and stops.

Cost: 3 x ``--repeat`` scans of the corpus (about a minute each for Baomoi's 3,756
articles on two shared cores).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT

RESULTS = ROOT / "benchmarks" / "results" / "conflict_cost.csv"
_CHILD = """
import sys
if sys.argv[1] == "no-assess":
    import overlap.confidence, overlap.pipeline
    def _pass(a, b, passages, conflicts, variants):
        return list(conflicts), list(variants)
    overlap.confidence.assess = _pass
    overlap.pipeline.assess = _pass
from overlap.cli import main
raise SystemExit(main(["scan", "-q", sys.argv[2]]))
"""


def _run(src: Path, mode: str, path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the scan and its worker processes) of one scan."""
    env = dict(os.environ, PYTHONPATH=str(src))
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _CHILD, mode, str(path)], env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def measure(before: Path, path: Path, repeat: int = 3) -> list[dict[str, object]]:
    """Best-of-``repeat`` wall and CPU seconds per variant, the variants run in turns.

    On a shared machine the wall time swings with other processes' load; the CPU time
    (the scan's own processes, user + system) is the steadier figure to compare."""
    variants = [("before", before, "full"), ("after", ROOT / "src", "full"), ("after, no assessment", ROOT / "src", "no-assess")]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in variants}
    for _ in range(repeat):
        for name, src, mode in variants:
            times[name].append(_run(src, mode, path))
    wall0 = min(w for w, _ in times["before"])
    cpu0 = min(c for _, c in times["before"])
    rows: list[dict[str, object]] = []
    for name, ts in times.items():
        wall, cpu = min(w for w, _ in ts), min(c for _, c in ts)
        rows.append({
            "variant": name, "best_wall_s": round(wall, 2), "best_cpu_s": round(cpu, 2),
            "wall_vs_before": round(wall / wall0 - 1, 3), "cpu_vs_before": round(cpu / cpu0 - 1, 3),
            "runs_wall_s": " ".join(f"{w:.1f}" for w, _ in ts), "runs_cpu_s": " ".join(f"{c:.1f}" for _, c in ts),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="src directory of the 'before' checkout")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("path", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "baomoi")
    args = parser.parse_args(argv)
    if not args.path.is_dir():
        print(f"skipped: {args.path} not found (the Baomoi corpus of ../shared/data)")
        return 0
    if not (args.before / "overlap").is_dir():
        print(f"error: no overlap package in {args.before}", file=sys.stderr)
        return 2
    rows = measure(args.before, args.path, args.repeat)
    with RESULTS.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for r in rows:
        print(f"{r['variant']:22s} wall {r['best_wall_s']:6.2f} s ({float(str(r['wall_vs_before'])):+.1%}; {r['runs_wall_s']})  "
              f"cpu {r['best_cpu_s']:6.2f} s ({float(str(r['cpu_vs_before'])):+.1%}; {r['runs_cpu_s']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
