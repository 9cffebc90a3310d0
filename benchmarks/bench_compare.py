"""Latency of comparing two articles: as a library call and as a cold command line.

``bench_compare(repeat) -> rows`` times, on seeds 000 and 001:

* ``overlap.compare(a, b)`` in a warm process (best of ``repeat``);
* ``python -m overlap compare A B`` and the ``overlap`` console script, each a fresh
  process (cold start: imports included), best of ``repeat`` wall times;
* for scale, ``python -c pass`` and ``python -c "import datasketch"`` (which the CLI must
  not pay for).

``bench_scan_like(n_docs, n_pairs, repeat) -> rows`` times verification as ``scan`` runs it:
MinHash/LSH candidate pairs of ``common.scaled_corpus(n_docs)``, in chunks of 128 pairs,
each distinct text of a chunk ``prepare``d once (with its sentence spans, which ``scan``
gets from signing), then ``compare_prepared`` per pair; CPU milliseconds per pair for the
two parts, one process, best of ``repeat``, on the Python path and with the compiled
paths (``align.use_jit()``, what ``scan``'s workers switch on).

``python -m benchmarks.bench_compare`` prints both tables.
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


def bench_scan_like(n_docs: int = 10_000, n_pairs: int = 1_536, repeat: int = 5) -> list[dict]:
    import random

    import numpy as np

    import overlap
    from benchmarks.common import scaled_corpus
    from overlap import align
    from overlap.lsh import band_keys, candidate_pairs, optimal_params
    from overlap.pipeline import compare_prepared, prepare
    from overlap.segment import sentences

    texts = scaled_corpus(n_docs)
    cand = np.asarray(candidate_pairs(band_keys(overlap.minhash(texts), *optimal_params(0.3, 128)))).tolist()
    pairs = sorted(random.Random(0).sample(cand, min(n_pairs, len(cand))))
    chunks = [pairs[i : i + 128] for i in range(0, len(pairs), 128)]
    spans = {i: sentences(texts[i]) for c in chunks for p in c for i in p}

    def run() -> tuple[float, float]:
        tp = tc = 0.0
        for chunk in chunks:
            t0 = time.process_time()
            docs = {i: prepare(texts[i], sentence_spans=spans[i]) for i in sorted({i for p in chunk for i in p})}
            t1 = time.process_time()
            for i, j in chunk:
                compare_prepared(docs[i], docs[j])
            tc += time.process_time() - t1
            tp += t1 - t0
        return tp, tc

    n_texts = sum(len({i for p in c for i in p}) for c in chunks)
    rows = []
    for path in ("Python", "compiled (align.use_jit())"):
        if path != "Python" and not align.use_jit():
            rows.append({"path": path, "detail": "numba unavailable"})
            continue
        run()  # warm: lazy tables, compiled kernels
        best = min((run() for _ in range(repeat)), key=sum)
        rows.append({
            "path": path, "pairs": len(pairs), "texts per pair": round(n_texts / len(pairs), 2),
            "prepare ms/pair": round(best[0] / len(pairs) * 1e3, 3), "compare ms/pair": round(best[1] / len(pairs) * 1e3, 3),
            "total ms/pair": round(sum(best) / len(pairs) * 1e3, 3),
        })
    align.use_jit(False)
    return rows


if __name__ == "__main__":
    print(markdown_table(bench_compare()))
    print()
    print(markdown_table(bench_scan_like()))
