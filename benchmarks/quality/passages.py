"""Short shared passages in news: what the minimum passage length (``min_tokens``) costs.

PAN-13 cases are long (45+ words), so its ``min_tokens`` sweep only shows the precision
side.  News reuses single sentences, often 15-25 words, so this module measures the
recall side:

- ``real_passages(clusters, min_tokens)``: passages ``overlap.compare`` finds between the
  706 same-event VietnameseMDS pairs (real reuse between outlets).
- ``random_pairs(n, seed)``: unrelated Baomoi pairs, where any passage is spurious.
- ``injected_cases(n, seed)``: one sentence (10-30 tokens) of a Baomoi article inserted,
  unchanged, at a sentence boundary of an unrelated Baomoi article;
  ``found(case, min_tokens)`` says whether ``compare`` reports a passage covering at
  least half of the inserted sentence.

Cost: one ``compare`` per pair and setting; ``section`` runs about 5 x (706 + 300).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.quality import data_dir, missing_reason

__all__ = ["BUCKETS", "Injected", "MIN_TOKENS", "found", "injected_cases", "random_pairs", "real_passages", "section"]

MIN_TOKENS = (10, 12, 15, 20, 25)
BUCKETS = ((10, 14), (15, 19), (20, 25), (26, 30))


@dataclass(frozen=True, slots=True)
class Injected:
    """``host`` with ``sentence`` inserted at ``start``; ``source`` is the article it came from."""

    source: str
    host: str
    start: int
    end: int
    tokens: int


def _sample_baomoi(k: int, lo: int, hi: int, rng: random.Random) -> list[str]:
    """Up to ``k`` Baomoi articles drawn with ``rng``, kept when ``lo <= len <= hi`` characters."""
    root = data_dir("baomoi")
    if root is None:
        raise FileNotFoundError("baomoi data not found")
    files = sorted(root.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in rng.sample(files, min(len(files), k))]
    return [t for t in texts if lo <= len(t) <= hi]


def injected_cases(n: int, seed: int = 0) -> list[Injected]:
    """``n`` hosts, each with one sentence of 10-30 tokens from another article inserted."""
    from overlap.segment import sentences
    from overlap.shingle import tokenize

    rng = random.Random(seed)
    texts = _sample_baomoi(6 * n, 800, 6000, rng)
    out: list[Injected] = []
    per_bucket = {b: 0 for b in BUCKETS}
    i = 0
    while len(out) < n and i + 1 < len(texts):
        src, host = texts[i], texts[i + 1]
        i += 2
        cands = []
        for s in sentences(src):
            ntok = len(tokenize(src[s.start : s.end]))
            b = next((b for b in BUCKETS if b[0] <= ntok <= b[1]), None)
            if b is not None:
                cands.append((per_bucket[b], rng.random(), s, ntok, b))
        if not cands:
            continue
        _, _, s, ntok, b = min(cands)  # fill the emptiest length bucket first
        per_bucket[b] += 1
        cuts = [x.end for x in sentences(host)][:-1] or [len(host)]
        at = rng.choice(cuts)
        piece = " " + src[s.start : s.end].strip() + " "
        out.append(Injected(src, host[:at] + piece + host[at:], at + 1, at + len(piece) - 1, ntok))
    return out


def found(case: Injected, **options: Any) -> bool:
    """Whether ``compare(source, host)`` has a passage covering half the inserted sentence."""
    import overlap

    c = overlap.compare(case.source, case.host, **options)
    need = (case.end - case.start) / 2
    return any(min(p.b.end, case.end) - max(p.b.start, case.start) >= need for p in c.passages)


def random_pairs(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` pairs of different Baomoi articles (600-6000 characters), seeded."""
    texts = _sample_baomoi(3 * n, 600, 6000, random.Random(seed))[: 2 * n]
    return [(texts[i], texts[i + 1]) for i in range(0, len(texts) - 1, 2)]


def real_passages(clusters: dict[str, dict[str, str]], **options: Any) -> tuple[int, int, int]:
    """``(pairs, pairs with a passage, passages)`` over all same-event pairs."""
    from benchmarks.quality.mds import same_event_comparisons

    comps = same_event_comparisons(clusters, **options)
    return len(comps), sum(1 for c in comps.values() if c.passages), sum(len(c.passages) for c in comps.values())


def section(quick: bool, out: Path, facts: dict | None = None, pan_rows: Sequence[Any] = ()) -> list[str]:
    """The min_tokens sweep on news (recall side), with the PAN precision side if given."""
    from benchmarks.quality.mds import load_clusters
    from benchmarks.quality.run import _write_csv

    facts = {} if facts is None else facts
    head = ["### Sweep: minimum passage length (`min_tokens`) on news: the recall side", ""]
    if data_dir("baomoi") is None or data_dir("vietnamese_mds") is None:
        return head + [f"Skipped: {missing_reason('baomoi')} or vietnamese_mds.", ""]
    clusters = load_clusters()
    cases = injected_cases(60 if quick else 240, seed=0)
    randoms = random_pairs(100 if quick else 400, seed=1)
    pan = {r[0]: r for r in pan_rows}
    lines = head + [
        f"Real: passages `compare` finds between the same-event VietnameseMDS pairs. Injected: {len(cases)} "
        "unrelated Baomoi pairs, one sentence of the first inserted unchanged into the second (seed 0); "
        "found = a passage covers at least half of it. Unrelated: random pairs of different Baomoi articles "
        "(seed 1), where any passage is spurious (or shared boilerplate). Tokens are Vietnamese syllables / words. "
        "PAN columns: the PAN-13 sweep above (precision side).",
        "",
        "| min_tokens | same-event pairs with a passage | passages | unrelated pairs with a passage | "
        + " | ".join(f"injected {lo}-{hi} tokens" for lo, hi in BUCKETS)
        + " | PAN precision | PAN plagdet |",
        "|---|---|---|---|" + "---|" * (len(BUCKETS) + 2),
    ]
    rows = []
    for mt in MIN_TOKENS:
        n, with_p, npass = real_passages(clusters, min_tokens=mt)
        import overlap

        spurious = sum(1 for a, b in randoms if overlap.compare(a, b, min_tokens=mt).passages)
        hits = {b: [0, 0] for b in BUCKETS}
        for c in cases:
            b = next(b for b in BUCKETS if b[0] <= c.tokens <= b[1])
            hits[b][1] += 1
            hits[b][0] += found(c, min_tokens=mt)
        rates = [h / t if t else float("nan") for h, t in hits.values()]
        p = pan.get(mt)
        pan_cols = f"{p[2]:.3f} | {p[1]:.3f}" if p else "- | -"
        bold = "**" if mt == 15 else ""
        lines.append(
            f"| {bold}{mt}{bold} | {with_p} of {n} | {npass} | {spurious} of {len(randoms)} | "
            + " | ".join(f"{r:.2f} ({hits[b][1]})" for r, b in zip(rates, BUCKETS)) + f" | {pan_cols} |"
        )
        rows.append([mt, with_p, npass, spurious, *[round(r, 4) for r in rates]])
        facts.setdefault("min_tokens", {})[mt] = (with_p, n, npass, rates, spurious, len(randoms))
    _write_csv(out / "quality_min_tokens.csv",
               ["min_tokens", "same_event_pairs_with_passage", "passages", "unrelated_pairs_with_passage", *[f"injected_{lo}_{hi}" for lo, hi in BUCKETS]], rows)
    lines.append("")
    return lines


if __name__ == "__main__":
    import sys

    from benchmarks.quality import RESULTS_DIR

    print("\n".join(section("--quick" in sys.argv, RESULTS_DIR)))
