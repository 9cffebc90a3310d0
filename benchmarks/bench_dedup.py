"""Corpus deduplication end to end, in one run: ``overlap dedup`` vs rensa vs datasketch.

``run(sizes=(10_000, 100_000), threshold=0.8, peers_up_to=100_000, engines=ENGINES, workdir=None, ...) -> list[dict]``
    One scaled corpus written once as JSONL (``bench_dedup_scale.write_corpus``; smaller
    sizes are its first lines).  For each size, each engine runs in its own fresh child
    process (``spawn``) from the JSONL file to the keep/remove flag of every document:
    wall and CPU seconds, peak RSS of the child (MB, interpreter and libraries included, as
    ``/usr/bin/time`` reports a command), documents removed; then the mismatch of each
    engine's flags against keep-first on exact Jaccard.  Writes ``results/{out}.csv``
    and prints the table (``results/dedup.md`` is written from it by hand).

Equal terms: the same file, read and parsed by each engine inside its timing; threshold
``t`` (0.8), 128 permutations, keep first; one thread each (``RAYON_NUM_THREADS``,
``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS`` = 1; not pinned to a CPU, so that on a shared
machine each child takes whichever core is free).

* ``overlap``: ``overlap.dedup_io.dedup_files([path], removed=...)``, the library call of
  ``overlap dedup FILE --removed OUT`` (its normaliser and tokeniser, candidates verified
  on exact shingle sets, the removal list written);
* ``rensa``: its deduplicator as its README shows it, ``RMinHashDeduplicator(threshold=t,
  num_perm=128, use_lsh=True).add_pairs((key, tokens), ...)``, fed in chunks of 4,096
  documents (its index persists across calls), tokens = word 5-grams of ``text.split()``;
* ``datasketch``: ``MinHash(num_perm=128).update_batch(word 5-grams as UTF-8)`` per
  document and ``MinHashLSH(threshold=t, num_perm=128)``; a document is dropped when a
  candidate already kept estimates at or above ``t``, else inserted.

Mismatch against exact Jaccard.  Each engine is measured against the decision it
approximates: keep-first on the exact Jaccard of *its own* shingle sets (overlap's
shingles for overlap, the distinct word 5-grams for the peers, 64-bit hashed), so the
figure is the error of the sketch and the candidate search, not a difference of
tokenisers.  Document ``j`` is a true duplicate when an earlier *true-kept* document has
exact Jaccard ``>= t`` with it.  The pairs examined are the LSH candidates of a much
looser banding (Jaccard 0.5 on 128-permutation signatures of the same sets: a pair at
0.8 is missed with probability below 1e-6) with the exact Jaccard of each; the
mismatch is the share of documents whose removed flag differs from the truth.  The
truth holds every document's sets in memory (about 2 KB per document and shingling),
so it is skipped above ``truth_up_to`` documents.

Run: ``python -m benchmarks.bench_dedup [N ...] [--peers-up-to N] [--engines a,b]
[--workdir DIR] [--timeout S] [--out NAME]`` (default 10000 100000).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .common import RESULTS, machine, markdown_table, status_mb, write_csv

NUM_PERM = 128
_CHUNK = 4096  # as overlap signs: documents per call, bounded memory
_ONE_THREAD = {"RAYON_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OVERLAP_JIT": "1"}


def _texts(path: str) -> Iterator[str]:
    with open(path, "rb") as f:
        for line in f:
            yield json.loads(line)["text"]


def _word5(text: str) -> list[str]:
    w = text.split()
    return [" ".join(w[i:i + 5]) for i in range(max(1, len(w) - 4))]


def _overlap(path: str, t: float) -> np.ndarray:
    from overlap.dedup_io import dedup_files
    from overlap.deduplication import DedupOptions

    with tempfile.TemporaryDirectory() as d:
        r = dedup_files([path], removed=os.path.join(d, "removed.jsonl"), options=DedupOptions(threshold=t))
    return ~r.keep_mask


def _rensa(path: str, t: float) -> np.ndarray:
    from rensa import RMinHashDeduplicator

    dedup = RMinHashDeduplicator(threshold=t, num_perm=NUM_PERM, use_lsh=True)
    keep: list[bool] = []
    chunk: list[tuple[str, list[str]]] = []
    for text in _texts(path):
        chunk.append((str(len(keep) + len(chunk)), _word5(text)))
        if len(chunk) == _CHUNK:
            keep.extend(dedup.add_pairs(chunk))
            chunk = []
    if chunk:
        keep.extend(dedup.add_pairs(chunk))
    return ~np.array(keep, dtype=bool)


def _datasketch(path: str, t: float) -> np.ndarray:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=t, num_perm=NUM_PERM)
    kept: dict[int, Any] = {}
    removed: list[bool] = []
    for i, text in enumerate(_texts(path)):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode() for s in _word5(text)])
        dup = any(m.jaccard(kept[j]) >= t for j in lsh.query(m))
        if not dup:
            lsh.insert(i, m)
            kept[i] = m
        removed.append(dup)
    return np.array(removed, dtype=bool)


ENGINES: dict[str, Callable[[str, float], np.ndarray]] = {
    "overlap": _overlap, "rensa": _rensa, "datasketch": _datasketch,
}


def _peak_mb() -> float:
    """This process's peak RSS.  ``VmHWM`` belongs to the process's own address space;
    ``ru_maxrss`` would not do: Linux carries the parent's peak into a child across the
    fork and exec of ``spawn``."""
    return status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(name: str, path: str, t: float, conn: Any) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    flags = ENGINES[name](path, t)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_mb()
    conn.send((seconds, cpu, peak, np.packbits(flags).tobytes(), len(flags)))
    conn.close()


def _run_engine(name: str, path: str, t: float, timeout: float) -> tuple[float, float, float, np.ndarray] | None:
    """``(seconds, CPU seconds, peak MB, removed flags)`` of one engine in a fresh process, or None
    when it did not finish within ``timeout`` seconds (then it is killed)."""
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(name, path, t, b))
    p.start()
    b.close()
    if not a.poll(timeout):
        p.kill()
        p.join()
        return None
    seconds, cpu, peak, packed, n = a.recv()
    p.join()
    return seconds, cpu, peak, np.unpackbits(np.frombuffer(packed, dtype=np.uint8), count=n).astype(bool)


# --------------------------------------------------------------------------- truth


def _shingle_sets(texts: list[str], own: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sets, offsets, signatures)``: each document's distinct shingle hashes folded to
    32 bits and sorted (overlap's shingles when ``own``, else word 5-grams hashed with
    64-bit BLAKE2), and 128-permutation signatures of the same shingles."""
    import hashlib

    from overlap.signatures import shingle_batch, signatures_from_shingles

    sets, offs, sigs = [], [np.zeros(1, dtype=np.int64)], []
    total = 0
    for lo in range(0, len(texts), 4096):
        chunk = texts[lo:lo + 4096]
        if own:
            flat, o = shingle_batch(chunk)
        else:
            grams = [_word5(x) for x in chunk]
            flat = np.fromiter((int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
                                for gs in grams for g in gs), dtype=np.uint64)
            o = np.zeros(len(chunk) + 1, dtype=np.int64)
            np.cumsum([len(gs) for gs in grams], out=o[1:])
        sigs.append(signatures_from_shingles(flat, o, num_perm=NUM_PERM))
        folded = ((flat ^ (flat >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        for k in range(len(chunk)):
            s = np.unique(folded[o[k]:o[k + 1]])
            sets.append(s)
            total += len(s)
            offs.append(np.array([total], dtype=np.int64))
    return np.concatenate(sets), np.concatenate(offs), np.concatenate(sigs)


def _truth(texts: list[str], t: float, own: bool) -> np.ndarray:
    """Removed flags of keep-first on exact Jaccard (module docstring)."""
    from overlap.jit import load_kernels
    from overlap.lsh import band_keys, candidate_pairs, optimal_params

    kern = load_kernels()
    assert kern is not None, "the truth needs the compiled kernels (pip install numba)"
    sets, offs, sigs = _shingle_sets(texts, own)
    bands, rows = optimal_params(0.5, NUM_PERM, 0.05, 0.95)
    pairs = candidate_pairs(band_keys(sigs, bands, rows), max_bucket=None)
    del sigs
    left = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    right = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    inter = np.zeros(len(left), dtype=np.int64)
    kern.intersections_into(sets, offs, left, right, inter)
    sizes = np.diff(offs)
    union = sizes[left] + sizes[right] - inter
    hit = inter >= t * union
    first, later = np.minimum(left, right)[hit], np.maximum(left, right)[hit]
    by = np.argsort(later, kind="stable")
    alive = np.ones(len(texts), dtype=np.uint8)
    chosen = np.full(len(texts), -1, dtype=np.int64)
    kern.greedy_into(np.ascontiguousarray(first[by]), np.ascontiguousarray(later[by]), alive, chosen)
    return alive == 0


# --------------------------------------------------------------------------- run


def _corpus(workdir: Path, n: int, biggest: int) -> Path:
    from .bench_dedup_scale import _prefix, write_corpus

    big = workdir / f"corpus_{biggest}.jsonl"
    if not big.exists():
        write_corpus(big, biggest)
    if n == biggest:
        return big
    path = workdir / f"corpus_{n}.jsonl"
    if not path.exists():
        _prefix(big, path, n)
    return path


def run(
    sizes: Sequence[int] = (10_000, 100_000),
    threshold: float = 0.8,
    peers_up_to: int = 100_000,
    engines: Sequence[str] = tuple(ENGINES),
    workdir: Path | None = None,
    timeout: float = 3 * 3600,
    truth_up_to: int = 100_000,
    out: str = "dedup",
) -> list[dict[str, Any]]:
    """Measure every size and engine (module docstring) and write the results files."""
    work = Path(workdir or tempfile.mkdtemp(prefix="overlap-dedup-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(_ONE_THREAD)  # inherited by the spawned children
    rows: list[dict[str, Any]] = []
    for n in sorted(sizes):
        path = _corpus(work, n, max(sizes))
        results: dict[str, tuple[float, float, float, np.ndarray]] = {}
        for name in engines:
            if name != "overlap" and n > peers_up_to:
                continue
            got = _run_engine(name, str(path), threshold, timeout)
            if got is None:
                print(f"{n:>9,} {name:<11} did not finish in {timeout:.0f} s", file=sys.stderr, flush=True)
                rows.append({"documents": n, "engine": name, "seconds": f"> {timeout:.0f}"})
                continue
            results[name] = got
            print(f"{n:>9,} {name:<11} {got[0]:8.1f} s {got[1]:8.1f} cpu s {got[2]:8.0f} MB  removed {int(got[3].sum()):,}",
                  file=sys.stderr, flush=True)
        truths: dict[bool, np.ndarray] = {}
        if n <= truth_up_to:
            texts = list(_texts(str(path)))
            for own in {name == "overlap" for name in results}:
                truths[own] = _truth(texts, threshold, own)
            del texts
        for name, (seconds, cpu, mb, flags) in results.items():
            row: dict[str, Any] = {"documents": n, "engine": name, "seconds": round(seconds, 1),
                                   "cpu_s": round(cpu, 1), "peak_mb": round(mb), "removed": int(flags.sum())}
            truth = truths.get(name == "overlap")
            if truth is not None:
                row["true_removed"] = int(truth.sum())
                row["mismatch_pct"] = round(100 * float((flags != truth).mean()), 3)
            if "overlap" in results:
                row["vs_overlap"] = round(seconds / results["overlap"][0], 2)
                row["cpu_vs_overlap"] = round(cpu / results["overlap"][1], 2)
            rows.append(row)
    columns = ["documents", "engine", "seconds", "cpu_s", "peak_mb", "removed", "true_removed", "mismatch_pct",
               "vs_overlap", "cpu_vs_overlap"]
    write_csv(RESULTS / f"{out}.csv", [{c: r.get(c, "") for c in columns} for r in rows])
    print(markdown_table(rows, columns))
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items())
          + f"; load average at end {os.getloadavg()[0]:.1f}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--peers-up-to", type=int, default=100_000)
    ap.add_argument("--truth-up-to", type=int, default=100_000)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--timeout", type=float, default=3 * 3600)
    ap.add_argument("--out", default="dedup", help="results/OUT.csv (default dedup)")
    a = ap.parse_args()
    run(a.sizes, peers_up_to=a.peers_up_to, engines=a.engines.split(","), workdir=a.workdir, timeout=a.timeout,
        truth_up_to=a.truth_up_to, out=a.out)
