"""The matching view: what must not break matching, and the map back to the original."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overlap.normalization import normalize


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ("hoà bình", "hòa bình"),
        ("Thuỷ điện", "thủy điện"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("Thụy Sỹ", "Thụy Sĩ"),
        ("“lằn ranh đỏ”", '"lằn ranh đỏ"'),
        ("Nga – Mỹ", "Nga - Mỹ"),
        ("Nga\u00a0Mỹ", "Nga Mỹ"),
        ("ALEXANDER FOMIN", "Alexander Fomin"),
        (unicodedata.normalize("NFD", "Thứ trưởng Quốc phòng"), "Thứ trưởng Quốc phòng"),
    ],
)
def test_variants_normalise_alike(x: str, y: str) -> None:
    assert normalize(x).text == normalize(y).text


def test_quy_keeps_its_tone_on_y() -> None:
    # After "q" the "u" is a consonant: "quý" is never rewritten to "qúy".
    assert normalize("quý").text == "quý"


def test_numbers_and_dates_are_left_intact() -> None:
    assert normalize("7,5 giờ; 100.000 quân; 11/01/2022").text == "7,5 giờ; 100.000 quân; 11/01/2022"


def test_nfd_seed_maps_back_to_original(seeds: dict[int, str]) -> None:
    nfd = unicodedata.normalize("NFD", seeds[0])
    view = normalize(nfd)
    assert not view.identity
    assert view.text == normalize(seeds[0]).text
    i = view.text.index("alexander fomin")
    s, e = view.to_original(i, i + len("alexander fomin"))
    assert unicodedata.normalize("NFC", nfd[s:e]) == "Alexander Fomin"


@given(st.text(alphabet=st.sampled_from("aàáảãạăằâấđêếôồơờưừyỳýoòuùeè \u0300\u0301\u0303\u0309\u0323\u200bAĐ.,“”–\n"), max_size=60))
def test_to_original_is_monotone_and_in_range(text: str) -> None:
    view = normalize(text)
    prev = 0
    for i in range(len(view.text) + 1):
        s, e = view.to_original(0, i)
        assert 0 <= s <= e <= len(text)
        assert e >= prev
        prev = e
    for i in range(len(view.text)):  # every view character comes from some original text
        s, e = view.to_original(i, i + 1)
        assert s < e
