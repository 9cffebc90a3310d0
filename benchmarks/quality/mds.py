"""Story structure on VietnameseMDS: overlap's story clusters against same-event clusters.

Data: ``../shared/data/vietnamese_mds/``, 200 clusters of 2-5 Baomoi articles (2013) on
the same event from different outlets.  Same event is not the same as copied text, so
the gold is an upper bound on what a copy detector should group.

Method (until ``overlap.scan`` exists; ``predict`` is the one hook to switch):

- Within-cluster: every pair of articles in all 200 clusters goes through
  ``overlap.compare``; this gives recall and the count of same-event pairs that share
  no passage at all.
- Precision and ARI need cross-cluster pairs too: every pair among the articles of a
  seeded sample of clusters (``sample_clusters``, default 40, about 130 articles and
  8,000 pairs) is compared.
- Two levels of "same story": ``near-duplicate`` (``Comparison.near_duplicate``) and
  ``shares a passage`` (at least one passage).  Stories are the connected components of
  that graph; pairwise precision/recall/F1 count article pairs placed together, and ARI
  is Hubert & Arabie's adjusted Rand index of the two partitions.

The conflicts reported between same-event articles are listed for inspection.

Cost: one ``compare`` per pair; about 10k pairs, tens of seconds.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

from benchmarks.quality import data_dir, missing_reason

__all__ = ["ari", "components", "load_clusters", "pair_scores", "section"]


# Hand judgments of the conflicts reported between same-event articles (read in context,
# November 2026 run).  Key: (cluster, a_text, b_text).  "right" = the articles really
# disagree on that detail; "wrong" = same fact in other words, or a misaligned slot.
JUDGED = {
    ("cluster_7", "Mỹ", "Kỳ"): "wrong: Mỹ = Hoa Kỳ (synonym; the name is cut to its last syllable)",
    ("cluster_16", "Shimbun", "Bản"): "wrong: misaligned words",
    ("cluster_16", "Philippines", "Manila"): "wrong: country vs capital for the same government",
    ("cluster_17", "Độ Manmohan Singh", "Độ Manhoman Singh"): "right: Manmohan misspelt Manhoman",
    ("cluster_17", "Singh", "Manmohan"): "wrong: word order of the same name",
    ("cluster_21", "Nam", "SCMP"): "wrong: different source attribution, not a fact",
    ("cluster_33", "Trung", "Indonesia"): "wrong: two different statements aligned (China's vs Indonesia's ministry)",
    ("cluster_39", "Orio", "Orion"): "right: spelling",
    ("cluster_40", "Đài Loan", "Đài Bắc"): "wrong: Taiwan vs Taipei, same government",
    ("cluster_60", "IPP", "Chương"): "wrong: misaligned words",
    ("cluster_60", "ngày 23-24/10, các hoạt", "ngày 23 và 24-10, nhiều hoạt"): "wrong: same dates",
    ("cluster_72", "54 như sau", "58 quy định"): "right: Điều 54 vs Điều 58 (two drafts' numbering)",
    ("cluster_73", "Ngài Mikhailov", "Sergai Mikhailov"): "wrong: title vs first name",
    ("cluster_75", "TP.Hồ Chí Minh", "TPHCM"): "wrong: abbreviation",
    ("cluster_75", "TP", "TPHCM"): "wrong: abbreviation",
    ("cluster_77", "19-22 độ C", "19 - 22 độ"): "wrong: same temperature range, read as a date",
    ("cluster_77", "25-28 độ C", "25 - 28 độ"): "wrong: same temperature range, read as a date",
    ("cluster_77", "2", "3"): "right: wind force 2-3 vs 3",
    ("cluster_78", "Liên Hợp", "Liên Hiệp"): "wrong kind: spelling variant of one name, reported as name",
    ("cluster_79", "Bộ LĐTB", "LĐ-TB"): "wrong: abbreviation variants",
    ("cluster_83", "ngày 2/11 đến ngày 10/11 tới", "ngày 2-10/11 tới"): "wrong: same date range",
    ("cluster_83", "ngày 2-10/11 tới", "ngày 2/11 đến ngày 10/11 tới"): "wrong: same date range",
    ("cluster_93", "Basel Bảng F", "Basel Group F"): "wrong: translation (Bảng = Group)",
    ("cluster_93", "Napoli Bảng G", "Napoli Group G"): "wrong: translation (Bảng = Group)",
    ("cluster_93", "Petersburg Bảng H", "Petersburg Group H"): "wrong: translation (Bảng = Group)",
    ("cluster_94", "là trên 2,8 tỷ", "với số tiền gần 3 tỉ"): "right (borderline): over 2.8 vs nearly 3 billion",
    ("cluster_98", "dự 8/9 giải", "gia 8 trong 9 giải"): "wrong: '8 of 9' read as a date",
    ("cluster_103", "Minh", "Thanh"): "wrong: bylines of two outlets, not a fact",
    ("cluster_110", "SN 1965", "48 tuổi"): "wrong: born 1965 = 48 years old in 2013",
    ("cluster_112", "21 tuổi", "SN 1992"): "wrong: born 1992 = 21 years old in 2013",
    ("cluster_112", "Sơn Kỳ", "Sơn Ky"): "right: spelling",
    ("cluster_112", "1999", "1989"): "right: birth year 1999 vs 1989",
    ("cluster_115", "17 tuổi, ở Hà Nội), là bảo", "SN 1996, nhân viên bảo"): "wrong: born 1996 = 17 in 2013",
    ("cluster_117", "Huyền", "Lê"): "wrong: 'chị Huyền' vs full name 'chị Lê Thị Thanh Huyền'",
    ("cluster_123", "năm 1987 tại", "ngày 5-11-1987 tại"): "wrong: year vs full date, compatible",
    ("cluster_123", "Aslan", "Entertainment"): "wrong: misaligned words",
    ("cluster_123", "một số sáng", "7 bài, là sáng"): "wrong: 'some' vs '7 songs' is not a number conflict",
    ("cluster_126", "201 2", "2012"): "wrong: same year with a typo space",
    ("cluster_128", "Lady Gaga", "Daft Bunk"): "right: a different artist in the same slot",
}


def load_clusters(root: Path | None = None) -> dict[str, dict[str, str]]:
    """``{cluster: {article id: body}}`` for every cluster folder, sorted by number."""
    root = root or data_dir("vietnamese_mds")
    if root is None:
        raise FileNotFoundError("vietnamese_mds data not found")
    out = {}
    for d in sorted(root.glob("cluster_*"), key=lambda p: int(p.name.split("_")[1])):
        out[d.name] = {f.name.split(".")[0]: f.read_text(encoding="utf-8") for f in sorted(d.glob("*.body.txt"))}
    return out


def components(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Connected components by union-find: node -> component id."""
    parent = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    roots: dict[str, int] = {}
    return {n: roots.setdefault(find(n), len(roots)) for n in nodes}


def ari(gold: dict[str, object], pred: dict[str, object]) -> float:
    """Adjusted Rand index of two partitions of the same items (1 = identical, ~0 = chance).

    >>> ari({"a": 0, "b": 0, "c": 1}, {"a": 5, "b": 5, "c": 7})
    1.0
    """
    items = list(gold)
    table: dict[tuple[object, object], int] = defaultdict(int)
    rows: dict[object, int] = defaultdict(int)
    cols: dict[object, int] = defaultdict(int)
    for i in items:
        table[(gold[i], pred[i])] += 1
        rows[gold[i]] += 1
        cols[pred[i]] += 1
    index = sum(comb(v, 2) for v in table.values())
    a, b, n = sum(comb(v, 2) for v in rows.values()), sum(comb(v, 2) for v in cols.values()), comb(len(items), 2)
    expected = a * b / n if n else 0.0
    top = (a + b) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


@dataclass(frozen=True, slots=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    ari: float


def pair_scores(gold: dict[str, object], pred: dict[str, object]) -> PairScores:
    """Pairwise precision/recall/F1 of 'same cluster' decisions, and ARI."""
    items = list(gold)
    tp = fp = fn = 0
    for x, y in itertools.combinations(items, 2):
        g, p = gold[x] == gold[y], pred[x] == pred[y]
        tp += g and p
        fp += p and not g
        fn += g and not p
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return PairScores(prec, rec, f1, ari(gold, pred))


def _compare_pairs(texts: dict[str, str], pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], object]:
    import overlap

    return {(x, y): overlap.compare(texts[x], texts[y]) for x, y in pairs}


def predict(texts: dict[str, str], comparisons: dict[tuple[str, str], object], level: str) -> dict[str, int]:
    """Story id per article at ``level`` ("near-duplicate" or "passage").

    The hook for ``overlap.scan``: once it exists, return its story clusters here instead
    of components of the pairwise graph.
    """
    if level == "near-duplicate":
        edges = [k for k, c in comparisons.items() if c.near_duplicate]  # type: ignore[attr-defined]
    else:
        edges = [k for k, c in comparisons.items() if c.passages]  # type: ignore[attr-defined]
    return components(list(texts), edges)


def section(quick: bool, out: Path) -> list[str]:
    """The markdown section for ``run.py`` (also writes ``quality_mds.csv``)."""
    from benchmarks.quality.run import _short, _write_csv

    if data_dir("vietnamese_mds") is None:
        return ["## 2. Story structure: VietnameseMDS", "", f"Skipped: {missing_reason('vietnamese_mds')}.", ""]
    clusters = load_clusters()
    texts = {f"{c}/{a}": t for c, arts in clusters.items() for a, t in arts.items()}
    gold = {k: k.split("/")[0] for k in texts}
    # Within-cluster pairs, all clusters.
    within = [(x, y) for c, arts in clusters.items() for x, y in itertools.combinations([f"{c}/{a}" for a in arts], 2)]
    comps = _compare_pairs(texts, within)
    no_passage = sum(1 for c in comps.values() if not c.passages)  # type: ignore[attr-defined]
    near = sum(1 for c in comps.values() if c.near_duplicate)  # type: ignore[attr-defined]
    # Sample of clusters with all cross pairs.
    rng = random.Random(0)
    names = list(clusters)
    sample = sorted(rng.sample(names, 15 if quick else 40), key=lambda s: int(s.split("_")[1]))
    s_texts = {k: v for k, v in texts.items() if gold[k] in sample}
    s_pairs = list(itertools.combinations(sorted(s_texts), 2))
    s_comps = {p: comps[p] for p in s_pairs if p in comps}
    s_comps.update(_compare_pairs(s_texts, [p for p in s_pairs if p not in comps]))
    s_gold = {k: gold[k] for k in s_texts}
    lines = [
        "## 2. Story structure: VietnameseMDS (same-event clusters)",
        "",
        f"{len(clusters)} clusters, {len(texts)} articles. `overlap.scan` does not exist yet, so stories are the "
        "connected components of pairwise `overlap.compare` decisions (hook: `benchmarks.quality.mds.predict`). "
        f"All {len(within)} same-event pairs were compared; precision and ARI use every pair among the "
        f"{len(s_texts)} articles of {len(sample)} sampled clusters (seed 0; {len(s_pairs)} pairs).",
        "",
        f"- Same-event pairs that share **no passage at all**: {no_passage} of {len(within)} "
        f"({no_passage / len(within):.1%}); near-duplicates: {near} ({near / len(within):.1%}).",
        "",
        "| level | pairwise precision | recall | F1 | ARI |",
        "|---|---|---|---|---|",
    ]
    rows = []
    for level in ("near-duplicate", "passage"):
        sc = pair_scores(s_gold, predict(s_texts, s_comps, level))
        lines.append(f"| {level} | {sc.precision:.3f} | {sc.recall:.3f} | {sc.f1:.3f} | {sc.ari:.3f} |")
        rows.append([level, round(sc.precision, 4), round(sc.recall, 4), round(sc.f1, 4), round(sc.ari, 4)])
    cross_fp = [(p, c) for p, c in s_comps.items() if c.passages and s_gold[p[0]] != s_gold[p[1]]]  # type: ignore[attr-defined]
    lines += [
        "",
        "For reference, text-dedup's MinHash reaches ARI 0.73 on NEWS-COPY (a copy benchmark, where the gold "
        "*is* copying); here the gold is same event, so recall is bounded by the pairs that share text.",
        "",
        f"Cross-event pairs sharing a passage in the sample: {len(cross_fp)}"
        + (": " + "; ".join(
            f"{x} ~ {y} ({max(len(p.a) for p in c.passages)} chars)" for (x, y), c in cross_fp[:8]  # type: ignore[attr-defined]
        ) if cross_fp else "") + ".",
        "",
    ]
    _write_csv(out / "quality_mds.csv", ["level", "precision", "recall", "f1", "ari"], rows)
    # Conflicts between same-event articles, for inspection.
    reported = [(p, k) for p, c in comps.items() for k in c.conflicts]  # type: ignore[attr-defined]
    by_kind: dict[str, int] = defaultdict(int)
    for _, k in reported:
        by_kind[k.kind] += 1
    lines += [
        "### Conflicts reported between same-event articles",
        "",
        f"{len(reported)} conflicts in {len({p for p, _ in reported})} pairs ("
        + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())) + "). Conflicts are only looked for inside "
        "shared passages, so differing facts in independently written articles are not reported: cluster 1 "
        "(5.000 vs 40.000 protesters) shares no passage between its three articles, and overlap reports nothing there.",
        "",
        "| pair | kind | a | b | judged (by hand, in context) |",
        "|---|---|---|---|---|",
    ]
    verdicts = []
    for (x, y), k in reported[: 40 if not quick else 10]:
        v = JUDGED.get((x.split("/")[0], k.a_text, k.b_text), "not judged")
        verdicts.append(v)
        lines.append(
            f"| {x} ~ {y.split('/')[1]} | {k.kind} | `{_short(k.a_text, 30)}` | `{_short(k.b_text, 30)}` | {v} |"
        )
    right = sum(v.startswith("right") for v in verdicts)
    judged = sum(v != "not judged" for v in verdicts)
    lines += ["", f"Judged right: {right} of {judged} judged reports ({right / max(1, judged):.0%}).", ""]
    return lines


if __name__ == "__main__":
    import sys

    from benchmarks.quality import RESULTS_DIR

    print("\n".join(section("--quick" in sys.argv, RESULTS_DIR)))
