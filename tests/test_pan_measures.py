"""PAN measures (Potthast et al. 2010) on hand-made cases whose answers are worked out by hand.

Notation: a case or detection is (this_start, this_end, source_start, source_end) in
documents s1/r1; its size counts characters on both sides.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

# benchmarks/ is not an installed package; make it importable however pytest is started
# (the cleaner fix is ``pythonpath = ["."]`` under [tool.pytest.ini_options]).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.quality import data_dir, missing_reason
from benchmarks.quality.pan import (
    Annotation,
    detects,
    evaluate,
    granularity,
    macro_precision,
    macro_recall,
    micro_precision,
    micro_recall,
    plagdet,
    read_annotations,
    write_detections,
)


def ann(t0: int, t1: int, s0: int, s1: int, this: str = "s1", src: str = "r1") -> Annotation:
    return Annotation(this, t0, t1, src, s0, s1)


CASE = ann(0, 100, 0, 100)  # 200 characters


def test_exact_detection_scores_one() -> None:
    s = evaluate([CASE], [CASE])
    assert (s.recall, s.precision, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert (s.micro_recall, s.micro_precision, s.micro_plagdet) == (1.0, 1.0, 1.0)


def test_half_detection() -> None:
    # Covers 50 + 50 of the case's 200 characters; every detected character is plagiarism.
    s = evaluate([CASE], [ann(0, 50, 0, 50)])
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(1.0)
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 / 3)  # F1 = 2 * 0.5 * 1 / 1.5


def test_split_detection_pays_granularity() -> None:
    # Two halves: full recall and precision, but 2 detections for one case.
    dets = [ann(0, 50, 0, 50), ann(50, 100, 50, 100)]
    s = evaluate([CASE], dets)
    assert (s.recall, s.precision, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))  # 0.6309


def test_overlapping_detections_count_characters_once() -> None:
    dets = [ann(0, 60, 0, 60), ann(40, 100, 40, 100)]
    assert micro_precision([CASE], dets) == 1.0  # union of detected chars = 200, all plagiarism
    assert macro_precision([CASE], dets) == 1.0  # each detection: 120 of 120 chars inside
    assert macro_recall([CASE], dets) == 1.0
    assert granularity([CASE], dets) == 2.0


def test_detection_must_overlap_both_sides() -> None:
    # Right place in the suspicious document, wrong place in the source: not a detection.
    wrong_source = ann(0, 100, 200, 300)
    assert not detects(CASE, wrong_source)
    s = evaluate([CASE], [wrong_source])
    assert (s.recall, s.precision, s.plagdet) == (0.0, 0.0, 0.0)
    assert s.granularity == 1.0  # no case detected
    # ... and the right offsets in another document pair do not count either.
    assert not detects(CASE, ann(0, 100, 0, 100, src="r2"))


def test_overlong_detection_loses_precision() -> None:
    # 200 + 100 = 300 detected chars, 200 of them plagiarism: precision 2/3, recall 1.
    s = evaluate([CASE], [ann(0, 200, 0, 100)])
    assert s.recall == 1.0
    assert s.precision == pytest.approx(2 / 3)
    assert s.plagdet == pytest.approx(0.8)  # 2 * (2/3) / (5/3)


def test_partial_overlap_matches_official_evaluator_examples() -> None:
    # The PAN evaluator's own unit tests: [0,100) detected by [50,150) -> 0.5; by [25,100) -> 0.75.
    assert macro_recall([CASE], [ann(50, 150, 50, 150)]) == pytest.approx(0.5)
    assert macro_recall([CASE], [ann(25, 100, 25, 100)]) == pytest.approx(0.75)
    assert macro_recall([CASE], [ann(50, 150, 50, 150), ann(25, 100, 25, 100)]) == pytest.approx(0.75)
    # Precision: [50,150) has 100 of its 200 chars in the case, [25,100) 150 of 150 -> (0.5 + 1) / 2.
    assert macro_precision([CASE], [ann(50, 150, 50, 150), ann(25, 100, 25, 100)]) == pytest.approx(0.75)


def test_macro_and_micro_differ_on_unequal_cases() -> None:
    small, large = ann(0, 100, 0, 100), ann(200, 1000, 200, 1000)  # 200 and 1600 characters
    dets = [small]
    assert macro_recall([small, large], dets) == pytest.approx(0.5)  # (1 + 0) / 2 cases
    assert micro_recall([small, large], dets) == pytest.approx(200 / 1800)  # by characters
    assert granularity([small, large], dets) == 1.0  # only the detected case counts
    # One detection spanning both cases and the 100+100 characters between them.
    span = ann(0, 1000, 0, 1000)
    assert macro_recall([small, large], [span]) == 1.0
    assert macro_precision([small, large], [span]) == pytest.approx(1800 / 2000)
    assert micro_precision([small, large], [span]) == pytest.approx(1800 / 2000)
    assert granularity([small, large], [span]) == 1.0


def test_empty_conventions() -> None:
    assert macro_recall([], []) == 1.0
    assert macro_recall([CASE], []) == 0.0
    assert macro_precision([CASE], []) == 0.0
    assert micro_recall([], [CASE]) == 0.0
    assert granularity([CASE], []) == 1.0
    assert plagdet(0.0, 0.0, 1.0) == 0.0
    assert plagdet(0.25, 0.75, 2.0) == pytest.approx(0.23659865)  # official evaluator's test value


def test_xml_round_trip(tmp_path) -> None:
    dets = [Annotation("suspicious-document00001.txt", 10, 60, "source-document00002.txt", 5, 57)]
    path = tmp_path / "d.xml"
    write_detections(path, "suspicious-document00001.txt", dets)
    assert read_annotations(path, "detected-plagiarism") == dets
    assert read_annotations(path, "plagiarism") == []
    assert 'this_length="50"' in path.read_text()


@pytest.mark.skipif(data_dir("pan13") is None, reason=missing_reason("pan13"))
def test_gold_reads_and_scores_itself() -> None:
    root = data_dir("pan13")
    gold = sorted((root / "gold").glob("*.xml"))
    cases = [c for g in gold for c in read_annotations(g)]
    assert len(gold) == 245 and len(cases) >= 245
    s = evaluate(cases, cases)
    assert (s.recall, s.precision, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
