"""overlap.lsh: parameters as datasketch, band keys and candidate pairs against naive references."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from overlap.errors import ConfigError
from overlap.lsh import band_keys, candidate_pairs, optimal_params
from overlap.signatures import minhash

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def _light_edit(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(sentences[:3] + sentences[4:]).replace("Nga", "Liên bang Nga", 2).replace("Mỹ", "Hoa Kỳ", 1)


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
def test_optimal_params_match_datasketch(num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    for threshold in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        for weights in ((0.5, 0.5), (0.2, 0.8), (0.9, 0.1)):
            assert optimal_params(threshold, num_perm, *weights) == _optimal_param(threshold, num_perm, *weights)


@pytest.mark.parametrize(
    ("args", "bad"),
    [((1.5, 128), "1.5"), ((0.8, 1), "1"), ((0.8, 128, 0.7, 0.7), "0.7"), (("x", 128), "'x'")],
)
def test_optimal_params_validation(args: tuple, bad: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(bad)):
        optimal_params(*args)


def _naive_pairs(sig: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs whose signatures agree on every row of some band (no hashing at all)."""
    out = set()
    for i, j in combinations(range(len(sig)), 2):
        for b in range(bands):
            if np.array_equal(sig[i, b * rows : (b + 1) * rows], sig[j, b * rows : (b + 1) * rows]):
                out.add((i, j))
                break
    return out


# Tiny value alphabets make many bands equal, so buckets of every size occur.
_SIGS = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda bands: st.tuples(
            st.just(bands),
            st.just(rows),
            arrays(np.uint32, st.tuples(st.integers(0, 12), st.just(bands * rows + 1)), elements=st.integers(0, 2)),
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(_SIGS)
def test_band_keys_and_candidate_pairs_match_naive_reference(case) -> None:
    bands, rows, sig = case
    keys = band_keys(sig, bands, rows)
    assert keys.shape == (len(sig), bands) and keys.dtype == np.uint64
    for b in range(bands):  # equal band values <=> equal keys
        for i, j in combinations(range(len(sig)), 2):
            same = np.array_equal(sig[i, b * rows : (b + 1) * rows], sig[j, b * rows : (b + 1) * rows])
            assert same == (keys[i, b] == keys[j, b])
    pairs = candidate_pairs(keys, max_bucket=None)
    assert pairs.dtype == np.int64 and pairs.shape[1:] == (2,)
    assert [tuple(p) for p in pairs.tolist()] == sorted(_naive_pairs(sig, bands, rows))


def test_same_values_in_different_bands_do_not_collide() -> None:
    sig = np.array([[1, 2, 3, 4], [3, 4, 1, 2]], dtype=np.uint32)
    keys = band_keys(sig, 2, 2)
    assert len(set(keys.ravel().tolist())) == 4
    assert candidate_pairs(keys).tolist() == []


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint64, st.tuples(st.integers(0, 30), st.integers(1, 3)), elements=st.integers(0, 3)), st.integers(2, 6))
def test_max_bucket_chains_oversized_buckets(keys: np.ndarray, cap: int) -> None:
    """Reference: buckets <= cap give all pairs, larger ones consecutive members only."""
    expected = set()
    for b in range(keys.shape[1]):
        for value in np.unique(keys[:, b]):
            members = np.flatnonzero(keys[:, b] == value).tolist()
            if len(members) <= cap:
                expected |= set(combinations(members, 2))
            else:
                expected |= set(zip(members, members[1:]))
    got = candidate_pairs(keys, max_bucket=cap)
    assert [tuple(p) for p in got.tolist()] == sorted(expected)


def test_candidate_pairs_validation() -> None:
    with pytest.raises(ConfigError, match="max_bucket"):
        candidate_pairs(np.zeros((3, 2), dtype=np.uint64), max_bucket=1)
    with pytest.raises(ConfigError, match="2-D"):
        candidate_pairs(np.zeros(3, dtype=np.uint64))
    with pytest.raises(ConfigError, match="optimal_params"):
        band_keys(np.zeros((2, 8), dtype=np.uint32), 3, 3)


def test_lsh_finds_light_edit_of_seed_000_and_nothing_unrelated() -> None:
    texts = SEEDS + [_light_edit(SEEDS[0])]
    sig = minhash(texts, num_perm=128)
    bands, rows = optimal_params(0.5, 128)
    pairs = candidate_pairs(band_keys(sig, bands, rows)).tolist()
    edit = len(texts) - 1
    assert [0, edit] in pairs
    # The other seeds are different articles (000/001 report the same event in their
    # own words): with a 0.5 threshold none of them pair with each other.
    assert pairs == [[0, edit]]


def test_recall_of_lsh_on_pairs_above_threshold() -> None:
    """Every generated near-duplicate (Jaccard ~0.93, threshold 0.7) is a candidate.

    optimal_params(0.7, 128) = (14, 9): a pair with J = 0.93 is missed with probability
    (1 - 0.93**9)**14 ~ 3e-5, so a miss here means broken banding, not bad luck.
    """
    rng = np.random.default_rng(5)
    texts = list(SEEDS)
    for n, text in enumerate(SEEDS):
        words = text.split()
        for i in rng.choice(len(words), max(1, len(words) // 150), replace=False):
            words[i] = "đã"
        texts.append(" ".join(words))
    sig = minhash(texts, num_perm=128)
    assert optimal_params(0.7, 128) == (14, 9)
    pairs = {tuple(p) for p in candidate_pairs(band_keys(sig, *optimal_params(0.7, 128))).tolist()}
    assert all((n, n + len(SEEDS)) in pairs for n in range(len(SEEDS)))
