"""``overlap dedup`` from 10k to 1M documents, as a data engineer runs it: a JSONL file in,
the removal list out, wall time and peak RSS of the whole command.

``write_corpus(path, n, seed=0) -> int``
    ``n`` scaled news documents (``common.scaled_corpus``'s editing rules: the real
    Baomoi articles, then republications) streamed to JSONL in chunks, so the corpus is
    never in memory at once; returns the bytes written.
``run(sizes=(10_000, 100_000, 1_000_000), workdir=None) -> list[dict]``
    For each size, the first ``size`` lines of one generated file, then
    ``overlap dedup FILE --removed OUT`` in a child process under ``/usr/bin/time``:
    seconds, peak RSS (MB), documents removed, and seconds per 1,000 documents.
    Writes ``results/dedup_scale.md`` and ``.csv``.

The command streams its input (two passes when writing kept documents; here only the
removal list is written, one pass), so peak RSS is the signature store plus one batch:
the figure the issue's "under 4 GB at 1M" target is about.

Run: ``python -m benchmarks.bench_dedup_scale [N ...]`` (default 10000 100000 1000000).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import RESULTS, load_corpus, machine, markdown_table, scaled_corpus, write_csv

_CHUNK = 50_000


def write_corpus(path: Path, n: int, seed: int = 0) -> int:
    """Stream ``n`` documents to ``path`` as JSONL (module docstring)."""
    base = load_corpus().texts
    written = 0
    with path.open("w", encoding="utf-8") as f:
        k = 0
        while written < n:
            want = min(_CHUNK, n - written)
            if k == 0:
                docs = scaled_corpus(want, seed=seed, base=base)
            else:  # generated documents only: the real articles come once, first
                docs = scaled_corpus(len(base) + want, seed=seed + k, base=base)[len(base):]
            for d in docs:
                if not d.strip():
                    continue  # an edit can leave nothing: not a document
                f.write(json.dumps({"id": f"d{written}", "text": d}, ensure_ascii=False) + "\n")
                written += 1
                if written == n:
                    break
            k += 1
    return path.stat().st_size


def _prefix(src: Path, dst: Path, n: int) -> None:
    with src.open("rb") as f, dst.open("wb") as g:
        for i, line in enumerate(f):
            if i >= n:
                break
            g.write(line)


def _dedup(path: Path, removed: Path) -> dict[str, Any]:
    cmd = ["/usr/bin/time", "-f", "TIME %e %M", sys.executable, "-m", "overlap", "dedup", str(path),
           "--removed", str(removed)]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    m = re.search(r"TIME ([\d.]+) (\d+)", r.stderr)
    s = re.search(r"overlap: ([\d,]+) documents, kept ([\d,]+), removed ([\d,]+)", r.stderr)
    assert m and s, r.stderr
    return {"seconds": float(m.group(1)) if m else wall, "peak_mb": int(m.group(2)) / 1024,
            "documents": int(s.group(1).replace(",", "")), "removed": int(s.group(3).replace(",", ""))}


def run(sizes: Sequence[int] = (10_000, 100_000, 1_000_000), workdir: Path | None = None) -> list[dict[str, Any]]:
    """Measure every size (module docstring) and write the results files."""
    work = Path(workdir or tempfile.mkdtemp(prefix="overlap-scale-"))
    big = work / f"corpus_{max(sizes)}.jsonl"
    t = time.perf_counter()
    size_bytes = write_corpus(big, max(sizes))
    print(f"corpus: {max(sizes):,} documents, {size_bytes / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s", flush=True)
    rows = []
    for n in sorted(sizes):
        path = big if n == max(sizes) else work / f"corpus_{n}.jsonl"
        if path != big:
            _prefix(big, path, n)
        row = {"documents": n, **_dedup(path, work / f"removed_{n}.jsonl")}
        row["s_per_1k_docs"] = row["seconds"] / n * 1e3
        row["input_gb"] = path.stat().st_size / 1e9
        rows.append(row)
        print(row, flush=True)
        if path != big:
            path.unlink()
    write_csv(RESULTS / "dedup_scale.csv", rows)
    m = machine()
    text = ("# `overlap dedup` from 10k to 1M documents\n\n"
            "`python -m benchmarks.bench_dedup_scale`: scaled Baomoi corpus as JSONL, "
            "`overlap dedup FILE --removed OUT` (threshold 0.8, keep first), one run per size under "
            "`/usr/bin/time` (wall seconds, peak RSS of the command).\n\n"
            f"Machine: {', '.join(f'{k} {v}' for k, v in m.items())}; load average at start {os.getloadavg()[0]:.1f}.\n\n"
            + markdown_table(rows) + "\n")
    (RESULTS / "dedup_scale.md").write_text(text, encoding="utf-8")
    big.unlink()
    return rows


if __name__ == "__main__":
    run([int(a) for a in sys.argv[1:]] or (10_000, 100_000, 1_000_000))
