"""Conflict confidence, reasons, and the false-alarm categories, in Vietnamese and English.

Each false-alarm test builds two versions of one sentence that differ only in how a
value is written and checks that no conflict is reported (the difference comes back as
a variant with the reason named); each true-conflict test checks that a changed value
in a well-framed slot is reported with high confidence.  Real-pair tests read
``../shared/data`` and skip when it is absent.
"""

from __future__ import annotations

import pytest

from benchmarks.quality import data_dir, missing_reason
from overlap import compare
from overlap.confidence import DEFAULT_MIN_CONFIDENCE
from overlap.quantities import age_and_birth_year, compact, readings, rounded, values

VI = "Theo báo cáo của Sở Giao thông vận tải, {x} tại ga cuối của tuyến xe buýt nhanh số một ở quận Đống Đa vào sáng hôm qua."
EN = "According to the transport department's report, {x} at the last stop of the first rapid bus line in the city centre yesterday morning."


def _pair(template: str, x: str, y: str) -> tuple[str, str]:
    return template.format(x=x), template.format(x=y)


def _reasons(a: str, b: str) -> tuple[list[str], list[str]]:
    c = compare(a, b)
    return [x.reason for x in c.conflicts], [v.reason for v in c.variants]


# ---------------------------------------------------------------- false alarms

FALSE_ALARMS = [
    # (name, template, a value, b value, expected variant reason; None: classify already
    # leaves the pair alone, neither conflict nor variant)
    ("vi-date-separator", VI, "từ 26/1 đến 1/2 có 380 chuyến xe", "từ 26.1 đến 1.2 có 380 chuyến xe", "other-convention"),
    ("en-date-separator", EN, "on 26/1 some 380,000 passengers waited", "on 26.1 some 380,000 passengers waited", "other-convention"),
    ("vi-date-less-detail", VI, "từ tháng 8-2008 có 380.000 hành khách", "từ ngày 20/8/2008 có 380.000 hành khách", "less-detail"),
    ("vi-rounded", VI, "giải thưởng 159 tỉ đồng được trao", "giải thưởng 159.232.985.000 đồng được trao", "rounded"),
    ("en-rounded", EN, "a prize of 3.2 billion dollars was paid", "a prize of 3,215,000,000 dollars was paid", "rounded"),
    ("vi-age-birth-year", VI, "anh Hồ Thanh Long (29 tuổi, quê Tiền Giang) bị bắt", "anh Hồ Thanh Long (SN 1989, quê Tiền Giang) bị bắt", "age-vs-birth-year"),
    ("en-age-birth-year", EN, "Mr John Scott (aged 29, from Sydney) was held", "Mr John Scott (born 1989, from Sydney) was held", "age-vs-birth-year"),
    ("vi-roman", VI, "trong quý III/2016 có 380 chuyến xe", "trong quý 3/2016 có 380 chuyến xe", "numeral-form"),
    ("vi-roman-alone", VI, "khóa XIV có 380 đại biểu", "khóa 14 có 380 đại biểu", None),
    ("en-ordinal", EN, "for the 2nd time 380 buses waited", "for the second time 380 buses waited", None),
    ("vi-spacing-year", VI, "năm 201 2 có 380 chuyến xe", "năm 2012 có 380 chuyến xe", "spacing"),
    ("vi-spacing-range", VI, "giá vé tăng 2 -3 % so với năm trước", "giá vé tăng 2-3 % so với năm trước", "same-value"),
    ("en-spacing-range", EN, "a rise of 2 -3 % in fares was noted", "a rise of 2-3 % in fares was noted", "same-value"),
    ("vi-hyphen-name", VI, "Sở VH-TT Hà Nội đã kiểm tra xe", "Sở VHTT Hà Nội đã kiểm tra xe", "same-entity"),
    ("vi-initial", VI, "anh Nguyễn Văn Th. đã lái xe buýt", "anh Nguyễn Văn Thuận đã lái xe buýt", "initial"),
    ("en-initial", EN, "driver John H. was questioned by police", "driver John Harris was questioned by police", "initial"),
    ("vi-rounded-approx", VI, "doanh thu trên 3,15 tỷ USD được ghi nhận", "doanh thu hơn 3,1 tỷ USD được ghi nhận", "rounded"),
    ("vi-approximation", VI, "vốn điều lệ hơn 3.369 tỉ đồng được ghi nhận", "vốn điều lệ hơn 3.300 tỉ đồng được ghi nhận", "approximation"),
    ("vi-vague", VI, "đoạn clip thu hút hàng trăm nghìn lượt xem", "đoạn clip thu hút 300 nghìn lượt xem", "vague-quantity"),
    ("en-vague", EN, "the clip drew hundreds of viewers", "the clip drew 300 viewers", None),
    ("vi-licence-plate", VI, "chiếc xe BKS 37C - 174.09 đang chạy", "chiếc xe BKS 37C - 17409 đang chạy", "separators"),
]


@pytest.mark.parametrize("name,template,x,y,reason", FALSE_ALARMS, ids=[f[0] for f in FALSE_ALARMS])
def test_same_value_written_another_way_is_not_a_conflict(name: str, template: str, x: str, y: str, reason: str | None) -> None:
    a, b = _pair(template, x, y)
    conflicts, variants = _reasons(a, b)
    assert conflicts == [], (name, conflicts)
    assert (reason in variants) if reason else variants == [], (name, variants)


TEMPLATE_VI = (
    "Xe {car} được trang bị động cơ xăng V6, dung tích {l} lít, sản sinh công suất tối đa {hp} mã lực "
    "và mô-men xoắn cực đại {nm} Nm tại vòng tua máy {rpm} vòng/phút."
)
TEMPLATE_EN = (
    "The {car} has a V6 petrol engine of {l} litres that makes a maximum power of {hp} horsepower "
    "and a peak torque of {nm} Nm at {rpm} revolutions per minute."
)


@pytest.mark.parametrize("template", [TEMPLATE_VI, TEMPLATE_EN], ids=["vi", "en"])
def test_a_spec_sheet_of_another_product_is_not_a_confident_conflict(template: str) -> None:
    a = template.format(car="Porsche Cayenne", l="3,6" if "Xe" in template else "3.6", hp=300, nm=400, rpm="6.000" if "Xe" in template else "6,000")
    b = template.format(car="Audi Q7 Sport", l="2,0" if "Xe" in template else "2.0", hp=252, nm=350, rpm="4.500" if "Xe" in template else "4,500")
    c = compare(a, b)
    assert c.conflicts, "the differing figures are still reported, for --min-confidence 0"
    assert all(x.confidence < DEFAULT_MIN_CONFIDENCE for x in c.conflicts), [(x.a_text, x.confidence) for x in c.conflicts]
    assert any(x.reason.startswith("template") for x in c.conflicts)


def test_a_byline_on_its_own_line_is_not_a_confident_conflict() -> None:
    body = "Chủ tịch UBND thành phố yêu cầu các sở ngành báo cáo vụ việc trước ngày 10/2 để xử lý nghiêm.\n"
    c = compare(body + "Nguyễn Hà\n", body + "Công Danh\n")
    assert all(x.confidence < DEFAULT_MIN_CONFIDENCE for x in c.conflicts)


def test_abbreviation_against_full_name_is_not_a_conflict() -> None:
    vi = compare(*_pair(VI, "UBND thành phố đã kiểm tra xe", "Ủy ban nhân dân thành phố đã kiểm tra xe"))
    en = compare(*_pair(EN, "the UN team checked the buses", "the United Nations team checked the buses"))
    assert vi.conflicts == () and en.conflicts == ()


# ---------------------------------------------------------------- true conflicts

TRUE_CONFLICTS = [
    ("vi-number", VI, "có 380.000 hành khách chờ xe", "có 400.000 hành khách chờ xe", "number"),
    ("en-number", EN, "some 380,000 passengers waited", "some 400,000 passengers waited", "number"),
    ("vi-date", VI, "ngày 17/5/2001 có 380 hành khách", "ngày 17/5/2011 có 380 hành khách", "date"),
    ("en-date", EN, "on 17 May 2001 some 380 passengers waited", "on 17 May 2011 some 380 passengers waited", "date"),
    ("vi-spelling", VI, "xe của Vietnam Airlines và Sewol chở khách", "xe của Vietnam Airlines và Sewon chở khách", "spelling"),
    ("en-age", EN, "Mr John Scott, 23, was held", "Mr John Scott, 27, was held", "number"),
]


@pytest.mark.parametrize("name,template,x,y,kind", TRUE_CONFLICTS, ids=[t[0] for t in TRUE_CONFLICTS])
def test_a_changed_value_in_a_framed_slot_is_a_confident_conflict(name: str, template: str, x: str, y: str, kind: str) -> None:
    c = compare(*_pair(template, x, y))
    assert [k.kind for k in c.conflicts] == [kind], name
    (conflict,) = c.conflicts
    assert conflict.confidence >= DEFAULT_MIN_CONFIDENCE, (conflict.confidence, conflict.explanation)
    assert conflict.reason and "shared before" in conflict.explanation


def test_conflicts_carry_confidence_reason_and_explanation_in_json() -> None:
    c = compare(*_pair(VI, "có 380.000 hành khách chờ xe", "có 400.000 hành khách chờ xe"))
    (d,) = c.to_dict()["conflicts"]
    assert 0.0 <= d["confidence"] <= 1.0 and d["reason"] and d["explanation"]
    assert all(0.0 <= v["confidence"] <= 1.0 and v["reason"] for v in c.to_dict()["variants"])


def test_confidence_falls_when_the_slot_is_framed_worse() -> None:
    good = compare(*_pair(VI, "có 380.000 hành khách chờ xe", "có 400.000 hành khách chờ xe")).conflicts[0]
    a = "Tổng số 380.000 hành khách đã dùng tuyến xe buýt nhanh trong tháng đầu."
    b = "Tổng số 400.000 người đi tàu điện ngầm mới mở ở thủ đô cũng đã được ghi nhận."
    worse = [x for x in compare(a, b).conflicts]
    assert all(x.confidence < good.confidence for x in worse)


# ---------------------------------------------------------------- value helpers


def test_value_helpers() -> None:
    assert compact("VH-TT") == compact("VHTT") and compact("201 2") == "2012"
    assert readings("XIV") == {14.0} and 1234.0 in readings("1.234") and 1234.0 in readings("1,234")
    assert rounded(values("159 tỉ")[0], values("159.232.985.000")[0])
    assert not rounded(values("8")[0], values("7,5")[0])  # a whole number states no rounding
    assert not rounded(values("5.000")[0], values("5.500")[0])
    assert age_and_birth_year("21 tuổi", "SN 1992") and not age_and_birth_year("SN 1999", "SN 1989")


# ---------------------------------------------------------------- real pairs


@pytest.mark.skipif(data_dir("vietnamese_mds") is None, reason=missing_reason("vietnamese_mds"))
def test_real_mds_false_alarms_become_variants() -> None:
    """VietnameseMDS pairs judged wrong before (an age against a birth year, a year with a
    typo space) are no longer conflicts; a real misspelling stays a confident one."""
    from benchmarks.quality.mds import load_clusters

    clusters = load_clusters()
    found = {}
    for cl in ("cluster_110", "cluster_112", "cluster_126", "cluster_167", "cluster_73"):
        texts = clusters[cl]
        ids = sorted(texts)
        for i, x in enumerate(ids):
            for y in ids[i + 1 :]:
                c = compare(texts[x], texts[y])
                for k in c.conflicts:
                    found[(cl, k.a_text, k.b_text)] = k
    for key in found:
        assert not ("tuổi" in key[1] + key[2] and "SN" in key[1] + key[2]), key
        assert (key[1], key[2]) not in {("201 2", "2012"), ("2 -3", "2-3")}, key
    putin = [k for (cl, a, b), k in found.items() if cl == "cluster_73" and "Pu-tin" in a + b]
    assert putin and putin[0].kind == "spelling" and putin[0].confidence >= DEFAULT_MIN_CONFIDENCE


@pytest.mark.skipif(data_dir("baomoi") is None, reason=missing_reason("baomoi"))
def test_real_baomoi_confident_conflicts_are_judged_right() -> None:
    """The hand-judged conflicts on real pairs: at the default confidence, precision stays
    at or above 0.85 over every judged sample (regression pin of the README figure)."""
    from benchmarks.quality.conflicts_real import JUDGED_CSV, collect, judgements

    if not JUDGED_CSV.exists():
        pytest.skip("benchmarks/results/conflicts_real_judged.csv not found")
    now = {f.key: f for f in collect()}
    judged = judgements()
    shown = [k for k in judged if k in now and now[k].confidence >= DEFAULT_MIN_CONFIDENCE]
    right = sum(judged[k][1].startswith("right") for k in shown)
    assert len(shown) >= 40
    assert right / len(shown) >= 0.85, (right, len(shown))


# ---------------------------------------------------------------- false alarms on real text
# Invented sentences with the shape of the real Baomoi / VietnameseMDS pairs that were
# judged wrong (rows of benchmarks/results/conflicts_real_judged.csv; the articles' own
# text stays out of the repository), each padded with the same neutral sentence on both
# sides so that the aligner pairs them as it did the articles.

PAD_VI = "Thông tin được cơ quan chức năng xác nhận vào chiều qua sau khi kiểm tra thực tế tại địa phương. "
PAD_EN = "The information was confirmed by the authorities yesterday afternoon after an inspection on site. "


def _confident(a: str, b: str) -> list[tuple[str, str, float, str]]:
    c = compare(a, b)
    return [(x.a_text, x.b_text, x.confidence, x.reason) for x in c.conflicts if x.confidence >= DEFAULT_MIN_CONFIDENCE]


REAL_FALSE_ALARMS = [
    # loanword capitalised: "Top" / "Tốp" (judge row, cluster_192)
    ("vi-loanword", PAD_VI + "Hội đồng bình chọn đã xếp món bánh cốm Hà Nội vào {x} những món quà tặng được du khách yêu thích nhất của cả nước năm nay.", "Top", "Tốp"),
    # a currency unit after a multiplier: "1,294 triệu Yen" / "Yên" (judge row, 21478684/21481629)
    ("vi-currency-unit", PAD_VI + "Chiếc máy ảnh mới sẽ được hãng bán ra với giá từ 1,150 triệu tới 1,480 triệu {x} (khoảng 230 - 296 triệu đồng) ở thị trường Nhật Bản.", "Yen", "Yên"),
    # a common word opening a sentence on both sides: "Qua" / "Quận" (judge row, 21478113/21478853)
    # ("Quận" is a name elsewhere in the text: "Trưởng Phòng Y tế Quận Ba Đình")
    ("vi-sentence-start", "Trưởng Phòng Y tế Quận Ba Đình cho biết như vậy. " + PAD_VI + "Theo lời ông Trần Văn Minh, sự việc diễn ra vào tuần trước. {x} kết quả kiểm tra của quận và lời khai của chủ cửa hàng thì cửa hàng đã đóng cửa từ sớm.", "Qua", "Quận"),
    ("en-sentence-start", "The head of the Otter Creek school said so. " + PAD_EN + "The director said the incident happened before the holiday. {x} reports of the district and the statement of the head teacher say she was away.", "Other", "Otter"),
]


@pytest.mark.parametrize("name,template,x,y", REAL_FALSE_ALARMS, ids=[r[0] for r in REAL_FALSE_ALARMS])
def test_real_common_words_are_not_confident_conflicts(name: str, template: str, x: str, y: str) -> None:
    assert _confident(template.format(x=x), template.format(x=y)) == [], name


def test_real_live_gold_quote_is_not_a_confident_conflict() -> None:
    """A gold price quoted at different times of the day (judge row, 21479763/21480165);
    the same quote pinned to one session on both sides stays a confident conflict."""
    a = PAD_VI + "Mở cửa phiên sáng 3/4, giá vàng miếng tại Hà Nội là 41,10 - 41,40, theo niêm yết của một doanh nghiệp lớn. Giá vàng thế giới đi ngang."
    b = PAD_VI + "Giá vàng miếng tại Hà Nội là 41,10 - 41,65, theo niêm yết của một doanh nghiệp lớn. Giá vàng thế giới đi ngang."
    c = compare(a, b).conflicts
    assert c and all(x.confidence < DEFAULT_MIN_CONFIDENCE for x in c), [(x.a_text, x.confidence) for x in c]
    assert any(x.reason == "live quote" for x in c)
    en = PAD_EN + "Gold for December delivery closed the 23/10 session up {x} dollars at 1,342.6 USD an ounce, traders said."
    pinned = _confident(en.format(x="26.8"), en.format(x="26.0"))
    assert len(pinned) == 1 and "26.8" in pinned[0][0] and "26.0" in pinned[0][1], pinned
    en_live = PAD_EN + "In Hanoi gold was quoted at 1,342.6 to {x} USD an ounce by the largest dealer in the city."
    assert _confident(en_live.format(x="1,350.0"), en_live.format(x="1,352.5")) == []


def test_real_other_time_reference_is_not_a_confident_conflict() -> None:
    """One survey about *next* week, the other about *this* week (judge row,
    21473137/21478986): the same words around a different figure are two statements."""
    t = PAD_VI + "Có 40% nhà phân tích dự báo giá vàng tăng trong {w}, 25% cho rằng giá giảm và {x}% cho rằng giá đi ngang. Cuộc khảo sát được làm hằng tuần."
    assert _confident(t.format(w="tuần tới", x="11"), t.format(w="tuần này", x="cũng 25")) == []
    same = _confident(t.format(w="tuần tới", x="11"), t.format(w="tuần tới", x="cũng 25"))
    assert len(same) == 1, same
    en = PAD_EN + "Half of the analysts expect gold to rise {w}, 17% expect a fall and {x}% see prices flat, the weekly survey found."
    assert _confident(en.format(w="next week", x="11"), en.format(w="this week", x="17")) == []
    assert len(_confident(en.format(w="next week", x="11"), en.format(w="next week", x="17"))) == 1


@pytest.mark.skipif(data_dir("baomoi") is None or data_dir("pan13-train") is None, reason="needs ../shared/data/baomoi and pan13-train")
def test_real_heldout_confident_conflicts_are_judged_and_right() -> None:
    """The held-out populations (Baomoi pairs nobody had read, PAN-13 05 summaries): every
    conflict now at the default confidence was judged by hand, and they stay right.  A
    change that lifts an unjudged conflict above the default fails here until someone
    reads it (and then it is development data)."""
    from benchmarks.quality.conflicts_real import JUDGED_CSV, collect, judgements

    if not JUDGED_CSV.exists():
        pytest.skip("benchmarks/results/conflicts_real_judged.csv not found")
    judged = judgements()
    shown = [f for f in collect(("baomoi-heldout", "pan05")) if f.confidence >= DEFAULT_MIN_CONFIDENCE]
    assert all(f.key in judged for f in shown), [(f.a_text, f.b_text) for f in shown if f.key not in judged]
    right = sum(judged[f.key][1].startswith("right") for f in shown)
    assert shown and right / len(shown) >= 0.85, (right, len(shown))


def test_a_name_after_an_initial_m_stays_a_spelling_conflict() -> None:
    """"M" is also the multiplier "m" (million); a name after the initial "M." is no unit."""
    t = PAD_EN + "The novel by J. M. {x} won the prize in the city centre yesterday morning, the jury said."
    found = _confident(t.format(x="Coetzee"), t.format(x="Cotzee"))
    assert [(x, y) for x, y, _, _ in found] == [("Coetzee", "Cotzee")], found
