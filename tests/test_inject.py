"""The conflict-injection generator and its scorer, on hand-written Vietnamese news text."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

from benchmarks.quality import conflicts_inject as ci  # noqa: E402
from overlap.records import Conflict, Span  # noqa: E402

TEXT = (
    "Ngày 23-10, hàng nghìn người ủng hộ đảng đối lập đã xuống đường ở thủ đô Phnom Penh. "
    "Theo ông Nguyễn Văn Hòa, khoảng 5.000 người đã tham gia, tăng 12% so với tháng 7. "
    "Chủ tịch UBND tỉnh cho biết cuộc họp kéo dài 3 tiếng và có 2 người phát biểu. "
    "Tổng thống Putin đã gửi thư tới Liên Hợp Quốc vào ngày 4/2/2016, đoàn đi 120 km. "
    "Kinh phí dự kiến là 100.000 đồng mỗi người, tổng cộng 25000 người tại Hà Nội năm 2013. "
    "Bà Trần Thị Lý phát biểu rằng Mỹ đã đồng ý."
)


def _sites(sub: str) -> list[tuple[str, str, str]]:
    rng = random.Random(0)
    finder = ci._FINDERS[sub]
    sites = finder(TEXT, rng, ["Phạm Quốc Tuấn"]) if sub == "name-swap" else finder(TEXT, rng)
    return [(TEXT[s.start : s.end], s.a_new, s.b_new) for s in sites]


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("number-vi", "5.000"),
        ("date-dm", "23-10"),
        ("date-month", "7"),
        ("date-year", "2013"),
        ("spell-translit", "Putin"),
        ("spell-iy", "Lý"),
        ("spell-tone-place", "Hòa"),
        ("name-swap", "Nguyễn Văn Hòa"),
        ("unit-synonym", "tiếng"),
        ("number-word", "2"),
        ("number-scale", "100.000"),
        ("thousand-sep", "25000"),
        ("date-format", "4/2/2016"),
        ("abbreviation", "UBND"),
    ],
)
def test_finders_find_the_obvious_site(sub: str, expected: str) -> None:
    originals = [orig for orig, _, _ in _sites(sub)]
    assert expected in originals


def test_value_preserving_rewrites_keep_the_value() -> None:
    def rewrites(sub: str) -> dict[str, str]:
        return {orig: b for orig, _, b in _sites(sub)}

    assert rewrites("unit-synonym") == {"tiếng": "giờ", "km": "cây số", "%": " phần trăm"}
    assert rewrites("number-word") == {"2": "hai"}
    assert rewrites("number-scale")["100.000"] == "100 nghìn"
    assert rewrites("thousand-sep") == {"5.000": "5000", "100.000": "100000", "25000": "25.000"}
    assert rewrites("date-format")["4/2/2016"] == "4-2-2016"
    assert rewrites("abbreviation")["UBND"] == "Ủy ban nhân dân"
    assert rewrites("abbreviation")["Liên Hợp Quốc"] == "LHQ"


def test_numbers_skip_dates_and_years() -> None:
    originals = [orig for orig, _, _ in _sites("number-vi")]
    assert "2013" not in originals and "23" not in originals and "2016" not in originals
    assert "7" not in originals  # "tháng 7" is a month


def test_english_format_rewrites_both_sides() -> None:
    (orig, a_new, b_new), *_ = [s for s in _sites("number-en") if s[0] == "5.000"]
    assert a_new == "5,000" and b_new != a_new and b_new.count(",") == 1


def test_tone_place_swaps_both_ways() -> None:
    assert ci._swap_tone_place("Hòa") == "Hoà"
    assert ci._swap_tone_place("Hoà") == "Hòa"
    assert ci._swap_tone_place("Thủy") == "Thuỷ"
    assert ci._swap_tone_place("Quý") is None  # "qu" is a consonant


def test_inject_is_deterministic_and_spans_quote_the_edit() -> None:
    one = ci.inject(TEXT, random.Random(7), n_edits=4)
    two = ci.inject(TEXT, random.Random(7), n_edits=4)
    assert one == two and one is not None
    assert len(one.edits) == 4
    assert len({e.sub for e in one.edits}) == 4
    for e in one.edits:
        assert one.a[e.a_start : e.a_end] == e.a_text
        assert one.b[e.b_start : e.b_end] == e.b_text
        assert e.kind == ci.FLAGGED.get(e.sub)
    # Outside the edits the two sides are the original text.
    assert one.b[: one.edits[0].b_start] == TEXT[: one.edits[0].a_start]


def test_inject_balances_sub_kinds() -> None:
    counts: Counter[str] = Counter()
    rng = random.Random(3)
    for _ in range(12):
        ci.inject(TEXT, rng, n_edits=3, counts=counts, name_pool=["Phạm Quốc Tuấn"])
    assert max(counts.values()) - min(counts.values()) <= 3
    assert len(counts) >= 15


def test_unknown_sub_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="'typo'"):
        ci.inject(TEXT, random.Random(0), subs=["typo"])


def _case() -> ci.Case:
    a = "Có 5.000 người. Ông Lê Văn Tám nói. Họp 3 tiếng."
    b = "Có 5.500 người. Ông Lê Văn Tám nói. Họp 3 giờ."
    edits = (
        ci.Injected("number-vi", "number", 3, 8, 3, 8, "5.000", "5.500"),
        ci.Injected("unit-synonym", None, 42, 47, 42, 45, "tiếng", "giờ"),
    )
    assert a[42:47] == "tiếng" and b[42:45] == "giờ"
    return ci.Case("hand", a, b, edits)


def _fake_compare(conflicts):
    return lambda a, b: SimpleNamespace(conflicts=tuple(conflicts))


def test_score_perfect_report() -> None:
    c = Conflict("number", Span(3, 8), Span(3, 8), "5.000", "5.500")
    res = ci.score([_case()], _fake_compare([c]))
    assert res.precision["number"] == 1.0 and res.recall["number"] == 1.0
    assert res.sub_rate["unit-synonym"] == 0.0
    assert not res.false_positives and not res.false_negatives


def test_score_counts_flagged_rewrite_and_wrong_kind() -> None:
    wrong_kind = Conflict("date", Span(3, 8), Span(3, 8), "5.000", "5.500")
    flagged_synonym = Conflict("name", Span(42, 47), Span(42, 45), "tiếng", "giờ")
    res = ci.score([_case()], _fake_compare([wrong_kind, flagged_synonym]))
    assert res.recall["number"] == 0.0  # reported, but as the wrong kind
    assert res.precision["date"] == 0.0 and res.precision["name"] == 0.0
    assert res.sub_rate["unit-synonym"] == 1.0
    assert {(r.kind, r.matched_sub) for r in res.false_positives} == {("date", "number-vi"), ("name", "unit-synonym")}
    assert [e.sub for _, e in res.false_negatives] == ["number-vi"]


def test_score_spurious_report_is_a_false_positive() -> None:
    spurious = Conflict("name", Span(20, 30), Span(20, 30), "Lê Văn Tám", "Lê Văn Tâm")
    res = ci.score([_case()], _fake_compare([spurious]))
    assert res.precision["name"] == 0.0
    assert res.false_positives[0].matched_sub is None
