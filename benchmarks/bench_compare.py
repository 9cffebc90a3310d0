"""Latency of comparing two articles: as a library call and as a cold command line.

``bench_compare(repeat) -> rows`` times, on seeds 000 and 001:

* ``overlap.compare(a, b)`` in a warm process (best of ``repeat``);
* ``python -m overlap compare A B`` and the ``overlap`` console script, each a fresh
  process (cold start: imports included), best of ``repeat`` wall times;
* for scale, ``python -c pass`` and ``python -c "import datasketch"`` (which the CLI must
  not pay for).

``python -m benchmarks.bench_compare`` prints the table.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, SEEDS, best_of, markdown_table


def _cold(argv: list[str], repeat: int) -> float:
    def run() -> None:
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)

    run()  # warm the OS file cache; the Python process itself is still cold
    return best_of(run, repeat)


def bench_compare(repeat: int = 5) -> list[dict]:
    a, b = sorted(SEEDS.glob("000_*.txt"))[0], sorted(SEEDS.glob("001_*.txt"))[0]
    rel_a, rel_b = str(a.relative_to(ROOT)), str(b.relative_to(ROOT))
    rows = []
    import overlap

    ta, tb = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    overlap.compare(ta, tb)
    first = time.perf_counter() - t0
    rows.append({"what": "overlap.compare(a, b), first call in process", "ms": first * 1e3})
    rows.append({"what": "overlap.compare(a, b), warm (best of N)", "ms": best_of(lambda: overlap.compare(ta, tb), repeat) * 1e3})
    py = sys.executable
    rows.append({"what": "python -c pass (interpreter start)", "ms": _cold([py, "-c", "pass"], repeat) * 1e3})
    rows.append({"what": "python -c 'import datasketch'", "ms": _cold([py, "-c", "import datasketch"], repeat) * 1e3})
    rows.append({"what": f"python -m overlap compare {rel_a} {rel_b}", "ms": _cold([py, "-m", "overlap", "compare", rel_a, rel_b], repeat) * 1e3})
    script = shutil.which("overlap", path=str(Path(py).parent))
    if script:
        rows.append({"what": "overlap compare (console script)", "ms": _cold([script, "compare", rel_a, rel_b], repeat) * 1e3})
    return rows


if __name__ == "__main__":
    print(markdown_table(bench_compare()))
