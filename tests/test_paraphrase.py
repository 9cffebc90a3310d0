"""The paraphrase stage on hand-made reworded pairs (English, Vietnamese, a summary), the
language guess, ``combine``, and the ``verbatim`` share and ``--no-paraphrase`` switch."""

from __future__ import annotations

from collections import Counter

import pytest

import overlap
from overlap.combine import combine
from overlap.errors import ConfigError
from overlap.language import detect
from overlap.pipeline import compare_prepared, prepare
from overlap.records import Span

# English: one story told twice, sentences reworded (word swaps, passive/active, clause
# order) and shuffled, each text with one unrelated sentence.
EN_A = (
    "The city council approved a new budget for public transport on Monday. "
    "Bus fares will rise by ten cents from March, the mayor told reporters. "
    "Officials said the extra money would pay for electric buses and longer night services. "
    "Critics warned that poorer residents would suffer most from the increase. "
    "In other news, the local football club signed a young striker from Brazil."
)
EN_B = (
    "Weather forecasters expect heavy rain across the region this weekend. "
    "Speaking to journalists, the mayor said bus fares are going to increase by ten cents starting in March. "
    "On Monday the council of the city passed a fresh public transport budget. "
    "According to officials, the additional funds will buy electric buses and extend services at night. "
    "Opponents cautioned that the rise would hurt the poorest residents the most."
)

VI_A = (
    "Hôm qua, Bộ Y tế đã công bố kế hoạch tiêm vắc xin cho trẻ em từ 5 đến 11 tuổi trên toàn quốc. "
    "Theo kế hoạch, đợt tiêm đầu tiên sẽ bắt đầu tại Hà Nội và Thành phố Hồ Chí Minh vào tháng tới. "
    "Các bệnh viện được yêu cầu chuẩn bị đủ nhân lực và tủ lạnh bảo quản vắc xin. "
    "Giá vàng trong nước tiếp tục giảm mạnh trong phiên sáng nay."
)
VI_B = (
    "Đội tuyển bóng đá quốc gia đã có buổi tập đầu tiên tại sân Mỹ Đình. "
    "Đợt tiêm đầu tiên theo kế hoạch sẽ được triển khai vào tháng tới ở Thành phố Hồ Chí Minh và Hà Nội. "
    "Bộ Y tế vừa công bố kế hoạch tiêm vắc xin trên toàn quốc cho trẻ em 5 đến 11 tuổi. "
    "Nhân lực và tủ lạnh bảo quản vắc xin phải được các bệnh viện chuẩn bị đầy đủ."
)

LONG = (
    "The storm hit the northern coast early on Tuesday, flooding hundreds of homes in three towns. "
    "Emergency crews rescued more than forty people who were trapped on rooftops by the rising water. "
    "Power lines were cut across the region, leaving about 20,000 households without electricity. "
    "The regional governor declared a state of emergency and asked the army for help with the evacuation. "
    "Schools will remain closed until the end of the week while engineers inspect the damaged bridges. "
    "Farmers said the flood destroyed most of the rice harvest that was due to be collected next month. "
    "Weather services expect more heavy rain on Thursday and warned residents not to return home yet. "
    "The government promised financial aid to families who lost their houses in the disaster. "
)
SUMMARY = (
    "Unrelated opening about a music festival that drew large crowds in the capital over the holiday. "
    "A storm flooded homes on the northern coast and crews rescued people trapped on rooftops. "
    "The governor declared an emergency, schools stay closed, and the rice harvest was destroyed by the flood. "
    "More heavy rain is expected, and the government promised aid to families who lost houses. "
    "Another unrelated closing sentence about the price of coffee beans in the international market this year."
)


def _sentence(text: str, start: int) -> str:
    """The first 30 characters from ``start``: which sentence a pair side begins."""
    return text[start : start + 30]


def test_english_reworded_and_reordered_sentences_pair_up() -> None:
    c = overlap.compare(EN_A, EN_B)
    assert len(c.passages) == 1
    p = c.passages[0]
    pairs = {(_sentence(EN_A, q.a.start), _sentence(EN_B, q.b.start)) for q in p.pairs}
    assert pairs == {
        ("The city council approved a ne", "On Monday the council of the c"),
        ("Bus fares will rise by ten cen", "Speaking to journalists, the m"),
        ("Officials said the extra money", "According to officials, the ad"),
    }
    assert p.a.of(EN_A).startswith("The city council") and "football" not in p.a.of(EN_A)
    assert "Weather" not in p.b.of(EN_B)
    assert p.verbatim < 0.5  # a rewrite, and the record says so
    assert p.edits == () and c.conflicts == ()  # reworded words are not conflicts
    assert overlap.compare(EN_A, EN_B, paraphrase=False).passages == ()
    # The batch path is verbatim unless asked: scan verifies with it.
    prepared = compare_prepared(prepare(EN_A), prepare(EN_B))
    assert prepared.passages == ()
    on = compare_prepared(prepare(EN_A), prepare(EN_B),
                                  options=overlap.CompareOptions(paraphrase=True))
    assert on == c
    assert not c.near_duplicate  # a rewrite is not a near-duplicate


def test_vietnamese_reworded_sentences_pair_on_syllables() -> None:
    assert detect(VI_A) == detect(VI_B) == "vi"
    c = overlap.compare(VI_A, VI_B)
    assert len(c.passages) == 1
    p = c.passages[0]
    starts = {(_sentence(VI_A, q.a.start)[:12], _sentence(VI_B, q.b.start)[:12]) for q in p.pairs}
    assert ("Theo kế hoạc", "Đợt tiêm đầu") in starts
    assert ("Các bệnh việ", "Nhân lực và ") in starts
    assert any(b == "Bộ Y tế vừa " for _, b in starts)
    assert "Giá vàng" not in p.a.of(VI_A) and "Đội tuyển" not in p.b.of(VI_B)
    assert c.conflicts == ()


def test_condensed_summary_reports_the_whole_source() -> None:
    c = overlap.compare(SUMMARY, LONG)
    assert len(c.passages) == 1
    p = c.passages[0]
    assert p.b == Span(0, len(LONG.rstrip()))  # the whole text it condenses
    assert p.a.of(SUMMARY).startswith("A storm flooded")
    assert p.a.of(SUMMARY).endswith("lost houses.")
    # Symmetric: the same passage with the sides swapped.
    d = overlap.compare(LONG, SUMMARY)
    assert [(q.b, q.a) for q in d.passages] == [(p.a, p.b)]


def test_verbatim_copy_keeps_its_passage_and_a_full_verbatim_share() -> None:
    text = EN_A + " " + LONG
    c = overlap.compare(text, "Introductory words of another article. " + text)
    assert len(c.passages) == 1
    assert c.passages[0].verbatim == 1.0
    assert c.passages[0].to_dict()["verbatim"] == 1.0


def test_language_detection_and_forcing() -> None:
    assert detect(EN_A) == "en"
    assert detect("Pemerintah mengatakan bahwa harga beras yang tinggi akan turun dalam bulan ini dan itu") == "id"
    assert detect("") == "other"
    assert detect("Der Bundestag hat am Freitag ein neues Gesetz beschlossen.") == "other"
    # Forcing "other" (no stemming, no stop words) still runs and still finds the story.
    assert overlap.compare(EN_A, EN_B, language="other") is not None
    with pytest.raises(ConfigError, match="language must be one of"):
        overlap.compare(EN_A, EN_B, language="xx")


def test_other_latin_languages_do_not_break() -> None:
    de_a = ("Der Stadtrat hat am Montag einen neuen Haushalt für den Nahverkehr beschlossen. "
            "Die Fahrpreise steigen ab März um zehn Cent, sagte der Bürgermeister den Reportern. ")
    de_b = ("Die Fahrpreise steigen ab März um zehn Cent, erklärte der Bürgermeister. "
            "Am Montag hat der Stadtrat einen neuen Haushalt für den Nahverkehr beschlossen. ")
    c = overlap.compare(de_a, de_b)
    for p in c.passages:
        assert 0 <= p.a.start < p.a.end <= len(de_a) and 0 <= p.b.start < p.b.end <= len(de_b)


def test_combine_absorbs_fragments_and_refuses_contradictions() -> None:
    v = [(Span(100, 200), Span(1000, 1100)), (Span(500, 600), Span(5000, 5100))]
    # A reworded passage around the first fragment takes it in; one that meets the second
    # on side a only contradicts it and is dropped.
    r = [(Span(0, 300), Span(900, 1250)), (Span(550, 700), Span(7000, 7200))]
    got = combine(v, r)
    assert [(m.a, m.b, m.verbatim, m.reworded) for m in got] == [
        (Span(0, 300), Span(900, 1250), (0,), (0,)),
        (Span(500, 600), Span(5000, 5100), (1,), ()),
    ]
    # Verbatim passages alone never merge, even touching (reordered paragraphs stay apart).
    halves = [(Span(0, 100), Span(101, 200)), (Span(101, 200), Span(0, 100))]
    assert [(m.a, m.b) for m in combine(halves, [])] == [(Span(0, 100), Span(101, 200)), (Span(101, 200), Span(0, 100))]
    # Edited copies that touch on both sides are pieces of one rewritten case, in either order.
    assert [(m.a, m.b) for m in combine(halves, [], edited=[True, True])] == [(Span(0, 200), Span(0, 200))]
    assert len(combine(halves, [], edited=[True, False])) == 2
    with pytest.raises(ValueError, match="gap"):
        combine(v, r, gap=-1)


def test_run_on_sentence_is_cut_into_pieces_that_still_pair() -> None:
    # Punctuation lost (obfuscation, OCR): the splitter sees one paragraph-long sentence,
    # whose single bag would dilute every cosine.  It is cut at spaces into pieces.
    from overlap.paraphrase import MAX_SENTENCE, units
    from overlap.segment import sentences

    pad = ("Weather forecasters expect heavy rain across the region this weekend and farmers hope it helps "
           "the crops while the ferry company said crossings may be cancelled if the wind grows stronger ")
    run_on = pad + EN_B.replace(". ", " ").replace(", ", " ").replace("Weather forecasters", "Forecasters") + " " + pad
    whole = sentences(run_on)
    assert max(len(s) for s in whole) > 2 * MAX_SENTENCE
    got = units(run_on, whole, "en")
    longest = max(whole, key=len)
    pieces = [s for s in got.spans if longest.start <= s.start < longest.end]
    assert len(pieces) >= 3
    assert all(x.end == y.start for x, y in zip(pieces, pieces[1:]))  # contiguous, nothing lost
    assert pieces[0].start == longest.start and pieces[-1].end == longest.end
    assert all(len(s) <= MAX_SENTENCE for s in pieces)
    uncut = units(run_on, whole, "en", max_chars=0)
    assert len(uncut.spans) < len(got.spans)
    a = units(EN_A, sentences(EN_A), "en")

    def dice(x: tuple[str, ...], y: tuple[str, ...]) -> float:
        return 2 * sum((Counter(x) & Counter(y)).values()) / (len(x) + len(y))

    # The seed measure (Dice >= 0.33) reached once cut, out of reach of the paragraph's bag.
    assert max(dice(x, y) for x in a.bags for y in got.bags) >= 0.33
    assert max(dice(x, y) for x in a.bags for y in uncut.bags) < 0.33


def test_specific_shared_weights_each_shared_unit_by_its_rarity() -> None:
    from overlap.sentence_units import Units, specific_shared, unit_counts

    sp = (Span(0, 10), Span(11, 20))
    a = Units(sp, (("topic", "name"), ("topic", "other")), 20)
    b = Units(sp, (("topic", "name"), ("topic", "else")), 20)
    counts = unit_counts(a, b)
    assert counts == {"topic": 4, "name": 2, "other": 1, "else": 1}
    # "name" (once in each text) counts 1, "topic" (4 times in all) 1/3.
    assert specific_shared(a, (0, 0), b, (0, 0), counts) == pytest.approx(1 + 1 / 3)
    assert specific_shared(a, (1, 1), b, (1, 1), counts) == pytest.approx(1 / 3)
    assert specific_shared(a, (0, 1), b, (1, 1), counts) == pytest.approx(1 / 3)
