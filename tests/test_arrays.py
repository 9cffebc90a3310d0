"""overlap._arrays (sort-based unique, counts, frequent values, sorted membership) against
numpy's own functions, on the shingle hashes of the seeds and on generated integers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap._arrays import frequent, isin_sorted, unique, unique_counts
from overlap.normalization import normalize
from overlap.shingle import shingles, tokenize


def _seed_shingles(seeds: dict[int, str]) -> np.ndarray:
    """Shingle hashes of all seeds, with the repeats real text has (shared passages)."""
    return np.concatenate([shingles(tokenize(normalize(t).text).hashes, 3) for t in seeds.values()])


def test_unique_and_counts_match_numpy_on_seed_shingles(seeds):
    h = _seed_shingles(seeds)
    assert len(unique(h)) < len(h)  # the seeds share passages, so there are repeats
    assert np.array_equal(unique(h), np.unique(h))
    v, c = unique_counts(h)
    nv, nc = np.unique(h, return_counts=True)
    assert np.array_equal(v, nv) and np.array_equal(c, nc)


def test_frequent_and_isin_sorted_on_seed_shingles(seeds):
    h = _seed_shingles(seeds)
    nv, nc = np.unique(h, return_counts=True)
    for k in (1, 2, 3, 5):
        assert np.array_equal(frequent(h.copy(), k), nv[nc >= k])
    shared = frequent(h.copy(), 2)
    one = shingles(tokenize(normalize(seeds[1]).text).hashes, 3)
    assert np.array_equal(isin_sorted(one, shared), np.isin(one, shared))
    assert isin_sorted(one, shared).any() and not isin_sorted(one, shared).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**63 - 1) | st.integers(0, 20), max_size=300), st.integers(1, 4))
def test_helpers_match_numpy_on_any_integers(xs, k):
    x = np.array(xs, dtype=np.int64)
    assert np.array_equal(unique(x), np.unique(x))
    v, c = unique_counts(x)
    nv, nc = np.unique(x, return_counts=True)
    assert np.array_equal(v, nv) and np.array_equal(c, nc)
    assert np.array_equal(frequent(x.copy(), k), nv[nc >= k])
    probe = np.array(xs[::2] + [5, 2**62], dtype=np.int64)
    assert np.array_equal(isin_sorted(probe, nv), np.isin(probe, nv))
