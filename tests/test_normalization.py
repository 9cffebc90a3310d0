"""The matching view: what must not break matching, and the map back to the original."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

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


def _mostly_plain(seed: str) -> str:
    """A seed article with a decomposed word and a soft hyphen in it: the cluster path,
    with long plain runs between (the shape of a huge one-line document)."""
    mid = len(seed) // 2
    return "Ho\u0300a " + seed[:mid] + "\u00ad" + seed[mid:]


@pytest.mark.parametrize("kind", ["nfc", "nfd", "upper", "mostly_plain"])
def test_fold_in_slices_equals_fold_whole(seeds: dict[int, str], kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A long text is folded a slice at a time, cut before a space or line break; tiny
    # slices put a cut before nearly every space (tone marks, final y, "quý", sigma).
    import overlap.normalization as norm

    extra = " quý HÒA thủy Mỹ sỹ ΟΔΟΣ Σ, “khoẻ” — Thụy Sỹ\nkỹ\n"
    texts = [extra + s + extra for s in seeds.values()]
    makers: dict[str, Callable[[str], str]] = {
        "nfc": str, "nfd": lambda t: unicodedata.normalize("NFD", t), "upper": str.upper, "mostly_plain": _mostly_plain,
    }
    make = makers[kind]
    whole = [normalize(make(t)) for t in texts]
    for size in (1, 7, 100):
        monkeypatch.setattr(norm, "_FOLD_SLICE", size)
        for t, w in zip(texts, whole):
            got = normalize(make(t))
            assert got.text == w.text
            assert got.identity == w.identity


def test_offset_map_by_pieces_equals_dense_map(seeds: dict[int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import overlap.normalization as norm

    text = _mostly_plain(seeds[0])
    view = normalize(text)
    assert view.offsets is not None and len(view.offsets.vstart) > 1  # held by pieces
    assert len(view.offsets.dense_s) < 10  # only the decomposed word's characters
    monkeypatch.setattr(norm, "_PIECE_CHARS", 10**9)
    dense = normalize(text)
    assert dense.offsets is not None and len(dense.offsets.vstart) == 1
    assert view.text == dense.text
    vs, ve, ds, de = view.starts, view.ends, dense.starts, dense.ends
    assert vs is not None and ve is not None and ds is not None and de is not None
    assert np.array_equal(vs, ds) and np.array_equal(ve, de) and vs.dtype == ds.dtype
    idx = np.arange(0, len(view.text), 3)
    assert np.array_equal(view.orig_starts(idx), dense.orig_starts(idx))
    assert np.array_equal(view.orig_ends(idx), dense.orig_ends(idx))
    n, m = len(view.text), len(text)
    for i in range(0, n + 1, 7):
        for j in (i, min(n, i + 1), min(n, i + 40)):
            assert view.to_original(i, j) == dense.to_original(i, j)
    for i in range(0, m + 1, 5):
        for j in (i, min(m, i + 1), min(m, i + 33)):
            assert view.to_view(i, j) == dense.to_view(i, j)
