"""Quality regression: a small, fast slice of each quality measure, pinned a bit below the
values measured on that slice when the defaults were chosen (full figures:
benchmarks/results/quality.md, ``python -m benchmarks.quality.run``).

A change that makes alignment, conflicts, similarity, near-duplicate detection or story
clustering worse on real text fails here.  Each test needs ../shared/data and skips with
the reason when it is absent.  The whole file runs in about 15 s.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

from benchmarks.quality import data_dir, missing_reason  # noqa: E402


@pytest.mark.skipif(data_dir("pan13") is None, reason=missing_reason("pan13"))
def test_pan13_first_20_pairs_alignment_quality() -> None:
    import functools

    from benchmarks.quality import pan

    # The verbatim aligner alone, on copies (no obfuscation).  Measured (one alignment
    # per stretch, min_tokens=15): plagdet 0.994, recall 0.990, precision 0.997,
    # granularity 1.000, micro plagdet 0.995.
    s = pan.run_pan(20, detector=functools.partial(pan.overlap_detect, paraphrase=False)).scores
    assert s.recall >= 0.97
    assert s.precision >= 0.97
    assert s.plagdet >= 0.97
    assert s.micro_plagdet >= 0.97
    assert s.granularity <= 1.02
    # With the paraphrase stage (compare's default): the same detections.  (Before the
    # rare-unit bar of ``ParaphraseOptions.specific``: one more, 00005-01090, a reworded
    # admission requirement both pages state; plagdet 0.961, precision 0.932.)
    # Measured: plagdet 0.994, recall 0.990, precision 0.997.
    s = pan.run_pan(20).scores
    assert s.recall >= 0.97
    assert s.precision >= 0.97
    assert s.plagdet >= 0.97
    assert s.granularity <= 1.02


@pytest.mark.skipif(data_dir("pan13-train") is None, reason=missing_reason("pan13-train"))
def test_pan13_train_slices_reworded_reuse_is_found() -> None:
    """40 seeded pairs of each PAN-13 training sub-corpus (benchmarks/quality/pan13_train.py)."""
    from benchmarks.quality import pan13_train

    got = {r.name[:2]: r for r in pan13_train.run_train(40, seed=0).subs}
    # Measured on this slice with the paraphrase stage (verbatim only in brackets):
    # 02 0.995 (0.998), 03 0.931 (~0.5), 04 0.906 (~0.46), 05 0.844 (~0.08); 01: no detection.
    # 03/04 recall 0.897/0.886, precision 0.967/0.955, granularity 1.000/1.020.
    assert got["01"].detections <= 1
    assert got["02"].scores.plagdet >= 0.98
    assert got["03"].scores.plagdet >= 0.92
    assert got["04"].scores.plagdet >= 0.90
    assert got["05"].scores.plagdet >= 0.80
    assert got["03"].scores.recall >= 0.88
    assert got["03"].scores.precision >= 0.96
    for sub in ("03", "04"):
        assert got[sub].scores.recall >= 0.85, sub
        assert got[sub].scores.precision >= 0.94, sub
        assert got[sub].scores.granularity <= 1.06, sub


@pytest.mark.skipif(data_dir("pan13-train") is None, reason=missing_reason("pan13-train"))
def test_pan13_train_05_summaries_are_found_whole_and_unrelated_pairs_stay_quiet() -> None:
    """The first 40 PAN-13 05 pairs holding a summary case and the first 40 without one
    (each case: a ~600-character summary against its whole source document)."""
    from benchmarks.quality.pan import Annotation, evaluate, overlap_detect, read_annotations, read_text

    root = data_dir("pan13-train")
    assert root is not None
    sub = root / "05-summary-obfuscation"
    pos: list[tuple[str, str, list[Annotation]]] = []
    neg: list[tuple[str, str, list[Annotation]]] = []
    for line in (sub / "pairs").read_text().splitlines():
        susp, src = line.split()
        cases = read_annotations(sub / "gold" / f"{Path(susp).stem}-{Path(src).stem}.xml")
        bucket = pos if cases else neg
        if len(bucket) < 40:
            bucket.append((susp, src, cases))
    cases: list[Annotation] = []
    dets: list[Annotation] = []
    stray = 0
    for group in (pos, neg):
        for susp, src, gold in group:
            got = overlap_detect(read_text(root / "susp" / susp), read_text(root / "src" / src), susp, src)
            cases.extend(gold)
            dets.extend(got)
            stray += 0 if gold else len(got)
    s = evaluate(cases, dets)
    # Measured on this slice: plagdet 0.812, recall 0.754, precision 0.997, granularity
    # 1.08, no detection on the 40 pairs without a case (before summary mode had a stage
    # of its own: plagdet 0.39, recall 0.36, granularity 1.56).
    assert s.plagdet >= 0.79
    assert s.recall >= 0.73
    assert s.precision >= 0.97
    assert s.granularity <= 1.12
    assert stray <= 1


# PAN-13 training 01 (no plagiarism) pairs where the paraphrase stage used to report a
# reworded passage: texts on one topic whose sentences pair on its commonplaces (spaying,
# von Willebrand disease, tankless heaters, lipoproteins, hospital pages) and one
# whole-text "summary" (00328-01818).  They share few units found nowhere else in
# either text (``ParaphraseOptions.specific``) and must stay quiet.
_QUIET_01 = ["00181-00045", "00328-01818", "00598-01403", "00598-01589", "01379-00834", "01427-02090",
             "01620-00843"]
# 03/04 pairs whose case is found only by a reworded passage sharing few rare units
# (2.5-3.5, just above the bar): the rule must not lose them.
_FOUND_0304 = {
    "03-random-obfuscation": ["00210-01577", "00403-02153", "00423-00603", "00403-00714", "00148-02280"],
    "04-translation-obfuscation": ["00035-03020", "00123-01213", "01271-02113", "01800-01867", "00146-01036"],
}


def _pan_pair(ident: str) -> tuple[str, str]:
    s, r = ident.split("-")
    return f"suspicious-document{s}.txt", f"source-document{r}.txt"


@pytest.mark.skipif(data_dir("pan13-train") is None, reason=missing_reason("pan13-train"))
def test_pan13_train_01_topic_pairs_stay_quiet_and_rare_word_cases_stay_found() -> None:
    from benchmarks.quality.pan import Annotation, evaluate, overlap_detect, read_annotations, read_text

    root = data_dir("pan13-train")
    assert root is not None
    for ident in _QUIET_01:
        susp, src = _pan_pair(ident)
        assert overlap_detect(read_text(root / "susp" / susp), read_text(root / "src" / src), susp, src) == [], ident
    cases: list[Annotation] = []
    dets: list[Annotation] = []
    for sub, idents in _FOUND_0304.items():
        for ident in idents:
            susp, src = _pan_pair(ident)
            gold = read_annotations(root / sub / "gold" / f"{Path(susp).stem}-{Path(src).stem}.xml")
            got = overlap_detect(read_text(root / "susp" / susp), read_text(root / "src" / src), susp, src)
            assert evaluate(gold, got).recall >= 0.5, ident  # measured 0.54-1.00
            cases.extend(gold)
            dets.extend(got)
    s = evaluate(cases, dets)
    # Measured on these 10 pairs: recall 0.882, precision 0.915, granularity 1.07.
    assert s.recall >= 0.85
    assert s.precision >= 0.88


_FLAGGED = ["number-vi", "number-en", "date-dm", "date-year", "spell-drop", "spell-tone-drop", "name-swap"]
_PRESERVING = ["thousand-sep", "number-word", "number-scale", "unit-synonym", "date-format", "spell-iy", "spell-tone-place"]


@pytest.mark.skipif(
    data_dir("baomoi") is None and data_dir("vietnamese_mds") is None, reason=missing_reason("baomoi")
)
def test_injected_conflicts_are_found_and_value_preserving_rewrites_are_variants() -> None:
    from benchmarks.quality import conflicts_inject as ci

    cases = ci.build_cases(60, seed=0, subs=_FLAGGED + _PRESERVING)
    assert sum(len(c.edits) for c in cases) >= 150
    res = ci.score(cases)
    # Measured on this slice: precision 0.96 (number), 1.00 (date, spelling, name);
    # recall 1.00, except date 0.93 (two year edits inside "13/2017"-style numbers).
    for kind in ("number", "date", "spelling", "name"):
        assert res.precision[kind] >= 0.93, (kind, res.false_positives)
        assert res.recall[kind] >= 0.90, (kind, res.false_negatives)
    # No value-preserving rewrite is flagged as a conflict ...
    for sub in _PRESERVING:
        assert res.sub_rate.get(sub, 0.0) == 0.0, (sub, res.false_positives)
    # ... and most are reported as variants (measured 1.00 each; number-scale 0.86;
    # unit synonyms such as "tiếng"/"giờ" are not variants yet: 0.10).
    for sub in ("number-word", "thousand-sep", "date-format", "spell-iy", "spell-tone-place"):
        assert res.variant_rate[sub] >= 0.95, (sub, res.variant_rate)
    assert res.variant_rate["number-scale"] >= 0.7


@pytest.mark.skipif(data_dir("clough_stevenson") is None, reason=missing_reason("clough_stevenson"))
def test_clough_stevenson_scores_rank_graded_reuse() -> None:
    from benchmarks.quality import clough

    answers, sources = clough.load_corpus()
    res = clough.evaluate(clough.score_answers(answers, sources))
    # Measured: Spearman 0.828 and AUC 0.965 for Jaccard and containment; coverage by
    # verbatim passages 0.788 (reworded passages do not count: they make heavy rewrites
    # look like light ones, Spearman 0.707 as ``reuse``).
    assert res.ordered["containment"] and res.ordered["jaccard"]
    assert res.spearman["containment"] >= 0.80
    assert res.auc["containment"] >= 0.95
    assert res.spearman["jaccard"] >= 0.80
    assert res.spearman["coverage"] >= 0.77
    assert res.auc["reuse"] >= 0.95


@pytest.mark.skipif(data_dir("vietnamese_mds") is None, reason=missing_reason("vietnamese_mds"))
def test_reworded_passages_do_not_make_same_event_articles_near_duplicates() -> None:
    """The near-duplicate coverage rule counts verbatim passages only: with the
    paraphrase stage on, same-event articles told in other words stay apart (on the
    full 706 pairs: 1 near-duplicate, a real reprint; 8 when merged and reworded
    passages counted)."""
    import itertools

    import overlap
    from benchmarks.quality import mds

    clusters = mds.load_clusters()
    checked = 0
    for name in ("cluster_101", "cluster_132", "cluster_143", "cluster_171", "cluster_58", "cluster_66", "cluster_67"):
        for a, b in itertools.combinations(clusters[name].values(), 2):
            c = overlap.compare(a, b)
            assert not c.near_duplicate, (name, c.duplicate)
            checked += 1
    assert checked >= 7


@pytest.mark.skipif(data_dir("baomoi") is None, reason=missing_reason("baomoi"))
def test_near_duplicates_survive_edits_by_coverage_and_random_pairs_do_not_match() -> None:
    import overlap
    from benchmarks.quality import edits

    rng = random.Random(0)
    docs = edits._articles(12, rng)
    # 10% of words edited: Jaccard falls to 0.34-0.47 (below 0.5), the coverage rule
    # (shared passages cover >= 0.8 of both) keeps all 12 near-duplicates.
    ten = [overlap.compare(d, edits.edit_words(d, 0.10, rng)) for d in docs]
    assert sum(c.similarity.jaccard < 0.5 for c in ten) >= 10
    assert all(c.near_duplicate for c in ten)
    twenty = [overlap.compare(d, edits.edit_words(d, 0.20, rng)) for d in docs]
    assert sum(c.near_duplicate for c in twenty) >= 11  # measured 12 of 12
    reordered = [overlap.compare(d, edits.make_variant(d, "reorder paragraphs", rng)) for d in docs]
    assert all(c.near_duplicate for c in reordered)
    unrelated = [overlap.compare(docs[i], docs[i + 1]) for i in range(len(docs) - 1)]
    assert not any(c.near_duplicate or c.passages for c in unrelated)


@pytest.mark.skipif(data_dir("vietnamese_mds") is None, reason=missing_reason("vietnamese_mds"))
def test_scan_story_clusters_on_twelve_vietnamese_mds_clusters() -> None:
    from benchmarks.quality import mds

    clusters = {c: a for c, a in mds.load_clusters().items() if 71 <= int(c.split("_")[1]) <= 82}
    result = mds.scan_corpus(clusters, workers=1)
    gold = {f"{c}/{a}": c for c, arts in clusters.items() for a in arts}
    assert len(gold) == 44
    parts = mds.partitions(result)
    story = mds.pair_scores(gold, parts["story"])
    passage = mds.pair_scores(gold, parts["passage"])
    # Measured: story precision 1.00, recall 0.94, F1 0.97, ARI 0.96 (rare shared
    # vocabulary links the same-event articles that share no text; union-find on the
    # text and name links gave recall 0.61, ARI 0.75); passage level F1 0.75, ARI 0.73.
    assert story.precision >= 0.95
    assert story.f1 >= 0.90
    assert story.ari >= 0.90
    assert passage.f1 >= 0.68
