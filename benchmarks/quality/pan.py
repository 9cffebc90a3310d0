"""PAN text-alignment measures and the PAN-13 runner.

Measures (Potthast, Stein, Barrón-Cedeño, Rosso, "An Evaluation Framework for Plagiarism
Detection", COLING 2010), as the official PAN evaluator implements them:

- ``Annotation(this_ref, this_start, this_end, source_ref, source_start, source_end)``:
  one plagiarism case or detection; half-open character ranges in the suspicious
  ("this") and source document.
- ``detects(case, det) -> bool``: the same document pair, overlapping on *both* sides.
- ``macro_recall(cases, dets)``: mean over cases of the fraction of the case's characters
  (suspicious + source side) covered by the detections that detect it.
- ``macro_precision(cases, dets)``: the same with the roles swapped.
- ``micro_recall`` / ``micro_precision``: ``|U (s ⊓ r)| / |U s|`` and ``/ |U r|``, over
  the union of characters of all cases or detections (s ⊓ r = s ∩ r when r detects s).
- ``granularity(cases, dets)``: mean number of detections per *detected* case (>= 1).
- ``plagdet(recall, precision, granularity)``: F1 / log2(1 + granularity).
- ``evaluate(cases, dets) -> Scores``: all of the above.

PAN XML: ``read_annotations(path, name="plagiarism")`` and ``write_detections(path, ...)``.

Runner: ``run_pan(limit=None)`` aligns every pair of ``../shared/data/pan13/`` (the
"02-no-obfuscation" subset, 245 pairs, re-aligned gold) with ``overlap.compare``; the
suspicious document is ``a`` and the source ``b``, and each shared passage is one
detection.  ``difflib_detect`` is the plain difflib baseline the issue quotes.

Cost: the measures are interval arithmetic, O((cases + detections)^2) per document pair,
negligible next to alignment.
"""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.quality import data_dir

__all__ = [
    "Annotation",
    "PairResult",
    "PanResult",
    "Scores",
    "detects",
    "difflib_detect",
    "evaluate",
    "granularity",
    "load_pairs",
    "macro_precision",
    "macro_recall",
    "micro_precision",
    "micro_recall",
    "overlap_detect",
    "plagdet",
    "read_annotations",
    "read_text",
    "run_pan",
    "write_detections",
]


@dataclass(frozen=True, slots=True)
class Annotation:
    """A plagiarism case or detection: ``this[this_start:this_end]`` reuses
    ``source[source_start:source_end]``."""

    this_ref: str
    this_start: int
    this_end: int
    source_ref: str
    source_start: int
    source_end: int

    def __post_init__(self) -> None:
        if not (0 <= self.this_start <= self.this_end and 0 <= self.source_start <= self.source_end):
            raise ValueError(f"annotation ranges must satisfy 0 <= start <= end: {self!r}")

    @property
    def size(self) -> int:
        """Characters on both sides: what the measures count."""
        return (self.this_end - self.this_start) + (self.source_end - self.source_start)

    def to_dict(self) -> dict[str, object]:
        return {
            "this_reference": self.this_ref,
            "this_offset": self.this_start,
            "this_length": self.this_end - self.this_start,
            "source_reference": self.source_ref,
            "source_offset": self.source_start,
            "source_length": self.source_end - self.source_start,
        }


# --- interval helpers -------------------------------------------------------------


def _union(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge half-open intervals into disjoint sorted ones (empty ones dropped)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _length(intervals: Iterable[tuple[int, int]]) -> int:
    return sum(e - s for s, e in _union(intervals))


def _clip(interval: tuple[int, int], to: tuple[int, int]) -> tuple[int, int]:
    s, e = max(interval[0], to[0]), min(interval[1], to[1])
    return (s, e) if e > s else (s, s)


def detects(case: Annotation, det: Annotation) -> bool:
    """True when ``det`` detects ``case``: same documents, overlapping on both sides."""
    return (
        case.this_ref == det.this_ref
        and case.source_ref == det.source_ref
        and det.this_end > case.this_start
        and det.this_start < case.this_end
        and det.source_end > case.source_start
        and det.source_start < case.source_end
    )


def _by_pair(anns: Iterable[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    index: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in anns:
        index[(a.this_ref, a.source_ref)].append(a)
    return index


def _covered(case: Annotation, dets: Sequence[Annotation]) -> int:
    """Characters of ``case`` (both sides) inside the detections that detect it."""
    hits = [d for d in dets if detects(case, d)]
    this = _length(_clip((d.this_start, d.this_end), (case.this_start, case.this_end)) for d in hits)
    src = _length(_clip((d.source_start, d.source_end), (case.source_start, case.source_end)) for d in hits)
    return this + src


# --- the measures -----------------------------------------------------------------


def macro_recall(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> float:
    """Mean over cases of covered characters / case characters (both sides).

    Conventions of the official evaluator: 1.0 when both lists are empty, 0.0 when
    only one is.  A zero-length case cannot be detected (nothing overlaps it) and scores 0.
    """
    if not cases and not dets:
        return 1.0
    if not cases or not dets:
        return 0.0
    index = _by_pair(dets)
    total = 0.0
    for case in cases:
        if case.size:
            total += _covered(case, index.get((case.this_ref, case.source_ref), ())) / case.size
    return total / len(cases)


def macro_precision(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> float:
    """Mean over detections of the fraction of their characters inside cases they detect."""
    return macro_recall(dets, cases)


def _chars(anns: Iterable[Annotation]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Character intervals per (side, document): the 'references' of the paper."""
    out: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for a in anns:
        out[("this", a.this_ref)].append((a.this_start, a.this_end))
        out[("source", a.source_ref)].append((a.source_start, a.source_end))
    return out


def _total(chars: dict[tuple[str, str], list[tuple[int, int]]]) -> int:
    return sum(_length(v) for v in chars.values())


def _meet(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> int:
    """|U_{s,r} (s ⊓ r)|: characters shared by a case and a detection that detects it."""
    parts: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    index = _by_pair(dets)
    for s in cases:
        for r in index.get((s.this_ref, s.source_ref), ()):
            if detects(s, r):
                parts[("this", s.this_ref)].append(_clip((r.this_start, r.this_end), (s.this_start, s.this_end)))
                parts[("source", s.source_ref)].append(
                    _clip((r.source_start, r.source_end), (s.source_start, s.source_end))
                )
    return _total(parts)


def micro_recall(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> float:
    """``|U (s ⊓ r)| / |U s|`` over characters of both sides; 1.0 if both empty, 0.0 if one is."""
    if not cases and not dets:
        return 1.0
    denom = _total(_chars(cases))
    if not cases or not dets or denom == 0:
        return 0.0
    return _meet(cases, dets) / denom


def micro_precision(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> float:
    """``|U (s ⊓ r)| / |U r|`` over characters of both sides; 1.0 if both empty, 0.0 if one is."""
    if not cases and not dets:
        return 1.0
    denom = _total(_chars(dets))
    if not cases or not dets or denom == 0:
        return 0.0
    return _meet(cases, dets) / denom


def granularity(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> float:
    """Mean number of detections per detected case; 1.0 when no case is detected."""
    index = _by_pair(dets)
    counts = [sum(detects(s, r) for r in index.get((s.this_ref, s.source_ref), ())) for s in cases]
    detected = [c for c in counts if c > 0]
    return sum(detected) / len(detected) if detected else 1.0


def plagdet(recall: float, precision: float, gran: float) -> float:
    """F1 of precision and recall divided by log2(1 + granularity); 0.0 when F1 is 0."""
    if recall <= 0 or precision <= 0 or gran < 1:
        return 0.0
    f1 = 2 * recall * precision / (recall + precision)
    return f1 / math.log2(1 + gran)


@dataclass(frozen=True, slots=True)
class Scores:
    """PAN measures of one set of detections against one set of cases."""

    recall: float
    precision: float
    granularity: float
    plagdet: float
    micro_recall: float
    micro_precision: float
    micro_plagdet: float
    cases: int
    detections: int

    def to_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in _fields(self).items()}


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def evaluate(cases: Sequence[Annotation], dets: Sequence[Annotation]) -> Scores:
    """All PAN measures; ``recall``/``precision``/``plagdet`` are macro-averaged as in the
    official PAN evaluator, the ``micro_*`` fields are the character-union variants."""
    cases, dets = list(cases), list(dets)
    rec, prec, gran = macro_recall(cases, dets), macro_precision(cases, dets), granularity(cases, dets)
    mrec, mprec = micro_recall(cases, dets), micro_precision(cases, dets)
    return Scores(
        rec, prec, gran, plagdet(rec, prec, gran), mrec, mprec, plagdet(mrec, mprec, gran), len(cases), len(dets)
    )


# --- PAN XML ----------------------------------------------------------------------


def read_annotations(path: str | Path, name: str = "plagiarism") -> list[Annotation]:
    """The ``<feature name=...>`` elements of a PAN XML file with source references."""
    root = ET.parse(path).getroot()
    this_ref = root.get("reference", "")
    out = []
    for node in root.iter("feature"):
        if node.get("name") != name or node.get("source_reference") is None:
            continue
        t_off, t_len = int(node.get("this_offset", 0)), int(node.get("this_length", 0))
        s_off, s_len = int(node.get("source_offset", 0)), int(node.get("source_length", 0))
        out.append(Annotation(this_ref, t_off, t_off + t_len, node.get("source_reference", ""), s_off, s_off + s_len))
    return out


def write_detections(path: str | Path, this_ref: str, detections: Iterable[Annotation]) -> None:
    """Write detections for one suspicious document in PAN's XML format
    (``<feature name="detected-plagiarism" .../>``), readable by the official evaluator."""
    root = ET.Element("document", reference=this_ref)
    for d in detections:
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(d.this_start),
            this_length=str(d.this_end - d.this_start),
            source_reference=d.source_ref,
            source_offset=str(d.source_start),
            source_length=str(d.source_end - d.source_start),
        )
    ET.indent(root)
    Path(path).write_text(ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")


# --- detectors --------------------------------------------------------------------


def read_text(path: Path) -> str:
    """PAN text as UTF-8 with newlines untouched (offsets count '\\r' if present)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def overlap_detect(susp: str, src: str, this_ref: str, source_ref: str, **options: object) -> list[Annotation]:
    """Detections by ``overlap.compare(susp, src)``: one per shared passage."""
    import overlap

    comparison = overlap.compare(susp, src, **options)
    return [
        Annotation(this_ref, p.a.start, p.a.end, source_ref, p.b.start, p.b.end) for p in comparison.passages
    ]


def difflib_detect(
    susp: str, src: str, this_ref: str, source_ref: str, *, min_block: int = 50, max_gap: int = 100
) -> list[Annotation]:
    """The issue's baseline: difflib character matching blocks of >= ``min_block``
    characters, merged when the gaps on both sides are under ``max_gap``.  Slow
    (seconds per pair: difflib is quadratic on long texts with autojunk off)."""
    import difflib

    matcher = difflib.SequenceMatcher(None, susp, src, autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size >= min_block]
    merged: list[list[int]] = []
    for m in blocks:
        if merged and m.a - merged[-1][1] < max_gap and 0 <= m.b - merged[-1][3] < max_gap:
            merged[-1][1] = m.a + m.size
            merged[-1][3] = m.b + m.size
        else:
            merged.append([m.a, m.a + m.size, m.b, m.b + m.size])
    return [Annotation(this_ref, a0, a1, source_ref, b0, b1) for a0, a1, b0, b1 in merged]


# --- runner -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairResult:
    """One PAN pair: its cases, detections, scores and best-of-N alignment time."""

    susp: str
    src: str
    cases: tuple[Annotation, ...]
    detections: tuple[Annotation, ...]
    scores: Scores
    seconds: float


@dataclass(frozen=True, slots=True)
class PanResult:
    """Corpus-level scores (all cases and detections pooled) and the per-pair results."""

    scores: Scores
    pairs: tuple[PairResult, ...] = field(default=())

    @property
    def mean_seconds(self) -> float:
        return sum(p.seconds for p in self.pairs) / max(1, len(self.pairs))

    @property
    def median_seconds(self) -> float:
        t = sorted(p.seconds for p in self.pairs)
        return t[len(t) // 2] if t else 0.0


def load_pairs(root: Path | None = None, limit: int | None = None) -> list[tuple[str, str]]:
    """``(susp, src)`` file names from ``pan13/pairs``, in file order (first ``limit``)."""
    root = root or data_dir("pan13")
    if root is None:
        raise FileNotFoundError("pan13 data not found")
    pairs = [tuple(line.split()) for line in (root / "pairs").read_text().splitlines() if line.strip()]
    return [(p[0], p[1]) for p in pairs[:limit]]


Detector = Callable[[str, str, str, str], list[Annotation]]


def run_pan(
    limit: int | None = None,
    *,
    detector: Detector = overlap_detect,
    repeat: int = 1,
    out_dir: Path | None = None,
    root: Path | None = None,
) -> PanResult:
    """Align the first ``limit`` PAN-13 pairs with ``detector`` and score them.

    ``repeat`` > 1 times each pair best-of-N (the machine is shared, so timings are
    noisy).  With ``out_dir``, detections are written there as PAN XML, one file per
    pair, named like the gold files.
    """
    root = root or data_dir("pan13")
    if root is None:
        raise FileNotFoundError("pan13 data not found")
    results = []
    all_cases: list[Annotation] = []
    all_dets: list[Annotation] = []
    for susp, src in load_pairs(root, limit):
        stem = f"{Path(susp).stem}-{Path(src).stem}"
        cases = read_annotations(root / "gold" / f"{stem}.xml")
        a, b = read_text(root / "susp" / susp), read_text(root / "src" / src)
        best = math.inf
        dets: list[Annotation] = []
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            dets = detector(a, b, susp, src)
            best = min(best, time.perf_counter() - t0)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            write_detections(out_dir / f"{stem}.xml", susp, dets)
        results.append(PairResult(susp, src, tuple(cases), tuple(dets), evaluate(cases, dets), best))
        all_cases.extend(cases)
        all_dets.extend(dets)
    return PanResult(evaluate(all_cases, all_dets), tuple(results))


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="PAN-13 no-obfuscation text alignment with overlap")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="best-of-N timing per pair")
    parser.add_argument("--difflib", action="store_true", help="score the difflib baseline instead")
    parser.add_argument("--out", type=Path, default=None, help="write detections as PAN XML here")
    args = parser.parse_args(argv)
    if data_dir("pan13") is None:
        print("skipped: ../shared/data/pan13 not found")
        return 0
    res = run_pan(args.limit, detector=difflib_detect if args.difflib else overlap_detect, repeat=args.repeat,
                  out_dir=args.out)
    s = res.scores
    print(f"pairs={len(res.pairs)} cases={s.cases} detections={s.detections}")
    print(f"plagdet={s.plagdet:.4f} recall={s.recall:.4f} precision={s.precision:.4f} granularity={s.granularity:.4f}")
    print(f"micro: plagdet={s.micro_plagdet:.4f} recall={s.micro_recall:.4f} precision={s.micro_precision:.4f}")
    print(f"time per pair: mean {res.mean_seconds * 1000:.1f} ms, median {res.median_seconds * 1000:.1f} ms "
          f"(best of {args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
