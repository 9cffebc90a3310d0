"""Sentence segmentation for Vietnamese and English news."""

from __future__ import annotations


from kernel_cases import PLAIN_BREAK
from overlap.segment import sentences


def texts(t: str) -> list[str]:
    return [s.of(t) for s in sentences(t)]


def test_numbers_and_dates_do_not_split() -> None:
    t = "Cuộc gặp kéo dài 7,5 giờ với 100.000 quân ngày 11/01/2022 và tháng 6-2021. Sau đó họ về."
    assert texts(t) == [
        "Cuộc gặp kéo dài 7,5 giờ với 100.000 quân ngày 11/01/2022 và tháng 6-2021.",
        "Sau đó họ về.",
    ]


def test_abbreviations_and_initials() -> None:
    t = "Mr. Smith met Dr. Jones in the U.S. on Monday. J. K. Rowling was there. TP. Hồ Chí Minh cũng vậy."
    assert texts(t) == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.",
        "J. K. Rowling was there.",
        "TP. Hồ Chí Minh cũng vậy.",
    ]


def test_quotes_and_ellipsis(seeds: dict[int, str]) -> None:
    got = texts(seeds[1])
    # An ellipsis before a lower-case word does not end the sentence.
    assert 'Thứ trưởng Ngoại giao Mỹ Wendy Sherman cho biết: "Chúng tôi đã kiên quyết… đẩy lùi các đề xuất an ninh đơn giản là không mang tính khởi đầu đối với Mỹ."' in got
    # A closing quote after the full stop stays with its sentence.
    assert '"Tôi không nghĩ rằng tình hình là vô vọng," ông nói.' in got


def test_headlines_bylines_and_captions_stand_alone(seeds: dict[int, str]) -> None:
    got = texts(seeds[2])
    assert got[0] == "Đàm phán an ninh Nga-Mỹ: Kéo dài 7,5 tiếng, Mỹ cứng rắn phản bác Nga, đề xuất ý tưởng mới"
    assert got[1] == "Việt Hà 06:43 | 11/01/2022"
    assert "(Nguồn: Reuters)" in got
    # The emoji line has no words: it is not a sentence.
    assert all("📞" not in s for s in got)


def test_site_chrome_lines(seeds: dict[int, str]) -> None:
    got = texts(seeds[3])
    assert got[:2] == ["Chủ Nhật, 22/12/2024", "“ĐOÀN KẾT – DÂN CHỦ - KỶ CƯƠNG – TRÁCH NHIỆM – HIỆU QUẢ”"]
    assert got[-3:] == ["Gửi cho bạn bè", "Phản hồi", "Thông tin người gửi phản hồi"]
    # A lone "|" line in seed 000 is dropped.
    assert "|" not in texts(seeds[0])


def test_spans_index_the_original(seeds: dict[int, str]) -> None:
    for t in seeds.values():
        spans = sentences(t)
        assert all(t[s.start : s.end].strip() == t[s.start : s.end] for s in spans)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_hard_wrapped_lines_are_joined() -> None:
    t = "Biomolecules are made by living\norganisms. Biomolecule research\nis growing.\nA Headline\nThe next paragraph."
    assert texts(t) == [
        "Biomolecules are made by living\norganisms.",
        "Biomolecule research\nis growing.",
        "A Headline",
        "The next paragraph.",
    ]




def test_fast_scans_match_the_regexes_they_replace() -> None:
    """``_word_before`` finds what ``_WORD_BEFORE.search`` finds, and ``_BREAK`` what the
    plain pattern finds from a block start (never inside a run of terminators), on
    random strings over the characters that matter."""
    import random

    from overlap import segment as S

    rng = random.Random(0)
    alpha = list("aA .!?…\n\r \"'”(-_.1xXĐ\u2028")
    tried = 0
    for _ in range(20000):
        t = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 40)))
        lo, at = sorted((rng.randint(0, len(t)), rng.randint(0, len(t))))
        w = S._WORD_BEFORE.search(t, lo, at)
        assert S._word_before(t, lo, at) == (w.group(1) if w else "")
        if lo and t[lo - 1] in ".!?…":
            continue  # blocks start after a line break
        tried += 1
        got = [(m.span(), m.groups()) for m in S._BREAK.finditer(t, lo, at)]
        assert got == [(m.span(), m.groups()) for m in PLAIN_BREAK.finditer(t, lo, at)]
    assert tried > 10000
