"""Stories and reused passages of ``overlap.scan`` on real news.

``python -m benchmarks.quality.stories`` writes ``benchmarks/results/quality_stories.md``
and ``benchmarks/results/stories_baomoi_sample.csv``.

- **VietnameseMDS** (200 same-event clusters): pairwise precision, recall, F1 and ARI
  of the scan's story clusters against the gold clusters, beside the connected
  components of the same scan's story links (what union-find clustering gave).
- **Baomoi** (3,756 articles, no gold): story count and largest story, the same for
  connected components, and a fixed random sample (``random.Random(SAMPLE_SEED)``) of
  20 stories with 3+ members, each judged by hand from its members' titles and, where
  the titles left doubt, their texts (``JUDGED``: one story or not, with a note).
  The sample is published with ids and titles only (publisher text stays out).
- **Reused passages**: every occurrence of every group (``top_passages=0``) is checked
  against its group's text with ``overlap.reuse.similarity``; the count below
  ``overlap.reuse.MIN_SIMILARITY`` must be 0.

Each part is skipped with its reason when ``../shared/data`` lacks its corpus.
Cost: two scans (about 10 s on a shared 2-core machine).
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.quality import RESULTS_DIR, data_dir, missing_reason
from benchmarks.quality.mds import components, load_clusters, pair_scores, scan_corpus

__all__ = ["JUDGED", "SAMPLE_SEED", "baomoi_documents", "check_reuse", "main", "sample_stories"]

SAMPLE_SEED = 14
SAMPLE_SIZE = 20

# Hand judgements of the sampled Baomoi stories, keyed by the story's first member id:
# (verdict, note).  verdict "one" = every member reports the same story; "mixed" = not.
JUDGED: dict[str, tuple[str, str]] = {
    "21469026": ("one", "kindergarten teacher hits children with a sandal (Hanoi), police summon her"),
    "21473621": ("one", "the Prime Minister's shrimp-industry conference, USD 10 bn export goal"),
    "21469065": ("one", "debate on publicly naming people dressed revealingly"),
    "21478483": ("mixed", "4 on the UK Speaker blocking Trump's address; 21480373 is Trump's MacDill speech against the media"),
    "21471950": ("one", "US-Japan interceptor missile test"),
    "21469383": ("one", "gold buying on the God of Wealth day"),
    "21478590": ("one", "Son Tung M-TP's new MV teaser before Valentine's day"),
    "21471798": ("one", "Ford tests driver-assist technology for busy streets"),
    "21471983": ("mixed", "2 on drone footage of Yen Tu; 21472078 is a travel feature on the pilgrimage (same place, not the same story)"),
    "21473183": ("one", "the same kindergarten abuse case as story 19 (a split, not a mix)"),
    "21473443": ("one", "Hanoi People's Committee meeting of 6 Feb: Hang Day stadium handover and ward loudspeakers (one event, two of its items)"),
    "21472615": ("one", "war veteran assaulted in Chuong My, charges pressed"),
    "21473080": ("one", "HCMC's review of the Tet flower street and lights"),
    "21478113": ("one", "primary-school principal who hid a pupil's broken leg (Nam Trung Yen)"),
    "21472445": ("one", "U23 Vietnam's friendly against Malaysia, coach Huu Thang"),
    "21472482": ("one", "U23 Vietnam's friendly against Malaysia, coach Huu Thang (split from story 169)"),
    "21478003": ("one", "gold shops on the God of Wealth day"),
    "21473938": ("one", "Ha Nam police raid a gambling den"),
    "21474293": ("one", "Samsung Galaxy C5 Pro's global launch"),
    "21473284": ("one", "Ho Ngoc Ha on episode 5 of Hoi ngo danh hai"),
}


def baomoi_documents(root: Path | None = None) -> list[Any]:
    """The Baomoi articles as ``Document`` records (id = file stem), in file-name order."""
    from overlap.records import Document

    root = root or data_dir("baomoi")
    if root is None:
        raise FileNotFoundError(missing_reason("baomoi"))
    return [Document(p.stem, p.read_text(encoding="utf-8"), p.name) for p in sorted(root.glob("*.txt"))]


def _title(text: str, n: int = 90) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= n else line[: n - 1] + "…"


def chained_components(result: Any) -> dict[str, object]:
    """Cluster id per document from connected components of the scan's story links
    (every non-boilerplate linked pair): the union-find clustering stories replace."""
    ids = [d.id for d in result.documents]
    comp = components(ids, [(p.a, p.b) for p in result.pairs if p.link != "boilerplate"])
    return dict(comp)


def _partition(result: Any) -> dict[str, object]:
    where = {m: i for i, c in enumerate(result.story_clusters) for m in c.members}
    return {d.id: where.get(d.id, d.id) for d in result.documents}


def check_reuse(result: Any) -> tuple[int, int, float]:
    """``(occurrences, below the enforced similarity, lowest similarity)`` over all groups."""
    from overlap.reuse import MIN_SIMILARITY, similarity

    total = below = 0
    lowest = 1.0
    for r in result.reused_passages:
        for o in r.occurrences:
            s = similarity(r.text, o.span.of(result.text(o.doc)))
            total += 1
            below += s < MIN_SIMILARITY
            lowest = min(lowest, s)
    return total, below, lowest


def sample_stories(result: Any, k: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[tuple[int, Any]]:
    """A fixed random sample of ``(story number, cluster)`` among stories with 3+ members."""
    eligible = [(n, c) for n, c in enumerate(result.story_clusters, 1) if len(c.members) >= 3]
    rng = random.Random(seed)
    return sorted(rng.sample(eligible, min(k, len(eligible))), key=lambda x: x[0])


def _sizes(part: dict[str, object]) -> list[int]:
    from collections import Counter

    return sorted((v for v in Counter(part.values()).values() if v >= 2), reverse=True)


def section_mds(lines: list[str]) -> None:
    lines += ["## VietnameseMDS: story clustering against same-event gold", ""]
    if data_dir("vietnamese_mds") is None:
        lines += [f"Skipped: {missing_reason('vietnamese_mds')}.", ""]
        return
    clusters = load_clusters()
    t0 = time.perf_counter()
    result = scan_corpus(clusters, top_passages=0)
    secs = time.perf_counter() - t0
    gold: dict[str, object] = {d.id: d.id.split("/")[0] for d in result.documents}
    now, before = pair_scores(gold, _partition(result)), pair_scores(gold, chained_components(result))
    total, below, lowest = check_reuse(result)
    lines += [
        f"{len(result.documents)} articles, scan {secs:.1f} s (2 workers). Pairwise measures over article pairs.",
        "",
        "| clustering | stories | precision | recall | F1 | ARI |",
        "|---|---|---|---|---|---|",
        f"| connected components of the story links (before) | {len(_sizes(chained_components(result)))} | "
        f"{before.precision:.3f} | {before.recall:.3f} | {before.f1:.3f} | {before.ari:.3f} |",
        f"| weighted evidence, average linkage (`overlap.stories`) | {len(result.story_clusters)} | "
        f"**{now.precision:.3f}** | **{now.recall:.3f}** | {now.f1:.3f} | **{now.ari:.3f}** |",
        "| target | | >= 0.95 | >= 0.39 | | >= 0.60 |",
        "",
        f"Reused passages: {len(result.reused_passages)} groups, {total} occurrences, {below} below the enforced "
        f"similarity (lowest {lowest:.3f}).",
        "",
    ]


def section_baomoi(lines: list[str], out: Path) -> None:
    lines += ["## Baomoi: stories without gold", ""]
    if data_dir("baomoi") is None:
        lines += [f"Skipped: {missing_reason('baomoi')}.", ""]
        return
    from overlap.corpus import scan

    docs = baomoi_documents()
    titles = {d.id: _title(d.text) for d in docs}
    t0 = time.perf_counter()
    result = scan(docs, workers=2, top_passages=0)
    secs = time.perf_counter() - t0
    before = _sizes(chained_components(result))
    sizes = [len(c.members) for c in result.story_clusters]
    total, below, lowest = check_reuse(result)
    top = result.reused_passages[0] if result.reused_passages else None
    sample = sample_stories(result)
    rows = []
    judged = one = 0
    for n, c in sample:
        verdict, note = JUDGED.get(c.members[0], ("not judged", ""))
        judged += verdict != "not judged"
        one += verdict == "one"
        rows.append([n, len(c.members), verdict, note, " | ".join(f"{m}: {titles[m]}" for m in c.members)])
    _write_csv(out / "stories_baomoi_sample.csv", ["story", "size", "verdict", "note", "members (id: title)"], rows)
    lines += [
        f"{len(docs):,} articles, scan {secs:.1f} s (2 workers).",
        "",
        "| clustering | stories | largest | stories with 3+ |",
        "|---|---|---|---|",
        f"| connected components of the story links (before) | {len(before)} | {before[0] if before else 0} | "
        f"{sum(s >= 3 for s in before)} |",
        f"| weighted evidence, average linkage | {len(sizes)} | **{max(sizes, default=0)}** | {sum(s >= 3 for s in sizes)} |",
        "| target | | <= 40 | |",
        "",
        f"Hand-judged sample: {SAMPLE_SIZE} stories with 3+ members drawn with `random.Random({SAMPLE_SEED})`; "
        f"**{one} of {judged}** judged are one story (target >= 18 of 20). Members and verdicts: "
        "`benchmarks/results/stories_baomoi_sample.csv` (ids and titles only).",
        "",
        f"Reused passages: {len(result.reused_passages):,} groups, {total:,} occurrences, **{below} below** the "
        f"enforced similarity (lowest {lowest:.3f}); the most reused is in {len(top.docs) if top else 0} documents"
        f"{' (boilerplate)' if top and top.boilerplate else ''}.",
        "",
    ]


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    out = RESULTS_DIR
    lines = ["# Stories and reused passages (`python -m benchmarks.quality.stories`)", ""]
    section_mds(lines)
    section_baomoi(lines, out)
    (out / "quality_stories.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
