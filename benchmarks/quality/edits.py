"""Near-duplicates under edits: recall on synthetic copies, false positives on real pairs.

Copies of real Baomoi articles are made with

- word edits at rates 1%-30% (each word, with probability ``rate``, is substituted by
  another word of the article, deleted, or followed by an inserted word: one third each);
- paragraph reordering (lines shuffled), truncation (first 70% / 50% of lines kept),
  boilerplate added (a hand-written block of outlet furniture, ~10% of the length)
  or removed (title line and last line dropped).

For each variant: the share of copies ``overlap.compare`` calls near-duplicates, the
mean Jaccard, and the mean share of the original covered by shared passages.  False
positives: random pairs of different Baomoi articles and the same-event VietnameseMDS
pairs (different outlets, same story, not copies), counted as near-duplicates or as
sharing a passage.

Cost: one ``compare`` per copy or pair; ``section(quick=False)`` runs about 2,500.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.quality import data_dir, missing_reason

__all__ = ["RATES", "VARIANTS", "edit_words", "make_variant", "section"]

RATES = (0.01, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30)
_BOILERPLATE = (
    "Mời quý độc giả theo dõi các tin tức mới nhất trên trang của chúng tôi.\n"
    "Xem thêm: Những tin tức nổi bật trong ngày được nhiều người quan tâm.\n"
    "Bạn đọc có thể gửi ý kiến, bình luận về bài viết qua hộp thư của tòa soạn.\n"
    "Bản quyền thuộc về tòa soạn. Không sao chép khi chưa được phép.\n"
)
_WORD = re.compile(r"\S+")


def edit_words(text: str, rate: float, rng: random.Random) -> str:
    """Substitute, delete or insert words at ``rate`` per word (one third each)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    vocab = [text[s:e] for s, e in words] or ["x"]
    out: list[str] = []
    pos = 0
    for s, e in words:
        out.append(text[pos:s])
        pos = e
        if rng.random() >= rate:
            out.append(text[s:e])
            continue
        op = rng.randrange(3)
        if op == 0:
            out.append(rng.choice(vocab))
        elif op == 1:
            continue
        else:
            out.append(text[s:e] + " " + rng.choice(vocab))
    out.append(text[pos:])
    return "".join(out)


def _lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n") if ln.strip()]


VARIANTS: dict[str, Callable[[str, random.Random], str]] = {
    "reorder paragraphs": lambda t, r: "\n".join(r.sample(_lines(t), len(_lines(t)))),
    "truncate to 70%": lambda t, r: "\n".join(_lines(t)[: max(1, round(len(_lines(t)) * 0.7))]),
    "truncate to 50%": lambda t, r: "\n".join(_lines(t)[: max(1, round(len(_lines(t)) * 0.5))]),
    "add boilerplate": lambda t, r: t.rstrip("\n") + "\n" + _BOILERPLATE,
    "remove title and last line": lambda t, r: "\n".join(_lines(t)[1:-1]),
}


def make_variant(text: str, name: str, rng: random.Random) -> str:
    """The named structural variant of ``text``."""
    if name not in VARIANTS:
        raise ValueError(f"unknown variant {name!r}; expected one of {sorted(VARIANTS)}")
    return VARIANTS[name](text, rng)


SHINGLE_SIZES = (3, 4, 5, 7)


@dataclass(frozen=True, slots=True)
class Row:
    """One kind of pair: rates and means, and per pair the numbers the sweeps need.

    ``jaccards``: ``compare``'s shingle Jaccard; ``coverages``: the share of the *less*
    covered side inside shared passages (the near-duplicate coverage rule uses it);
    ``by_k``: exact Jaccard of ``k``-token shingles for each ``SHINGLE_SIZES`` entry.
    """

    name: str
    n: int
    near_duplicate: float
    jaccard: float
    coverage: float
    jaccards: tuple[float, ...] = ()
    coverages: tuple[float, ...] = ()
    by_k: dict[int, tuple[float, ...]] = field(default_factory=dict)


_SPACE = re.compile(r"\s+")


def min_coverage(a: str, b: str, comparison: object) -> float:
    """Share of the less covered text's non-space characters inside shared passages.

    The same measure as ``CompareOptions.duplicate_coverage`` (overlaps counted once)
    when ``comparison`` holds verbatim passages only (``paraphrase=False``).
    """

    def cov(text: str, spans: list[tuple[int, int]]) -> float:
        total = len(_SPACE.sub("", text))
        if not spans or total == 0:
            return 0.0
        covered, end = 0, -1
        for s, e in sorted(spans):
            lo = max(s, end)
            if e > lo:
                covered += len(_SPACE.sub("", text[lo:e]))
                end = e
        return covered / total

    ps = comparison.passages  # type: ignore[attr-defined]
    return min(cov(a, [(p.a.start, p.a.end) for p in ps]), cov(b, [(p.b.start, p.b.end) for p in ps]))


def _jaccard_k(a: str, b: str, k: int) -> float:
    from overlap.normalization import normalize
    from overlap.shingle import shingle_set

    import numpy as np

    sa, sb = shingle_set(normalize(a).text, k), shingle_set(normalize(b).text, k)
    if len(sa) == 0 or len(sb) == 0:
        return 0.0
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return inter / (len(sa) + len(sb) - inter)


def _measure(name: str, pairs: list[tuple[str, str]], sizes: tuple[int, ...] = SHINGLE_SIZES) -> Row:
    import overlap

    nd = jac = cov = 0.0
    js, cs = [], []
    by_k: dict[int, list[float]] = {k: [] for k in sizes}
    for a, b in pairs:
        c = overlap.compare(a, b)
        nd += c.near_duplicate
        jac += c.similarity.jaccard
        js.append(c.similarity.jaccard)
        # Coverage as the near-duplicate rule counts it: verbatim passages alone (the
        # aligner's, before reworded passages merge with them), i.e. compare's passages
        # without the paraphrase stage.
        v = overlap.compare(a, b, paraphrase=False)
        cs.append(min_coverage(a, b, v))
        cov += min(1.0, v.shared_a / max(1, v.a_length))
        for k in sizes:
            by_k[k].append(_jaccard_k(a, b, k))
    n = max(1, len(pairs))
    return Row(name, len(pairs), nd / n, jac / n, cov / n, tuple(js), tuple(cs), {k: tuple(v) for k, v in by_k.items()})


def _articles(n: int, rng: random.Random) -> list[str]:
    root = data_dir("baomoi")
    files = sorted(root.glob("*.txt")) if root else []
    texts = [f.read_text(encoding="utf-8") for f in files]
    texts = [t for t in texts if 1000 <= len(t) <= 6000 and len(_lines(t)) >= 4]
    return rng.sample(texts, min(n, len(texts)))


def section(quick: bool, out: Path, facts: dict | None = None) -> list[str]:
    """The markdown section for ``run.py`` (also writes ``quality_edits.csv``); sweeps of the
    near-duplicate rule and the shingle size record their figures in ``facts``."""
    facts = {} if facts is None else facts
    from benchmarks.quality.run import _write_csv

    if data_dir("baomoi") is None:
        return ["## 5. Near-duplicates under edits", "", f"Skipped: {missing_reason('baomoi')}.", ""]
    rng = random.Random(0)
    docs = _articles(40 if quick else 150, rng)
    rows = [_measure(f"word edits {r:.0%}", [(d, edit_words(d, r, rng)) for d in docs]) for r in RATES]
    rows += [_measure(v, [(d, make_variant(d, v, rng)) for d in docs]) for v in VARIANTS]
    # False positives: random pairs of different articles, and same-event pairs.
    others = _articles(400 if quick else 2000, random.Random(1))
    random_pairs = [(others[i], others[i + 1]) for i in range(0, len(others) - 1, 2)]
    negatives = [_measure("random Baomoi pairs", random_pairs)]
    mds = data_dir("vietnamese_mds")
    if mds is not None:
        same_event = []
        for d in sorted(mds.glob("cluster_*")):
            bodies = [f.read_text(encoding="utf-8") for f in sorted(d.glob("*.body.txt"))]
            same_event += list(itertools.combinations(bodies, 2))
        negatives.append(_measure("same-event VietnameseMDS pairs", same_event[: 150 if quick else None]))
    _write_csv(
        out / "quality_edits.csv",
        ["variant", "n", "near_duplicate_rate", "mean_jaccard", "mean_coverage"],
        [[r.name, r.n, round(r.near_duplicate, 4), round(r.jaccard, 4), round(r.coverage, 4)] for r in rows + negatives],
    )
    lines = [
        "## 5. Near-duplicates under edits",
        "",
        f"{len(docs)} Baomoi articles (1,000-6,000 chars, seed 0), each copied with the edit below; "
        "`near-dup` = share of copies `compare` calls near-duplicates (default rule: Jaccard >= "
        "0.5 of 5-word shingles, or verbatim passages cover >= 0.8 of both texts), `coverage` = share of the "
        "original inside verbatim passages (the token aligner's; reworded passages do not count toward the "
        "rule).",
        "",
        "| copy | n | near-dup recall | mean Jaccard | mean coverage |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.name} | {r.n} | {r.near_duplicate:.3f} | {r.jaccard:.3f} | {r.coverage:.3f} |" for r in rows]
    lines += [
        "",
        "False positives on real pairs that are not copies:",
        "",
        "| pairs | n | called near-dup | mean Jaccard | mean coverage |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.name} | {r.n} | {r.near_duplicate:.4f} | {r.jaccard:.4f} | {r.coverage:.4f} |" for r in negatives]
    thresholds = (0.2, 0.3, 0.4, 0.5, 0.6)
    lines += [
        "",
        "Near-duplicate threshold sweep (share of pairs with Jaccard >= t; the top rows are recall, "
        "the bottom rows false positives):",
        "",
        "| pairs | " + " | ".join(f"t={t}" for t in thresholds) + " | max Jaccard |",
        "|---|" + "---|" * (len(thresholds) + 1),
    ]
    for r in rows + negatives:
        rates = [sum(j >= t for j in r.jaccards) / max(1, len(r.jaccards)) for t in thresholds]
        lines.append(f"| {r.name} | " + " | ".join(f"{x:.3f}" for x in rates) + f" | {max(r.jaccards, default=0):.3f} |")
    lines.append("")
    lines += _rule_sweep(rows, negatives, facts)
    lines += _shingle_sweep(rows, negatives, facts)
    return lines


def _rate(row: Row, t: float, c: float | None, k: int | None = None) -> float:
    js = row.by_k[k] if k is not None else row.jaccards
    hits = sum(1 for j, cv in zip(js, row.coverages) if j >= t or (c is not None and cv >= c))
    return hits / max(1, len(js))


def _rule_sweep(rows: list[Row], negatives: list[Row], facts: dict) -> list[str]:
    """(b) Near-duplicate rule: Jaccard threshold, with and without the coverage rule."""
    by = {r.name: r for r in rows + negatives}
    cols = ["word edits 10%", "word edits 20%", "word edits 30%", "truncate to 50%"]
    neg = [r.name for r in negatives]
    lines = [
        "### Sweep: the near-duplicate rule (`CompareOptions.near_duplicate`, `duplicate_coverage`)",
        "",
        "Near-duplicate when Jaccard >= t, or (with a coverage rule c) when shared passages cover >= c of both "
        "texts. Recall on the edited copies above; false positives on real pairs that are not copies (share "
        "of pairs called near-duplicates).",
        "",
        "| t | coverage c | " + " | ".join(cols) + " | all copies | " + " | ".join(f"FP {n}" for n in neg) + " |",
        "|---|---|" + "---|" * (len(cols) + 1 + len(neg)),
    ]
    out = {}
    for c in (None, 0.7, 0.8, 0.9):
        for t in (0.3, 0.4, 0.5, 0.6):
            rec = [_rate(by[n], t, c) for n in cols if n in by]
            allc = sum(_rate(r, t, c) * r.n for r in rows) / max(1, sum(r.n for r in rows))
            fps = [_rate(by[n], t, c) for n in neg]
            out[(t, c)] = (rec, allc, fps)
            bold = "**" if (t, c) == (0.5, 0.8) else ""
            lines.append(
                f"| {bold}{t}{bold} | {bold}{c if c is not None else '-'}{bold} | " + " | ".join(f"{x:.3f}" for x in rec)
                + f" | {allc:.3f} | " + " | ".join(f"{x:.4f}" for x in fps) + " |"
            )
    facts["nd_rule"] = out
    facts["nd_rule_cols"] = (cols, neg)
    facts["nd_max_negative_coverage"] = {n: max(by[n].coverages, default=0.0) for n in neg}
    lines += [
        "",
        "Highest coverage (of the less covered side) of any non-copy pair: "
        + ", ".join(f"{n} {max(by[n].coverages, default=0.0):.3f}" for n in neg)
        + "; a coverage rule must stay above it.",
    ]
    lines.append("")
    return lines


def _shingle_sweep(rows: list[Row], negatives: list[Row], facts: dict) -> list[str]:
    """(c) Shingle size: Jaccard-only near-duplicate recall under edits vs false positives."""
    by = {r.name: r for r in rows + negatives}
    cols = ["word edits 5%", "word edits 10%", "word edits 15%", "truncate to 50%"]
    neg = [r.name for r in negatives]
    lines = [
        "### Sweep: shingle size (`shingle_size`) for the Jaccard rule",
        "",
        "Exact Jaccard of k-token shingles (no coverage rule, which does not depend on k); share of pairs at or "
        "above t. Max FP Jaccard = the highest Jaccard of any non-copy pair: a threshold must stay above it.",
        "",
        "| k | t | " + " | ".join(cols) + " | " + " | ".join(f"FP {n}" for n in neg)
        + " | " + " | ".join(f"max Jaccard {n}" for n in neg) + " |",
        "|---|---|" + "---|" * (len(cols) + 2 * len(neg)),
    ]
    out = {}
    for k in SHINGLE_SIZES:
        for t in (0.3, 0.4, 0.5):
            rec = [_rate(by[n], t, None, k) for n in cols if n in by]
            fps = [_rate(by[n], t, None, k) for n in neg]
            mx = [max(by[n].by_k[k], default=0.0) for n in neg]
            out[(k, t)] = (rec, fps, mx)
            lines.append(
                f"| {k} | {t} | " + " | ".join(f"{x:.3f}" for x in rec) + " | " + " | ".join(f"{x:.4f}" for x in fps)
                + " | " + " | ".join(f"{x:.3f}" for x in mx) + " |"
            )
    facts["shingle"] = out
    facts["shingle_cols"] = (cols, neg)
    lines.append("")
    return lines


if __name__ == "__main__":
    import sys

    from benchmarks.quality import RESULTS_DIR

    print("\n".join(section("--quick" in sys.argv, RESULTS_DIR)))
