"""The persistent index at scale: add throughput, query latency and file size, 10k vs 100k.

``bench_index(sizes=(10_000, 100_000), queries=200, repeat=3, path=None) -> list[dict]``
    Builds one index incrementally to each size in ``sizes`` from ``scaled_corpus`` (the
    3,756 baomoi articles, then seeded edited republications: dropped, swapped and
    borrowed sentences, changed words) and, at each size, times ``queries`` held-out
    documents from the same generator (edited republications whose sources are in the
    index, so every query has genuine matches).
``write_results(rows, out=RESULTS)``
    ``benchmarks/results/index.csv`` and ``index.md``.

``python -m benchmarks.bench_index`` runs the full benchmark (about 5 minutes here);
``python -m benchmarks.bench_index --quick`` runs 2,000 and 8,000 documents.

Timing rules: adds are timed once per size step (building 100k documents is the
measurement; it is not repeated).  Each query is run ``repeat`` times and its best time
kept (the machine is shared), then p50/p95 are taken over the queries.  Queries run warm:
the index file is in the OS page cache after the build.  One process, one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import RESULTS, load_corpus, machine, markdown_table, scaled_corpus, write_csv

COLUMNS = [
    "documents",
    "add_docs_per_s",
    "file_mb",
    "bytes_per_doc",
    "lookups",
    "candidates",
    "verified",
    "scores_p50_ms",
    "scores_p95_ms",
    "passages_p50_ms",
    "passages_p95_ms",
    "top1_jaccard",
]


def _time_queries(index, texts: list[str], repeat: int, passages: bool) -> tuple[np.ndarray, list[dict]]:
    best = np.full(len(texts), np.inf)
    work: list[dict] = []
    tops: list[float] = []
    for i, text in enumerate(texts):
        for _ in range(repeat):
            t = time.perf_counter()
            matches = index.query(text, passages=passages)
            best[i] = min(best[i], time.perf_counter() - t)
        work.append(dict(index.last_query))
        tops.append(matches[0].jaccard if matches else 0.0)
    return best * 1e3, [*work, {"top1": float(np.mean(tops))}]


def bench_index(
    sizes: tuple[int, ...] = (10_000, 100_000),
    queries: int = 200,
    repeat: int = 3,
    path: str | os.PathLike[str] | None = None,
    batch_size: int = 500,
) -> list[dict]:
    from overlap.index import Index
    from overlap.records import Document

    sizes = tuple(sorted(sizes))
    corpus = load_corpus()
    t = time.perf_counter()
    texts = scaled_corpus(sizes[-1] + queries, seed=0, base=corpus.texts)
    print(f"corpus: {len(texts):,} documents from {corpus.source} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    held_out = texts[sizes[-1] :]
    tmp = None
    if path is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_index_")
        path = Path(tmp.name) / "index.db"
    rows = []
    try:
        done = 0
        for size in sizes:
            with Index(path) as index:
                t = time.perf_counter()
                index.add(
                    (Document(f"doc-{i}", texts[i], f"scaled:{i}") for i in range(done, size)), batch_size=batch_size
                )
                add_s = time.perf_counter() - t
                rate = (size - done) / add_s
                print(f"{size:,}: added {size - done:,} in {add_s:.1f} s ({rate:,.0f} docs/s)", file=sys.stderr)
                done = size
                bare, work = _time_queries(index, held_out, repeat, passages=False)
                full, _ = _time_queries(index, held_out, 1 if repeat == 1 else 2, passages=True)
            # Reopened: closing checkpointed the WAL into the file, so file_mb is the data.
            with Index(path, create=False) as index:
                st = index.stats()
            rows.append(
                {
                    "documents": size,
                    "add_docs_per_s": round(rate, 1),
                    "file_mb": round(st.file_bytes / 1e6, 1),
                    "bytes_per_doc": round(st.file_bytes / size),
                    "lookups": round(float(np.mean([w["lookups"] for w in work[:-1]])), 1),
                    "candidates": round(float(np.mean([w["candidates"] for w in work[:-1]])), 1),
                    "verified": round(float(np.mean([w["verified"] for w in work[:-1]])), 1),
                    "scores_p50_ms": round(float(np.percentile(bare, 50)), 2),
                    "scores_p95_ms": round(float(np.percentile(bare, 95)), 2),
                    "passages_p50_ms": round(float(np.percentile(full, 50)), 2),
                    "passages_p95_ms": round(float(np.percentile(full, 95)), 2),
                    "top1_jaccard": round(work[-1]["top1"], 3),
                }
            )
            print(markdown_table(rows[-1:], COLUMNS), file=sys.stderr)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return rows


def write_results(rows: list[dict], out: Path = RESULTS, queries: int = 200, repeat: int = 3) -> None:
    write_csv(out / "index.csv", rows)
    info = machine()
    lines = [
        "# Persistent index: add and query at scale",
        "",
        "`python -m benchmarks.bench_index` (`benchmarks/bench_index.py`). One index built",
        "incrementally from `scaled_corpus` (the baomoi articles, then seeded edited",
        "republications), batches of 500, measured at each size. Add throughput is one timed",
        "run per step (docs added since the previous size). Queries: "
        f"{queries} held-out edited republications",
        f"(their sources are indexed); each query's best of {repeat} runs (shared machine), then",
        "p50/p95 over queries, warm OS cache. `scores` = `query(passages=False)` (LSH lookups,",
        "candidate ranking, exact verification of up to 40 stored texts); `passages` adds",
        "`overlap.compare` for the top 10 matches. `lookups` = band keys looked up per query,",
        "`candidates` = distinct documents they returned, `verified` = texts decompressed and",
        "scored exactly.",
        "",
        markdown_table(rows, COLUMNS),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
    ]
    (out / "index.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 and 8,000 documents, 50 queries; no files written")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if args.quick:
        rows = bench_index(sizes=(2_000, 8_000), queries=50, repeat=args.repeat)
        print(markdown_table(rows, COLUMNS))
        return
    rows = bench_index(queries=args.queries, repeat=args.repeat)
    write_results(rows, queries=args.queries, repeat=args.repeat)
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
