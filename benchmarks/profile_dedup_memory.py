"""Where ``overlap dedup``'s memory goes after signing: peak traced memory per stage.

``profile(store_dir) -> list[dict]``
    Loads a store saved with ``overlap dedup --save-signatures DIR`` and runs the
    near-duplicate step (threshold 0.8, keep first) twice under ``tracemalloc`` (numpy
    reports its buffers to it): the all-pairs pass stage by stage (band keys,
    ``lsh.candidate_pairs``, verification, keep rule), then the bucket pass
    (``dedup_store``'s default).  Per stage: peak traced MB above the loaded store, and
    the pair counts that explain it (pairs before and after removing cross-band
    repeats, pairs verified).

Run: ``python -m benchmarks.profile_dedup_memory DIR [DIR ...]``; prints one table per
store (results go to ``results/dedup_scale.md`` by hand, with the corpus size).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from overlap.deduplication import DedupOptions, SignatureStore, dedup_store
from overlap.lsh import candidate_pairs, optimal_params

from .common import markdown_table


def _stage(name: str, fn: Any, rows: list[dict[str, Any]], **extra: Any) -> Any:
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t = time.perf_counter()
    out = fn()
    rows.append({"stage": name, "seconds": time.perf_counter() - t,
                 "peak_mb": (tracemalloc.get_traced_memory()[1] - base) / 1e6, **extra})
    return out


def profile(store_dir: Path) -> list[dict[str, Any]]:
    """Stage-by-stage peak memory of both passes on one saved store (module docstring)."""
    from overlap import deduplication as d

    store = SignatureStore.load(store_dir)
    opts = DedupOptions()
    n = len(store)
    tracemalloc.start()
    rows: list[dict[str, Any]] = []
    _, first = np.unique(store.exact, return_index=True)
    alive = np.sort(first)  # survivors of the exact step (one per exact key)
    lsh_t = opts.threshold - 0.1
    bands, rows_per_band = optimal_params(lsh_t, store.num_perm, 0.05, 0.95)
    keys = _stage("band keys", lambda: d._band_keys(store.signatures, alive, bands, rows_per_band), rows)
    sizes = np.concatenate([np.unique(keys[:, b], return_counts=True)[1] for b in range(bands)]).astype(np.int64)
    raw = int((sizes * (sizes - 1) // 2).sum())
    pairs = _stage("candidate_pairs", lambda: candidate_pairs(keys), rows,
                   pairs_before_unique=raw, largest_bucket=int(sizes.max()))
    rows[-1]["pairs"] = len(pairs)
    g = alive[pairs]
    del pairs
    edges = _stage("verify", lambda: d._verify(store, g, opts, lsh_t), rows, pairs=len(g))
    order = np.arange(n, dtype=np.int64)
    keep = np.zeros(n, dtype=bool)
    keep[alive] = True
    _stage("keep rule", lambda: d._greedy(store, edges, order, keep, {}, "near-duplicate"), rows, pairs=len(edges[0]))
    del g, edges, keys
    _stage("all-pairs dedup_store", lambda: dedup_store(store, opts, all_pairs=True), rows)
    _stage("bucket dedup_store", lambda: dedup_store(store, opts), rows)
    tracemalloc.stop()
    for r in rows:
        r["documents"] = n
    return rows


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        cols = ["documents", "stage", "seconds", "peak_mb", "pairs_before_unique", "pairs", "largest_bucket"]
        print(f"\n{arg}\n" + markdown_table(profile(Path(arg)), cols), flush=True)
