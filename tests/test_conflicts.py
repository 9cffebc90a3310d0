"""Conflicting details: one-detail variants of the seeds, and value-preserving rewrites."""

from __future__ import annotations

import pytest

from overlap import compare
from overlap.conflicts import quantities

# (seed, original words, replacement, expected conflict kinds)
VARIANTS = [
    (0, "Sergei Ryabkov và", "Sergei Lavrov và", ["name"]),
    (0, "Đối với Nga", "Đối với Mỹ", ["name"]),
    (4, "Dimitry Peskov", "Dmitry Peskov", ["spelling"]),
    (0, "Sergei Ryabkov", "Sergey Ryabkov", ["spelling"]),
    (4, "Maria Zakharova", "Maria Zaharova", ["spelling"]),
    (2, "sau khoảng 7,5 tiếng", "sau khoảng 8 tiếng", ["number"]),
    (1, "100.000 quân", "10.000 quân", ["number"]),
    (3, "kéo dài hai giờ", "kéo dài ba giờ", ["number"]),
    (4, "3 nước vùng Baltic", "4 nước vùng Baltic", ["number"]),
    (1, "trong năm 2014", "trong năm 2015", ["date"]),
    (1, "sau năm 1997", "sau năm 1999", ["date"]),
    (2, "Ngày 10/1,", "Ngày 11/1,", ["date"]),
    (0, "tháng 6-2021", "tháng 7-2021", ["date"]),
    (3, "Rạng sáng 8/12", "Rạng sáng 9/12", ["date"]),
]

# The same fact written another way: never a conflict.
SAME_VALUE = [
    (2, "sau khoảng 7,5 tiếng", "sau khoảng 7,5 giờ"),
    (2, "sau khoảng 7,5 tiếng", "sau khoảng 450 phút"),
    (1, "100.000 quân", "100 nghìn quân"),
    (3, "kéo dài hai giờ", "kéo dài 2 giờ"),
    (4, "3 nước vùng Baltic", "ba nước vùng Baltic"),
    (0, "tháng 6-2021", "tháng 6/2021"),
    (2, "Geneva (Thụy Sỹ)", "Geneva (Thụy Sĩ)"),
    (1, "Cuộc gặp kéo dài", "Cuộc họp kéo dài"),  # a reworded verb is not a detail
    (0, "hoan nghênh đối thoại", "hoan nghênh đối thoại"),
]


@pytest.mark.parametrize(("n", "old", "new", "kinds"), VARIANTS)
def test_one_detail_changed_gives_exactly_one_conflict(seeds: dict[int, str], n: int, old: str, new: str, kinds: list[str]) -> None:
    a = seeds[n]
    b = a.replace(old, new, 1)
    c = compare(a, b)
    assert [x.kind for x in c.conflicts] == kinds
    (x,) = c.conflicts
    # The conflict quotes the changed words on both sides, at their real offsets.
    i = a.index(old)
    assert x.a.start < i + len(old) and x.a.end > i
    assert x.a.of(a) == x.a_text and x.b.of(b) == x.b_text
    assert x.a_text != x.b_text


@pytest.mark.parametrize(("n", "old", "new"), SAME_VALUE)
def test_value_preserving_rewrite_is_not_a_conflict(seeds: dict[int, str], n: int, old: str, new: str) -> None:
    a = seeds[n]
    assert old in a
    c = compare(a, a.replace(old, new, 1))
    assert c.conflicts == ()
    assert len(c.passages) >= 1


def test_english_numbers_and_names() -> None:
    base = (
        "Russian Deputy Foreign Minister Sergei Ryabkov said the talks in Geneva lasted {h} "
        "and that Moscow had moved {n} troops near the border, according to officials on {d}."
    )
    a = base.format(h="seven and a half hours", n="100,000", d="January 10")
    assert compare(a, base.format(h="seven and a half hours", n="100 thousand", d="January 10")).conflicts == ()
    c = compare(a, base.format(h="seven and a half hours", n="10,000", d="January 10"))
    assert [(x.kind, x.a_text, x.b_text) for x in c.conflicts] == [("number", "100,000 troops", "10,000 troops")]
    c = compare(a, base.format(h="seven and a half hours", n="100,000", d="January 11"))
    assert [x.kind for x in c.conflicts] == ["date"]
    c = compare(a.replace("Ryabkov", "Lavrov"), a)
    assert [(x.kind, x.a_text, x.b_text) for x in c.conflicts] == [("name", "Sergei Lavrov", "Sergei Ryabkov")]


@pytest.mark.parametrize(
    ("words", "vietnamese", "values"),
    [
        ("7,5 giờ", True, [27000.0]),
        ("8 tiếng", True, [28800.0]),
        ("100.000 quân", True, [100000.0]),
        ("100 nghìn quân", True, [100000.0]),
        ("1,5 triệu người", True, [1500000.0]),
        ("hai mươi lăm người", True, [25.0]),
        ("100,000 troops", False, [100000.0]),
        ("3.5 million", False, [3500000.0]),
        ("two hundred", False, [200.0]),
    ],
)
def test_quantities_are_read_by_value(words: str, vietnamese: bool, values: list[float]) -> None:
    assert [q.value[0] for _, _, q in quantities(words.lower().split(), vietnamese)] == values


def test_a_template_filled_in_twice_is_not_a_set_of_conflicts() -> None:
    # Two market reports from one template: every figure differs, so the passages tell
    # different things (noon vs close), and no figure is reported as a conflict.
    template = (
        "Kết thúc phiên giao dịch, chỉ số VN-Index tăng {0} điểm lên {1} điểm với tổng khối "
        "lượng giao dịch đạt {2} triệu đơn vị, tương ứng giá trị {3} tỷ đồng; toàn sàn có {4} mã "
        "tăng giá và {5} mã giảm giá."
    )
    a = template.format("1,58", "499,65", "41,113", "598,43", "136", "119")
    b = template.format("0,94", "500,57", "29,741", "174,2", "101", "90")
    c = compare(a, b)
    assert len(c.passages) == 1
    assert c.conflicts == ()
    # One changed figure in the same report is a conflict.
    one = compare(a, a.replace("499,65", "500,57"))
    assert [(x.kind, x.a_text, x.b_text) for x in one.conflicts] == [("number", "499,65 điểm", "500,57 điểm")]
