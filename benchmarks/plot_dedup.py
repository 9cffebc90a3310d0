"""Plot of ``bench_dedup``'s results: CPU seconds of each engine against corpus size.

``plot(csvs=("dedup.csv", "dedup_1m.csv"), out="dedup.png") -> Path``
    Reads the named CSV files of ``benchmarks/results`` (columns ``documents``,
    ``engine``, ``cpu_s``; rows without CPU seconds are skipped) and draws one line per
    engine on log-log axes, with a dotted line of linear growth from overlap's
    next-to-largest size (the smallest carries the fixed start-up cost) for reference.

Run: ``python -m benchmarks.plot_dedup [CSV ...]`` (needs matplotlib, the ``bench`` extra).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from .common import RESULTS


def _points(csvs: Sequence[str]) -> dict[str, list[tuple[int, float]]]:
    """``engine -> [(documents, cpu_s)]``, sorted by size; a later file wins a tie."""
    found: dict[str, dict[int, float]] = {}
    for name in csvs:
        with open(RESULTS / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                try:
                    found.setdefault(row["engine"], {})[int(row["documents"])] = float(row["cpu_s"])
                except (KeyError, ValueError):
                    continue
    return {e: sorted(p.items()) for e, p in found.items()}


def plot(csvs: Sequence[str] = ("dedup.csv", "dedup_1m.csv"), out: str = "dedup.png") -> Path:
    """Draw the figure (module docstring) into ``results/out`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = _points(csvs)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for engine, pts in sorted(points.items()):
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker="o", label=engine)
        for x, y in pts:
            ax.annotate(f"{y:,.0f}" if y >= 10 else f"{y:.1f}", (x, y), textcoords="offset points", xytext=(4, 4),
                        fontsize=8)
    if len(points.get("overlap", ())) > 1:
        (x0, y0), x1 = points["overlap"][-2], points["overlap"][-1][0]
        ax.plot([x0, x1], [y0, y0 * x1 / x0], linestyle=":", color="grey", label=f"linear from overlap at {x0:,}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents (scaled Baomoi corpus, JSONL)")
    ax.set_ylabel("CPU seconds, one thread")
    ax.set_title("Deduplication end to end (threshold 0.8, 128 permutations)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = RESULTS / out
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(plot(sys.argv[1:] or ("dedup.csv", "dedup_1m.csv")))
