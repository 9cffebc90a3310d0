"""PAN-13 text-alignment training corpus, all five sub-corpora, official PAN measures.

``run_train(sample=None, *, seed=0, **options) -> TrainResult``
    Align every pair of ``../shared/data/pan13-train/<sub>/pairs`` (or a seeded sample of
    ``sample`` pairs per sub-corpus) with ``overlap.compare(susp, src, **options)``, one
    detection per passage, and score each sub-corpus and all of them pooled with the
    macro measures of ``benchmarks.quality.pan``.  01 (no plagiarism) has no case: its
    detections are counted (they lower pooled precision).
``main()``: ``python -m benchmarks.quality.pan13_train [--sample 200] [--no-paraphrase] [--write]``
    prints a table; ``--write`` saves ``benchmarks/results/quality_pan13_train.{csv,md}``.

Texts are read as UTF-8 with ``newline=""`` (the official offsets count every character,
including the control characters that stand for curly quotes).  Time per pair is
``compare`` alone, CPU time of one process (``time.process_time``: the machine is shared, and
wall clock would count other jobs; nothing here runs threads).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality import RESULTS_DIR, data_dir, missing_reason
from benchmarks.quality.pan import Annotation, Scores, evaluate, overlap_detect, read_annotations, read_text

__all__ = ["SUBCORPORA", "SubResult", "TrainResult", "main", "run_train"]

SUBCORPORA = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)


@dataclass(frozen=True, slots=True)
class SubResult:
    """One sub-corpus: pairs run, scores, detections, median and mean ms per pair."""

    name: str
    pairs: int
    scores: Scores
    detections: int
    median_ms: float
    mean_ms: float


@dataclass(frozen=True, slots=True)
class TrainResult:
    """Per sub-corpus results, the pooled scores (all sub-corpora), and pooled timing."""

    subs: tuple[SubResult, ...]
    pooled: Scores
    median_ms: float


def load(sub: str, sample: int | None = None, seed: int = 0, root: Path | None = None) -> list[tuple[str, str]]:
    """``(susp, src)`` pairs of one sub-corpus, all or a seeded sample, in file order."""
    root = root or data_dir("pan13-train")
    if root is None:
        raise FileNotFoundError(missing_reason("pan13-train"))
    lines = [ln.split() for ln in (root / sub / "pairs").read_text().splitlines() if ln.strip()]
    pairs = [(p[0], p[1]) for p in lines]
    if sample is not None and sample < len(pairs):
        keep = sorted(random.Random(f"{seed}:{sub}").sample(range(len(pairs)), sample))
        pairs = [pairs[k] for k in keep]
    return pairs


def run_sub(
    sub: str, sample: int | None = None, *, seed: int = 0, root: Path | None = None, **options: object
) -> tuple[SubResult, list[Annotation], list[Annotation], list[float]]:
    """Score one sub-corpus; also returns its cases, detections and seconds per pair."""
    root = root or data_dir("pan13-train")
    if root is None:
        raise FileNotFoundError(missing_reason("pan13-train"))
    cases: list[Annotation] = []
    dets: list[Annotation] = []
    secs: list[float] = []
    for susp, src in load(sub, sample, seed, root):
        gold = root / sub / "gold" / f"{Path(susp).stem}-{Path(src).stem}.xml"
        if gold.exists():
            cases.extend(read_annotations(gold))
        a, b = read_text(root / "susp" / susp), read_text(root / "src" / src)
        t0 = time.process_time()
        got = overlap_detect(a, b, susp, src, **options)
        secs.append(time.process_time() - t0)
        dets.extend(got)
    n = len(secs)
    res = SubResult(sub, n, evaluate(cases, dets), len(dets), 1000 * statistics.median(secs) if secs else 0.0,
                    1000 * sum(secs) / max(1, n))
    return res, cases, dets, secs


def run_train(sample: int | None = None, *, seed: int = 0, subs: Sequence[str] = SUBCORPORA,
              **options: object) -> TrainResult:
    """Every sub-corpus in ``subs`` and the pooled scores (see the module docstring)."""
    out: list[SubResult] = []
    all_cases: list[Annotation] = []
    all_dets: list[Annotation] = []
    all_secs: list[float] = []
    for sub in subs:
        res, cases, dets, secs = run_sub(sub, sample, seed=seed, **options)
        out.append(res)
        all_cases.extend(cases)
        all_dets.extend(dets)
        all_secs.extend(secs)
    med = 1000 * statistics.median(all_secs) if all_secs else 0.0
    return TrainResult(tuple(out), evaluate(all_cases, all_dets), med)


def table(res: TrainResult, title: str) -> str:
    """A markdown table of ``res``."""
    rows = [f"### {title}", "", "| sub-corpus | pairs | plagdet | recall | precision | granularity | detections | "
            "median ms/pair |", "|---|---|---|---|---|---|---|---|"]
    for r in res.subs:
        s = r.scores
        rows.append(f"| {r.name} | {r.pairs} | {s.plagdet:.3f} | {s.recall:.3f} | {s.precision:.3f} | "
                    f"{s.granularity:.3f} | {r.detections} | {r.median_ms:.1f} |")
    p = res.pooled
    rows.append(f"| pooled | {sum(r.pairs for r in res.subs)} | {p.plagdet:.3f} | {p.recall:.3f} | "
                f"{p.precision:.3f} | {p.granularity:.3f} | {sum(r.detections for r in res.subs)} | "
                f"{res.median_ms:.1f} |")
    return "\n".join(rows) + "\n"


def _csv_rows(res: TrainResult, mode: str) -> list[str]:
    rows = []
    for name, n, s, d, med in [(r.name, r.pairs, r.scores, r.detections, r.median_ms) for r in res.subs] + [
        ("pooled", sum(r.pairs for r in res.subs), res.pooled, sum(r.detections for r in res.subs), res.median_ms)
    ]:
        rows.append(f"{mode},{name},{n},{s.plagdet:.4f},{s.recall:.4f},{s.precision:.4f},{s.granularity:.4f},"
                    f"{d},{med:.2f}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PAN-13 training corpus, all sub-corpora, with overlap.compare")
    parser.add_argument("--sample", type=int, default=None, help="pairs per sub-corpus (seeded sample); default all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-paraphrase", action="store_true", help="verbatim passages only (the old behaviour)")
    parser.add_argument("--both", action="store_true", help="run with and without the paraphrase stage")
    parser.add_argument("--sub", action="append", default=None, help="only this sub-corpus (repeatable)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/results/quality_pan13_train.{csv,md}")
    args = parser.parse_args(argv)
    if data_dir("pan13-train") is None:
        print(f"skipped: {missing_reason('pan13-train')}")
        return 0
    subs = tuple(args.sub) if args.sub else SUBCORPORA
    modes = [("verbatim only", False), ("with paraphrase", True)] if args.both else [
        ("verbatim only", False) if args.no_paraphrase else ("with paraphrase", True)]
    md: list[str] = []
    csv = ["mode,sub_corpus,pairs,plagdet,recall,precision,granularity,detections,median_ms"]
    for title, para in modes:
        res = run_train(args.sample, seed=args.seed, subs=subs, paraphrase=para)
        text = table(res, f"{title} ({'all pairs' if args.sample is None else f'sample of {args.sample} per sub-corpus'})")
        print(text)
        md.append(text)
        csv.extend(_csv_rows(res, "paraphrase" if para else "verbatim"))
    if args.write:
        from overlap.outputs import atomic_write_text as write_text

        head = ("# PAN-13 text-alignment training corpus (official gold, macro PAN measures)\n\n"
                "`python -m benchmarks.quality.pan13_train --both --write`; one detection per passage of "
                "`overlap.compare(susp, src)`. Time: compare only, one process, shared machine.\n\n")
        write_text(RESULTS_DIR / "quality_pan13_train.md", head + "\n".join(md))
        write_text(RESULTS_DIR / "quality_pan13_train.csv", "\n".join(csv) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
