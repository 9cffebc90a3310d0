"""Scan recall of reworded reuse: PAN-13 03/04 pairs mixed into Baomoi articles.

``run(pairs=50, articles=3000, *, seed=0, paraphrase=False) -> ScanReworded``
    ``pairs`` seeded pairs from each of PAN-13 training 03 (random obfuscation) and 04
    (translation obfuscation), their suspicious and source documents mixed into the
    first ``articles`` Baomoi articles, scanned once with ``overlap.scan`` (the
    verification ``compare`` with or without the paraphrase stage).  Recall = share of
    the PAN pairs the scan links (a passage or a near-duplicate), per sub-corpus.
``run_index(pairs=50, articles=3000, *, seed=0, reworded=False) -> IndexReworded``
    The same sources and articles in an ``overlap.index.Index`` (plain or reworded);
    each suspicious document is queried (top 10); recall = share whose source comes
    back with a passage.
``main()``: ``python -m benchmarks.quality.scan_reworded [--pairs 50] [--articles 3000] [--write]``
    every setting; ``--write`` saves ``benchmarks/results/quality_scan_reworded.md``.

Why: the scan finds candidates by MinHash LSH over 5-token shingle windows (Jaccard
0.3), built for copies; reworded reuse shares few 5-token runs, so this measures how
much of it reaches verification at all, and what the paraphrase stage adds there.
Time: whole scan, wall clock, one run, 2 workers on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality import RESULTS_DIR, data_dir, missing_reason
from benchmarks.quality.pan import read_text
from benchmarks.quality.pan13_train import load

__all__ = ["NOTES", "IndexReworded", "ScanReworded", "main", "run", "run_index"]

SUBS = ("03-random-obfuscation", "04-translation-obfuscation")
NOTES = "## Notes"
"""The results file's hand-written section, from this heading on: ``--write`` keeps it."""


@dataclass(frozen=True, slots=True)
class ScanReworded:
    """Per sub-corpus: PAN pairs and pairs linked; scan seconds and pairs compared."""

    documents: int
    pairs: dict[str, int]
    linked: dict[str, int]
    seconds: float
    compared: int


def run(
    pairs: int = 50, articles: int = 3000, *, seed: int = 0, paraphrase: bool = False, reworded: bool = False
) -> ScanReworded:
    """One scan of the mixed collection (see the module docstring)."""
    import overlap
    from overlap.pipeline import CompareOptions

    pan, news = data_dir("pan13-train"), data_dir("baomoi")
    if pan is None or news is None:
        raise FileNotFoundError(missing_reason("pan13-train" if pan is None else "baomoi"))
    docs: dict[str, str] = {}
    wanted: dict[str, list[tuple[str, str]]] = {}
    for sub in SUBS:
        wanted[sub] = load(sub, pairs, seed)
        for susp, src in wanted[sub]:
            docs.setdefault(susp, read_text(pan / "susp" / susp))
            docs.setdefault(src, read_text(pan / "src" / src))
    for f in sorted(news.glob("*.txt"))[:articles]:
        docs.setdefault(f"baomoi/{f.name}", f.read_text(encoding="utf-8"))
    documents = [overlap.Document(k, v) for k, v in docs.items()]
    opts = overlap.ScanOptions(compare=CompareOptions(paraphrase=paraphrase or reworded), reworded=reworded)
    t0 = time.perf_counter()
    res = overlap.scan(documents, options=opts)
    secs = time.perf_counter() - t0
    linked = {frozenset((p.a, p.b)) for p in res.pairs if p.passages or p.near_duplicate}
    out_linked = {sub: sum(frozenset(x) in linked for x in wanted[sub]) for sub in SUBS}
    return ScanReworded(len(documents), {s: len(wanted[s]) for s in SUBS}, out_linked, secs, res.stats.compared)


@dataclass(frozen=True, slots=True)
class IndexReworded:
    """Per sub-corpus: queries and sources found with a passage; add and query seconds
    (wall, one process), file size."""

    documents: int
    pairs: dict[str, int]
    found: dict[str, int]
    add_seconds: float
    query_seconds: float
    file_bytes: int


def run_index(pairs: int = 50, articles: int = 3000, *, seed: int = 0, reworded: bool = False) -> IndexReworded:
    """Index the sources and articles, query every suspicious document (module docstring)."""
    import tempfile

    import overlap
    from overlap.index import Index

    pan, news = data_dir("pan13-train"), data_dir("baomoi")
    if pan is None or news is None:
        raise FileNotFoundError(missing_reason("pan13-train" if pan is None else "baomoi"))
    wanted = {sub: load(sub, pairs, seed) for sub in SUBS}
    docs = {src: read_text(pan / "src" / src) for sub in SUBS for _, src in wanted[sub]}
    for f in sorted(news.glob("*.txt"))[:articles]:
        docs.setdefault(f"baomoi/{f.name}", f.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp, Index(Path(tmp) / "ix.db", reworded=reworded) as ix:
        t0 = time.perf_counter()
        ix.add(overlap.Document(k, v) for k, v in docs.items())
        t1 = time.perf_counter()
        found = {sub: sum(
            any(m.id == src and m.passages for m in ix.query(read_text(pan / "susp" / susp)))
            for susp, src in wanted[sub]
        ) for sub in SUBS}
        t2 = time.perf_counter()
        size = ix.stats().file_bytes
    return IndexReworded(len(docs), {s: len(wanted[s]) for s in SUBS}, found, t1 - t0, t2 - t1, size)


def index_table(rows: Sequence[tuple[str, IndexReworded]]) -> str:
    """A markdown table of the index runs."""
    out = ["| index | documents | 03 found | 04 found | add seconds | query seconds (all) | file MB |",
           "|---|---|---|---|---|---|---|"]
    for name, r in rows:
        cells = [f"{r.found[s]} of {r.pairs[s]} ({r.found[s] / max(1, r.pairs[s]):.2f})" for s in SUBS]
        out.append(f"| {name} | {r.documents} | {cells[0]} | {cells[1]} | {r.add_seconds:.1f} | "
                   f"{r.query_seconds:.1f} | {r.file_bytes / 1e6:.1f} |")
    return "\n".join(out) + "\n"


def table(rows: Sequence[tuple[str, ScanReworded]]) -> str:
    """A markdown table of the runs."""
    out = ["| verification | documents | 03 linked | 04 linked | pairs compared | scan seconds |",
           "|---|---|---|---|---|---|"]
    for name, r in rows:
        cells = [f"{r.linked[s]} of {r.pairs[s]} ({r.linked[s] / max(1, r.pairs[s]):.2f})" for s in SUBS]
        out.append(f"| {name} | {r.documents} | {cells[0]} | {cells[1]} | {r.compared} | {r.seconds:.1f} |")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="scan recall of PAN-13 03/04 pairs mixed into Baomoi")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if data_dir("pan13-train") is None or data_dir("baomoi") is None:
        print(f"skipped: {missing_reason('pan13-train' if data_dir('pan13-train') is None else 'baomoi')}")
        return 0
    settings = (("verbatim (default)", False, False), ("with paraphrase", True, False),
                ("reworded windows + paraphrase (`--reworded`)", True, True))
    rows = [(name, run(args.pairs, args.articles, paraphrase=para, reworded=rw)) for name, para, rw in settings]
    index_rows = [(name, run_index(args.pairs, args.articles, reworded=rw))
                  for name, rw in (("plain (default)", False), ("`index add --reworded`", True))]
    text = table(rows) + "\n" + index_table(index_rows)
    print(text)
    if args.write:
        from overlap.outputs import atomic_write_text

        head = ("# Scan recall of reworded reuse (PAN-13 03/04 pairs in Baomoi)\n\n"
                f"`python -m benchmarks.quality.scan_reworded --pairs {args.pairs} --articles {args.articles} "
                "--write`: a PAN pair counts when the scan links it (passage or near-duplicate); "
                "in the index, when querying the suspicious document returns its source with a passage "
                "(the sources and the articles indexed, the suspicious documents queried). "
                "Times: wall clock, one run, shared machine.\n\n")
        out = RESULTS_DIR / "quality_scan_reworded.md"
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        notes = old[old.index(NOTES):] if NOTES in old else ""
        atomic_write_text(out, head + text + ("\n" + notes if notes else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
