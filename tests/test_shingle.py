"""overlap.shingle: the vectorised tokenizer and shingles against plain-Python references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overlap.normalization import normalize
from overlap.shingle import _Q, _fmix64, _reference_tokenize, shingle_set, shingles, tokenize

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
MASK = 2**64 - 1


def _as_triples(text: str) -> list[tuple[int, int, int]]:
    t = tokenize(text)
    return [(int(s), int(e), int(h)) for s, e, h in zip(t.starts, t.ends, t.hashes)]


def _reference_shingles(hashes: list[int], k: int) -> list[int]:
    """Plain-Python statement of the shingle hash: fmix64(sum h[i+j] * Q**j)."""
    if not hashes:
        return []
    k = min(k, len(hashes))
    out = []
    for i in range(len(hashes) - k + 1):
        acc = 0
        for j in range(k):
            acc = (acc + hashes[i + j] * pow(int(_Q), j, 2**64)) & MASK
        out.append(int(_fmix64(np.array([acc], dtype=np.uint64))[0]))
    return out


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_tokenize_matches_reference_on_seeds(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    view = normalize(raw).text
    assert _as_triples(view) == _reference_tokenize(view)
    assert _as_triples(raw) == _reference_tokenize(raw)  # also on the unnormalised text


def test_number_joiners_and_apostrophes() -> None:
    text = "giá 100.000 đồng, 7,5 giờ ngày 11/01/2022 và 6-2021; don't 'quote' 1.a a.1 1. .1"
    words = [text[s:e] for s, e, _ in _reference_tokenize(text)]
    assert words == [
        "giá", "100.000", "đồng", "7,5", "giờ", "ngày", "11/01/2022", "và", "6-2021",
        "don't", "quote", "1", "a", "a", "1", "1", "1",
    ]
    assert _as_triples(text) == _reference_tokenize(text)


# Text built from the characters that matter to the rules: Vietnamese letters (precomposed
# and combining marks), digits, the joiners, apostrophes, spaces and punctuation, other
# scripts and astral characters (emoji, mathematical letters, astral digits).
_ALPHABET = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
    + list("AĂÂĐÊÔƠƯÀỆỸ0123456789.,/-''  \n\t;:!?\"()")
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u00bd", "\u2167", "\u0661", "\u00b2"]
    + ["\U0001f600", "\U0001d400", "\U0001d7ce", "\U00010400", "\U0001e950", "\U000e0100", "\u4e2d", "\u0416"]
)
_TEXT = st.lists(_ALPHABET, max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_tokenize_matches_reference_on_generated_text(text: str) -> None:
    assert _as_triples(text) == _reference_tokenize(text)


# Short texts over a tiny alphabet put every kind of character next to every joiner.
_EDGES = st.lists(
    st.sampled_from(["a", "ă", "1", "٣", "²", "½", "Ⅷ", "\u0301", "\U0001d400", "\U0001d7ce", "'", ".", ",", "/", "-", " "]),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_EDGES)
def test_tokenize_matches_reference_around_joiners(text: str) -> None:
    assert _as_triples(text) == _reference_tokenize(text)


def test_apostrophe_joins_letters_only_regression() -> None:
    # Pinned: "½", "Ⅷ" and combining marks are word characters but not letters, so an
    # apostrophe next to them splits (the vectorised path once treated them as letters).
    for text in ["½'a", "a'½", "Ⅷ'a", "e\u0301'a", "\u0301'a"]:
        assert _as_triples(text) == _reference_tokenize(text)
        assert len(tokenize(text)) == 2
    assert len(tokenize("don't")) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_tokenize_matches_reference_on_any_unicode(text: str) -> None:
    assert _as_triples(text) == _reference_tokenize(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, MASK), max_size=12), st.integers(1, 6))
def test_shingles_match_reference(hashes: list[int], k: int) -> None:
    got = shingles(np.array(hashes, dtype=np.uint64), k)
    assert got.dtype == np.uint64
    assert got.tolist() == _reference_shingles(hashes, k)


def test_short_text_gives_one_shingle_of_all_tokens() -> None:
    h = tokenize("một hai").hashes
    assert len(shingles(h, 5)) == 1
    assert shingles(h, 5)[0] == shingles(h, 2)[0]
    assert len(shingles(tokenize("").hashes, 5)) == 0


def test_shingle_set_is_sorted_unique() -> None:
    s = shingle_set("a b a b a b", 2)
    assert s.tolist() == sorted(set(s.tolist()))
    assert len(s) == 2  # "a b" and "b a"
