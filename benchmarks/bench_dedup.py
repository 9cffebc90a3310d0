"""Corpus deduplication end to end: ``overlap.dedup`` vs rensa vs datasketch, same inputs.

``run(sizes=(10_000, 100_000), threshold=0.8, peers_up_to=100_000) -> list[dict]``
    For each size, a scaled corpus (``common.scaled_corpus``), and each engine run in a
    forked child process from raw text to the keep/remove decision: wall seconds, peak RSS
    added by the engine (MB), documents removed, and the mismatch rate against exact
    Jaccard.  Writes ``results/dedup.md`` and ``results/dedup.csv``.

The engines, each deciding "keep first" at Jaccard ``threshold`` with 128 permutations:

* ``overlap``: ``overlap.dedup(texts, threshold=t)`` (its normalisation and tokeniser,
  candidates verified on exact shingle sets);
* ``rensa``: the pipeline of its README: ``RMinHash(128, seed).update(word 5-grams)`` per
  document, ``RMinHashLSH(t, 128, 16)``, and a document is dropped when a candidate
  already kept estimates at or above ``t`` (otherwise it is inserted);
* ``datasketch``: the same with ``MinHash(128).update_batch`` and ``MinHashLSH(t, 128)``.

Peers shingle as users usually do, word 5-grams of ``text.split()`` (UTF-8 bytes).

Mismatch against exact Jaccard.  Each engine is measured against the decision it
approximates: keep-first greedy on the exact Jaccard of *its own* shingle sets (overlap's
shingles for overlap, word 5-grams for the peers), so the figure is the error of the
sketch and the candidate search, not a difference of tokenisers.  Document ``i`` is a
duplicate when an earlier *kept* document has exact Jaccard ``>= t`` with it.  The pairs
examined are every pair the engine flagged plus LSH candidates at Jaccard 0.5 on overlap
signatures (recall at 0.8 is essentially complete).  The mismatch rate is the share of
documents whose removed/kept flag differs from the truth.

Run: ``python -m benchmarks.bench_dedup [N ...]`` (default 10000 100000).
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .common import RESULTS, machine, markdown_table, scaled_corpus

NUM_PERM = 128
_TEXTS: list[str] = []  # set before forking; children read it copy-on-write


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _word5(text: str) -> list[bytes]:
    w = text.split()
    return [" ".join(w[i:i + 5]).encode() for i in range(max(1, len(w) - 4))]


def _overlap(texts: list[str], t: float) -> list[tuple[int, int]]:
    import overlap

    r = overlap.dedup(texts, threshold=t)
    pos = {str(i): i for i in range(len(texts))}
    return [(pos[x.id], pos[x.duplicate_of]) for x in r.removed]


def _rensa(texts: list[str], t: float) -> list[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(t, NUM_PERM, 16)
    hashes = []
    out = []
    for i, text in enumerate(texts):
        m = RMinHash(NUM_PERM, 42)
        m.update([s.decode() for s in _word5(text)])
        hashes.append(m)
        dup = next((j for j in lsh.query(m) if m.jaccard(hashes[j]) >= t), None)
        if dup is None:
            lsh.insert(i, m)
        else:
            out.append((i, int(dup)))
    return out


def _datasketch(texts: list[str], t: float) -> list[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=t, num_perm=NUM_PERM)
    hashes = []
    out = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(_word5(text))
        hashes.append(m)
        dup = next((j for j in lsh.query(m) if m.jaccard(hashes[j]) >= t), None)
        if dup is None:
            lsh.insert(i, m)
        else:
            out.append((i, int(dup)))
    return out


ENGINES: dict[str, Callable[[list[str], float], list[tuple[int, int]]]] = {
    "overlap": _overlap, "rensa": _rensa, "datasketch": _datasketch,
}


def _child(name: str, t: float, conn: Any) -> None:
    base = _rss_mb()
    start = time.perf_counter()
    pairs = ENGINES[name](_TEXTS, t)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((seconds, peak - base, pairs))
    conn.close()


def _run_engine(name: str, t: float) -> tuple[float, float, list[tuple[int, int]]]:
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(name, t, b))
    p.start()
    b.close()
    result = a.recv()
    p.join()
    return result


def _exact_sets(texts: Sequence[str], ids: set[int], own: bool) -> dict[int, np.ndarray]:
    """Sorted distinct shingle hashes of the documents ``ids``: overlap's (``own``) or
    word 5-grams (Python ``hash`` of the bytes).  numpy arrays, not sets: at 100k
    documents Python sets of ints took over 6 GB."""
    order = sorted(ids)
    if not own:
        return {i: np.unique(np.fromiter(map(hash, _word5(texts[i])), dtype=np.int64)) for i in order}
    from overlap.signatures import shingle_batch

    out: dict[int, np.ndarray] = {}
    for lo in range(0, len(order), 4096):
        chunk = order[lo:lo + 4096]
        flat, offs = shingle_batch([texts[i] for i in chunk])
        for k, i in enumerate(chunk):
            out[i] = np.unique(flat[offs[k]:offs[k + 1]])
    return out


def _loose_pairs(texts: list[str]) -> set[tuple[int, int]]:
    from overlap.lsh import band_keys, candidate_pairs, optimal_params
    from overlap.signatures import minhash

    sig = minhash(texts, num_perm=NUM_PERM)
    bands, rows = optimal_params(0.5, NUM_PERM)
    return {(int(i), int(j)) for i, j in candidate_pairs(band_keys(sig, bands, rows)).tolist()}


def _truth(texts: list[str], t: float, pairs: set[tuple[int, int]], own: bool) -> np.ndarray:
    """Keep-first greedy on exact Jaccard over ``pairs`` (``i < j``)."""
    sets = _exact_sets(texts, {x for p in pairs for x in p}, own)
    later: dict[int, list[int]] = {}
    for i, j in pairs:
        a, b = sets[i], sets[j]
        inter = len(np.intersect1d(a, b, assume_unique=True))
        if inter / (len(a) + len(b) - inter) >= t:
            later.setdefault(j, []).append(i)
    removed = np.zeros(len(texts), dtype=bool)
    for j in sorted(later):
        removed[j] = any(not removed[i] for i in later[j])
    return removed


def run(sizes: Sequence[int] = (10_000, 100_000), threshold: float = 0.8, peers_up_to: int = 100_000) -> list[dict[str, Any]]:
    global _TEXTS
    rows: list[dict[str, Any]] = []
    for n in sizes:
        _TEXTS = scaled_corpus(n)
        results = {}
        for name in ENGINES:
            if name != "overlap" and n > peers_up_to:
                continue
            seconds, mb, pairs = _run_engine(name, threshold)
            results[name] = (seconds, mb, pairs)
            print(f"{n:>9,} {name:<11} {seconds:8.1f} s {mb:8.0f} MB  removed {len(pairs):,}", file=sys.stderr, flush=True)
        loose = _loose_pairs(_TEXTS)
        for name, (seconds, mb, pairs) in results.items():
            flagged = {(min(i, j), max(i, j)) for i, j in pairs}
            truth = _truth(_TEXTS, threshold, loose | flagged, own=name == "overlap")
            flags = np.zeros(n, dtype=bool)
            flags[[i for i, _ in pairs]] = True
            rows.append({
                "documents": n, "engine": name, "seconds": round(seconds, 1), "peak_mb": round(mb),
                "removed": int(flags.sum()), "true_removed": int(truth.sum()),
                "mismatch_pct": round(100 * float((flags != truth).mean()), 3),
            })
        if "overlap" in results and len(results) > 1:
            for r in rows[-len(results):]:
                r["overlap_speedup"] = round(r["seconds"] / results["overlap"][0], 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "dedup.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    info = machine()
    text = (
        "# Corpus deduplication: overlap vs rensa vs datasketch\n\n"
        f"`python -m benchmarks.bench_dedup {' '.join(map(str, sizes))}`, threshold {threshold}, "
        f"{NUM_PERM} permutations, keep first; one run per engine in a forked child; peak_mb is the "
        "child's peak RSS minus its RSS at start (the corpus itself is shared). "
        "Mismatch: share of documents whose removed flag differs from keep-first on the exact Jaccard "
        "of the engine's own shingle sets (overlap's for overlap, word 5-grams for the peers). overlap_speedup: engine seconds / overlap seconds.\n\n"
        + markdown_table(rows)
        + "\n\nMachine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + "\n"
    )
    (RESULTS / "dedup.md").write_text(text)
    print(text)
    return rows


if __name__ == "__main__":
    run([int(a) for a in sys.argv[1:]] or (10_000, 100_000))
