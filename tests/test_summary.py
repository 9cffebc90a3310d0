"""Summary mode (``overlap.summary``) on hand-made condensed summaries, English and
Vietnamese: which span of the condensing text maps to which source region, that an
extractive summary is one passage, and that it stays off where the shape is absent."""

from __future__ import annotations

import re

import numpy as np
import pytest

import overlap
from overlap.records import Span
from overlap.summary import SideText, SummaryOptions, summaries

# A news story (the source) and a document that condenses it in four sentences, set
# among unrelated sentences on other subjects.
SOURCE_EN = (
    "The central bank raised its main interest rate by half a point on Thursday, the largest increase in twenty years. "
    "Inflation reached 9.1 percent in June, driven by the cost of energy and food. "
    "The governor said further increases were likely if prices kept climbing through the autumn. "
    "Mortgage lenders reacted within hours, withdrawing hundreds of fixed-rate deals from the market. "
    "Homeowners on variable loans will pay about ninety pounds more each month on average. "
    "Business groups warned that higher borrowing costs could push the economy into recession by winter. "
    "The currency rose against the dollar after the announcement, recovering part of its earlier losses. "
    "Trade unions demanded wage rises to match inflation and threatened strikes in the transport sector. "
    "The finance minister defended the bank's independence and promised targeted help for poorer households. "
    "Economists expect the rate to peak next spring before inflation falls back towards the two percent target. "
)
SUMMARY_EN = (
    "Tourists flocked to the old harbour this summer, where a new ferry line opened in May. "
    "The museum of maritime history extended its opening hours to cope with the crowds. "
    "Local restaurants reported their busiest season since the harbour was rebuilt. "
    "Sailing clubs organised a regatta that drew boats from four countries. "
    "Fishermen complained that pleasure boats blocked the quay during the morning catch. "
    "With inflation at 9.1 percent, driven by energy and food, the central bank raised its interest rate by half a point. "
    "Lenders withdrew fixed-rate mortgage deals, and homeowners on variable loans will pay more each month. "
    "Business groups fear a recession, while unions demand wage rises and threaten transport strikes. "
    "The rate should peak next spring, economists say, as inflation falls back towards the target. "
    "Next year the council plans a second marina on the eastern side of the bay. "
    "A footbridge will link the marina to the railway station by the end of the decade. "
    "The harbour master expects twice as many visiting yachts once the marina is finished. "
    "Residents will be consulted on the design of the footbridge in the spring. "
    "A local artist has been asked to paint a mural on the new ferry terminal. "
)

SOURCE_VI = (
    "Sáng nay, Quốc hội đã thông qua luật đất đai sửa đổi với đa số đại biểu tán thành. "
    "Luật mới cho phép người dân được bồi thường theo giá thị trường khi nhà nước thu hồi đất. "
    "Các địa phương phải công khai bảng giá đất hằng năm thay vì năm năm một lần như trước. "
    "Doanh nghiệp nước ngoài được thuê đất dài hạn tối đa năm mươi năm tại các khu công nghiệp. "
    "Nông dân được mở rộng hạn mức nhận chuyển nhượng đất trồng lúa lên gấp mười lần. "
    "Người sử dụng đất ở vùng ven đô sẽ được cấp giấy chứng nhận nhanh hơn, trong vòng ba mươi ngày. "
    "Tổ chức tín dụng được nhận thế chấp quyền sử dụng đất của hộ gia đình để cho vay sản xuất. "
    "Đất quốc phòng, an ninh không được sử dụng vào mục đích kinh doanh thương mại như trước đây. "
    "Đại biểu nhiều tỉnh miền núi đề nghị ưu tiên giao đất rừng cho đồng bào dân tộc thiểu số. "
    "Bộ Tài nguyên và Môi trường sẽ xây dựng cơ sở dữ liệu đất đai quốc gia trong hai năm tới. "
    "Nhiều chuyên gia cho rằng luật mới sẽ giảm khiếu kiện kéo dài về bồi thường giải phóng mặt bằng. "
    "Luật có hiệu lực từ ngày một tháng một năm sau, trừ một số điều khoản áp dụng sớm hơn. "
)
SUMMARY_VI = (
    "Đội tuyển bóng đá nữ vừa trở về sau giải vô địch châu Á tổ chức tại Ấn Độ. "
    "Hàng nghìn người hâm mộ đã ra sân bay Nội Bài chào đón các cầu thủ. "
    "Huấn luyện viên trưởng cho biết đội sẽ nghỉ ngơi hai tuần trước đợt tập trung mới. "
    "Liên đoàn bóng đá hứa thưởng lớn cho thành tích giành vé dự cúp thế giới. "
    "Quốc hội vừa thông qua luật đất đai sửa đổi, khi nhà nước thu hồi đất người dân sẽ được bồi thường sát giá thị trường. "
    "Mỗi năm tỉnh thành phải công bố giá đất, hạn mức đất trồng lúa của nông dân tăng lên nhiều. "
    "Chuyên gia mong khiếu kiện kéo dài về giải phóng mặt bằng giảm bớt khi luật có hiệu lực đầu năm sau. "
    "Các cầu thủ sẽ tham gia giải vô địch quốc gia vào tháng tới. "
    "Nhiều câu lạc bộ đã gửi lời mời thi đấu giao hữu tới đội tuyển. "
    "Một nhà tài trợ lớn vừa ký hợp đồng ba năm với liên đoàn bóng đá. "
    "Sân vận động quốc gia sẽ được sửa chữa trước mùa giải mới. "
)


def _sentences(text: str, first: str, last: str) -> Span:
    """The span from the sentence beginning ``first`` to the end of the one ending ``last``."""
    start = text.index(first)
    return Span(start, text.index(last, start) + len(last))


def test_english_summary_maps_to_the_whole_source_story() -> None:
    c = overlap.compare(SUMMARY_EN, SOURCE_EN)
    assert len(c.passages) == 1
    p = c.passages[0]
    assert p.a == _sentences(SUMMARY_EN, "With inflation at 9.1", "towards the target.")
    assert p.b == Span(0, len(SOURCE_EN.rstrip()))  # the whole story it condenses
    pairs = {(SUMMARY_EN[q.a.start : q.a.start + 20], SOURCE_EN[q.b.start : q.b.start + 20]) for q in p.pairs}
    assert pairs == {  # each summary sentence with the source sentence closest to it
        ("With inflation at 9.", "Inflation reached 9."),
        ("Lenders withdrew fix", "Homeowners on variab"),
        ("Business groups fear", "Trade unions demande"),
        ("The rate should peak", "Economists expect th"),
    }
    assert p.verbatim < 0.5  # a rewrite, not a copy
    # Symmetric: the same passage with the sides swapped.
    d = overlap.compare(SOURCE_EN, SUMMARY_EN)
    assert [(q.b, q.a) for q in d.passages] == [(p.a, p.b)]


def test_vietnamese_summary_maps_to_the_whole_source_story() -> None:
    c = overlap.compare(SUMMARY_VI, SOURCE_VI)
    assert len(c.passages) == 1
    p = c.passages[0]
    assert p.a == _sentences(SUMMARY_VI, "Quốc hội vừa thông qua", "có hiệu lực đầu năm sau.")
    assert p.b == Span(0, len(SOURCE_VI.rstrip()))
    starts = {SUMMARY_VI[q.a.start : q.a.start + 12] for q in p.pairs}
    assert starts == {"Quốc hội vừa", "Mỗi năm tỉnh", "Chuyên gia m"}  # each summary sentence pairs


def test_extractive_summary_is_one_passage_not_one_per_copied_sentence() -> None:
    # Three source sentences from the beginning, middle and end copied word for word:
    # the verbatim stage finds three pieces, the summary is one case.
    sents = re.findall(r"[^.]+(?:\.\d[^.]*)*\.", SOURCE_EN)
    sents = [x.strip() for x in sents]
    picked = " ".join([sents[0], sents[4], sents[9]]) + " "
    head = SUMMARY_EN[: SUMMARY_EN.index("With inflation")]
    tail = SUMMARY_EN[SUMMARY_EN.index("Next year the council") :]
    text = head + picked + tail
    c = overlap.compare(text, SOURCE_EN)
    assert len(c.passages) == 1
    p = c.passages[0]
    assert p.a == Span(len(head), len(head) + len(picked) - 1)
    assert p.b == Span(0, len(SOURCE_EN.rstrip()))


def test_same_topic_text_without_a_summary_gets_none() -> None:
    # The source story against a text on the same subject that pairs weakly all along
    # (no contrast): not a summary, and no passage at all.
    other = (
        "Prices in the shops rose again this month, and families say energy bills are the hardest to pay. "
        "Some economists think the central bank waited too long before acting on inflation. "
        "Banks are offering fewer mortgage deals, and buyers are waiting for rates to fall. "
        "Unions say wages have not kept up with prices for two years. "
        "The government says help for households will come in the autumn budget. "
        "Exporters welcome a weaker currency, importers fear higher costs. "
    )
    assert overlap.compare(other, SOURCE_EN).passages == ()


def _side(lengths: list[int]) -> SideText:
    spans, pos = [], 0
    for n in lengths:
        spans.append(Span(pos, pos + n))
        pos += n + 1
    return SideText(tuple(spans), pos - 1)


def test_summaries_on_a_matrix_contrast_ratio_and_copy_vetoes() -> None:
    # a: 10 sentences of 150 characters, 3..5 pair weakly with b's sentences 0, 10, 19.
    a, b = _side([150] * 10), _side([150] * 20)
    cos = np.full((10, 20), 0.1)
    for i, j in ((3, 0), (4, 10), (5, 19)):
        cos[i, j] = 0.35
    got = summaries(cos, a, b)
    assert [(s.a, s.b, s.a_short) for s in got] == [(Span(a.spans[3].start, a.spans[5].end), Span(0, b.length), True)]
    assert [(p[0], p[1]) for p in got[0].pairs] == [(a.spans[3], b.spans[0]), (a.spans[4], b.spans[10]),
                                                    (a.spans[5], b.spans[19])]
    # Same matrix transposed: b condenses a.
    flipped = summaries(cos.T.copy(), b, a)
    assert [(s.a, s.b, s.a_short) for s in flipped] == [(Span(0, b.length), Span(a.spans[3].start, a.spans[5].end),
                                                         False)]
    # Texts on one topic: the rest of a pairs too (background over a tenth).
    busy = cos.copy()
    busy[0, 1] = busy[8, 2] = 0.3
    assert summaries(busy, a, b) == []
    # Long region not several times the run: pairs within three sentences of b.
    close = np.full((10, 20), 0.1)
    for i, j in ((3, 4), (4, 5), (5, 6)):
        close[i, j] = 0.35
    assert summaries(close, a, b) == []
    # Half the run inside one verbatim copy: a copy with rewording around it.
    copy = (Span(a.spans[3].start, a.spans[4].end), Span(b.spans[0].start, b.spans[1].end))
    assert summaries(cos, a, b, copies=[copy]) == []
    # Weak pairs (mean under ``mean``) are no evidence.
    assert summaries(cos, a, b, options=SummaryOptions(mean=0.4)) == []
    with pytest.raises(ValueError):
        summaries(cos[:5], a, b)
