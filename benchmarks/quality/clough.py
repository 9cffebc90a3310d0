"""Graded reuse on the Clough & Stevenson corpus: do overlap's scores rank cut > light > heavy > non?

- ``load_corpus(root=None) -> list[Answer]``: the 95 answers with their category and
  task, and the 5 Wikipedia sources, decoded as UTF-8 or, failing that, Windows-1252
  (a dozen answers were saved from Word with cp1252 quotes).
- ``score_answers(answers, sources) -> list[Scored]``: ``overlap.compare(answer, source)``
  for each answer; the answer is ``a``.  Scores kept: Jaccard, containment of the answer
  in the source (``containment_a``), the share of the answer covered by verbatim
  passages (``coverage``: the token aligner's, as the near-duplicate rule counts them),
  and by any passage, reworded ones included (``reuse``: how much of the answer was
  taken, however rewritten; it does not grade closeness, so it ranks heavy rewrites
  with light ones).
- ``spearman(x, y)``: rank correlation with average ranks for ties (no SciPy needed).
- ``auc(pos, neg)``: area under the ROC curve by the Mann-Whitney formula; ties count 1/2.
- ``evaluate(scored) -> CloughResult``: per score, the Spearman correlation with the
  grade (non=0, heavy=1, light=2, cut=3), the AUC of "any reuse" vs "non", the mean per
  category and whether the means are in the expected order.

Cost: 95 comparisons of a few hundred words each; well under a second with a fast compare.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.quality import data_dir

__all__ = [
    "GRADES",
    "Answer",
    "CloughResult",
    "Scored",
    "auc",
    "evaluate",
    "load_corpus",
    "main",
    "score_answers",
    "spearman",
]

GRADES = {"non": 0, "heavy": 1, "light": 2, "cut": 3}
SCORES = ("jaccard", "containment", "coverage", "reuse")


@dataclass(frozen=True, slots=True)
class Answer:
    """One short answer: file name, task letter (a-e), category and text."""

    name: str
    task: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class Scored:
    """An answer's scores against its task's source, each in [0, 1]."""

    name: str
    category: str
    jaccard: float
    containment: float
    coverage: float
    reuse: float = 0.0


@dataclass(frozen=True, slots=True)
class CloughResult:
    """Per score name: Spearman rho with the grade, AUC any-reuse vs non, category means."""

    spearman: dict[str, float]
    auc: dict[str, float]
    means: dict[str, dict[str, float]]
    ordered: dict[str, bool]
    n: int


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def load_corpus(root: Path | None = None) -> tuple[list[Answer], dict[str, str]]:
    """The answers (excluding the ``orig`` rows) and the sources keyed by task letter."""
    root = root or data_dir("clough_stevenson")
    if root is None:
        raise FileNotFoundError("clough_stevenson data not found")
    answers = []
    with open(root / "file_information.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["Category"] in GRADES:
                answers.append(Answer(row["File"], row["Task"], row["Category"], _decode(root / row["File"])))
    sources = {t: _decode(root / f"orig_task{t}.txt") for t in "abcde"}
    return answers, sources


def _overlap_scores(answer: str, source: str) -> tuple[float, ...]:
    import overlap

    c = overlap.compare(answer, source)
    v = overlap.compare(answer, source, paraphrase=False)  # verbatim passages alone
    return (c.similarity.jaccard, c.similarity.containment_a, min(1.0, v.shared_a / max(1, v.a_length)),
            min(1.0, c.shared_a / max(1, c.a_length)))


def score_answers(
    answers: Sequence[Answer],
    sources: dict[str, str],
    scorer: Callable[[str, str], tuple[float, ...]] = _overlap_scores,
) -> list[Scored]:
    """Score every answer against its source with ``scorer`` (default: ``overlap.compare``)."""
    return [Scored(a.name, a.category, *scorer(a.text, sources[a.task])) for a in answers]


def _ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=float)
    sx = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sx[j + 1] == sx[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson correlation of the ranks (average ranks for ties).

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 40])
    1.0
    >>> spearman([1, 2, 3], [3, 2, 1])
    -1.0
    """
    rx, ry = _ranks(np.asarray(x, dtype=float)), _ranks(np.asarray(y, dtype=float))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return round(float((rx * ry).sum()) / denom, 12) if denom else 0.0


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """P(score of a random positive > score of a random negative), ties counting 1/2
    (the Mann-Whitney U statistic divided by |pos| * |neg|).

    >>> auc([3, 4], [1, 2])
    1.0
    >>> auc([1, 3], [2, 2])
    0.5
    """
    p, n = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    if len(p) == 0 or len(n) == 0:
        raise ValueError(f"auc needs positives and negatives: got {len(p)} and {len(n)}")
    greater = (p[:, None] > n[None, :]).sum()
    ties = (p[:, None] == n[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(p) * len(n)))


def evaluate(scored: Sequence[Scored]) -> CloughResult:
    """Rank correlation, AUC and per-category means of each score."""
    grade = [GRADES[s.category] for s in scored]
    rho, areas, means, ordered = {}, {}, {}, {}
    for name in SCORES:
        values = [getattr(s, name) for s in scored]
        rho[name] = spearman(values, grade)
        areas[name] = auc([v for v, g in zip(values, grade) if g > 0], [v for v, g in zip(values, grade) if g == 0])
        by_cat = {c: float(np.mean([v for v, s in zip(values, scored) if s.category == c])) for c in GRADES}
        means[name] = by_cat
        ordered[name] = by_cat["cut"] > by_cat["light"] > by_cat["heavy"] > by_cat["non"]
    return CloughResult(rho, areas, means, ordered, len(scored))


def main() -> int:
    if data_dir("clough_stevenson") is None:
        print("skipped: ../shared/data/clough_stevenson not found")
        return 0
    answers, sources = load_corpus()
    res = evaluate(score_answers(answers, sources))
    print(f"n={res.n}")
    for name in SCORES:
        m = res.means[name]
        print(
            f"{name:12s} spearman={res.spearman[name]:.3f} auc={res.auc[name]:.3f} ordered={res.ordered[name]} "
            + " ".join(f"{c}={m[c]:.3f}" for c in ("cut", "light", "heavy", "non"))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
