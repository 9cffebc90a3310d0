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
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    n: int
    near_duplicate: float
    jaccard: float
    coverage: float
    jaccards: tuple[float, ...] = ()


def _measure(name: str, pairs: list[tuple[str, str]]) -> Row:
    import overlap

    nd = jac = cov = 0.0
    js = []
    for a, b in pairs:
        c = overlap.compare(a, b)
        nd += c.near_duplicate
        jac += c.similarity.jaccard
        js.append(c.similarity.jaccard)
        cov += min(1.0, c.shared_a / max(1, c.a_length))
    n = max(1, len(pairs))
    return Row(name, len(pairs), nd / n, jac / n, cov / n, tuple(js))


def _articles(n: int, rng: random.Random) -> list[str]:
    root = data_dir("baomoi")
    files = sorted(root.glob("*.txt")) if root else []
    texts = [f.read_text(encoding="utf-8") for f in files]
    texts = [t for t in texts if 1000 <= len(t) <= 6000 and len(_lines(t)) >= 4]
    return rng.sample(texts, min(n, len(texts)))


def section(quick: bool, out: Path) -> list[str]:
    """The markdown section for ``run.py`` (also writes ``quality_edits.csv``)."""
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
        "`near-dup` = share of copies `compare` calls near-duplicates (default threshold: Jaccard >= "
        "0.5 of 5-word shingles), `coverage` = share of the original inside shared passages.",
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
    return lines


if __name__ == "__main__":
    import sys

    from benchmarks.quality import RESULTS_DIR

    print("\n".join(section("--quick" in sys.argv, RESULTS_DIR)))
