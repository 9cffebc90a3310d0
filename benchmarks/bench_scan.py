"""Throughput and peak memory of corpus-scale stages at 1k, 10k and 100k documents.

``bench_scan(sizes) -> rows``: each size runs in a fresh child process (so peak RSS is
that run's own), on ``common.scaled_corpus(n)``: real baomoi articles scaled up with
realistic edits and reorderings.  Two stages are measured:

* ``minhash + lsh``: ``overlap.signatures`` signatures then ``band_keys`` /
  ``candidate_pairs`` at threshold 0.5 -- the candidate stage of a scan;
* ``overlap.scan``: HOOK for the full scan, written by another helper.  It is measured
  when ``overlap.scan`` exists and reported as "not available" otherwise.  The call is
  ``overlap.scan(texts)``; adjust ``_run_scan`` if the final signature differs.

Peak RSS (``peak_rss_mb``) is the main process's and includes the generated texts (about
5 KB per document in memory); ``worker_peak_rss_mb`` is the largest worker process's.

``python -m benchmarks.bench_scan [sizes...]`` prints the table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from benchmarks.common import ROOT, markdown_table


def _peak_rss_mb(who: str = "self") -> float:
    """Peak RSS of this process, or (``"children"``) of the largest waited-for child: the
    scan's worker processes, which exit (and are waited for) when the scan returns."""
    import resource

    kind = resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN
    return resource.getrusage(kind).ru_maxrss / 1024  # KiB on Linux


def _run_stage(stage: str, n: int) -> dict:
    """Runs inside the child process."""
    from benchmarks.common import scaled_corpus

    texts = scaled_corpus(n)
    rss_before = _peak_rss_mb()
    t = time.perf_counter()
    if stage == "minhash + lsh":
        from overlap.lsh import band_keys, candidate_pairs, optimal_params
        from overlap.signatures import minhash

        sig = minhash(texts)
        pairs = candidate_pairs(band_keys(sig, *optimal_params(0.5, sig.shape[1])))
        detail = f"{len(pairs)} candidate pairs"
        stages = ""
    else:
        detail, stages = _run_scan(texts)
    seconds = time.perf_counter() - t
    return {"stage": stage, "docs": n, "seconds": seconds, "docs_per_s": n / seconds,
            "peak_rss_mb": _peak_rss_mb(), "rss_after_texts_mb": rss_before,
            "worker_peak_rss_mb": _peak_rss_mb("children"), "stage_seconds": stages, "detail": detail}


def _run_scan(texts: list[str]) -> tuple[str, str]:
    """Run the scan; its counts, and its seconds per stage ("sign 26.1, candidates 5.8, ...")."""
    import overlap

    result = overlap.scan((overlap.Document(str(i), t) for i, t in enumerate(texts)), progress=None)
    st = result.stats
    detail = (
        f"{len(result.near_duplicate_clusters)} near-duplicate clusters, {len(result.story_clusters)} stories, "
        f"{st.compared} pairs compared, {st.linked_pairs} linked"
    )
    return detail, ", ".join(f"{k} {v:.1f}" for k, v in st.timings)


def scan_available() -> bool:
    out = subprocess.run([sys.executable, "-c", "import overlap; overlap.scan"], capture_output=True, cwd=ROOT)
    return out.returncode == 0


def bench_scan(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> list[dict]:
    stages = ["minhash + lsh"] + (["overlap.scan"] if scan_available() else [])
    rows = []
    for stage in stages:
        for n in sizes:
            code = f"import json; from benchmarks.bench_scan import _run_stage; print(json.dumps(_run_stage({stage!r}, {n})))"
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                rows.append({"stage": stage, "docs": n, "detail": "failed: " + out.stderr.strip().splitlines()[-1]})
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if "overlap.scan" not in stages:
        rows.append({"stage": "overlap.scan", "docs": "-", "detail": "not available: overlap.scan is not implemented yet"})
    return rows


if __name__ == "__main__":
    sizes = tuple(int(a) for a in sys.argv[1:]) or (1_000, 10_000, 100_000)
    print(markdown_table(bench_scan(sizes), ["stage", "docs", "seconds", "docs_per_s", "peak_rss_mb", "worker_peak_rss_mb", "stage_seconds", "detail"]))
