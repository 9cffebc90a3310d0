"""LSH banding of MinHash signatures, vectorised: band keys and candidate pairs in bulk.

``optimal_params(threshold, num_perm, false_positive_weight=0.5, false_negative_weight=0.5) -> (bands, rows)``
    datasketch's choice of bands and rows for a Jaccard threshold (same objective).
``band_keys(signatures, bands, rows) -> ndarray``
    One 64-bit key per document and band, shape ``(n, bands)``.
``candidate_pairs(keys, *, max_bucket=DEFAULT_MAX_BUCKET) -> ndarray``
    Unique pairs ``(i, j)``, ``i < j``, that share at least one band key, shape ``(m, 2)``.

Two documents with Jaccard similarity ``s`` share a given band with probability ``s**rows``
and at least one of ``bands`` bands with ``1 - (1 - s**rows)**bands``: the S-curve that
``optimal_params`` places around the threshold.  That is exact for independent positions;
those of fss (``minhash``'s default) and OPH are slightly negatively correlated, so a band
of 5 matches up to 13% less often at Jaccard 0.25-0.45, and as often from 0.5 up
(``speed.md`` 2h).  Candidates still need verifying, e.g.
with ``overlap.signatures.estimate_jaccard`` on their signatures.

Documents whose signature is all ``EMPTY`` (texts without tokens) share every band key;
drop them before banding, or they form one bucket (capped by ``max_bucket``).

>>> from overlap.signatures import minhash
>>> sig = minhash(["một hai ba bốn năm sáu bảy tám", "một hai ba bốn năm sáu bảy tám chín",
...                "trời hôm nay rất đẹp và trong xanh"], num_perm=64, shingle_size=2)
>>> keys = band_keys(sig, 32, 2)
>>> candidate_pairs(keys).tolist()
[[0, 1]]
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._arrays import unique
from .errors import ConfigError

__all__ = ["DEFAULT_MAX_BUCKET", "band_keys", "candidate_pairs", "optimal_params"]

DEFAULT_MAX_BUCKET = 1000
"""Buckets larger than this are chained rather than fully paired (see ``candidate_pairs``)."""

_U64 = np.uint64
_MIX = _U64(0x9E3779B97F4A7C15)


def _check_unit(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ConfigError(f"{name} must be a number in [0, 1]: {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1]: {value!r}")
    return float(value)


def optimal_params(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """Bands and rows minimising the weighted false positive and negative probabilities.

    Same objective and search as datasketch's ``MinHashLSH`` (``_optimal_param``): over
    all ``bands * rows <= num_perm``, minimise ``w_fp * FP + w_fn * FN`` where
    ``FP = integral_0^t 1 - (1 - s**r)**b ds`` and ``FN = integral_t^1 (1 - s**r)**b ds``;
    the first minimum in ``(b, r)`` order wins.  The integrands are polynomials of degree
    at most ``num_perm``, so Gauss-Legendre quadrature with ``num_perm // 2 + 1`` nodes is
    exact; all ``(b, r)`` are evaluated at once (no scipy).  Cost: about
    ``num_perm**2 log(num_perm)`` floats; cached.

    >>> optimal_params(0.8, 128)
    (9, 13)
    """
    t = _check_unit("threshold", threshold)
    if isinstance(num_perm, bool) or not isinstance(num_perm, (int, np.integer)) or num_perm < 2:
        raise ConfigError(f"num_perm must be an integer >= 2: {num_perm!r}")
    wfp = _check_unit("false_positive_weight", false_positive_weight)
    wfn = _check_unit("false_negative_weight", false_negative_weight)
    if not np.isclose(wfp + wfn, 1.0):
        raise ConfigError(f"weights must sum to 1.0: {wfp!r} + {wfn!r}")
    return _optimal_params(t, int(num_perm), wfp, wfn)


@lru_cache(maxsize=64)
def _optimal_params(t: float, num_perm: int, wfp: float, wfn: float) -> tuple[int, int]:
    b_list, r_list = [], []
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            b_list.append(b)
            r_list.append(r)
    bs = np.array(b_list, dtype=np.float64)[:, None]
    rs = np.array(r_list, dtype=np.float64)[:, None]
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(lo: float, hi: float, false_positive: bool) -> np.ndarray:
        if hi <= lo:
            return np.zeros(len(bs))
        s = (hi - lo) / 2 * nodes[None, :] + (hi + lo) / 2
        miss = (1.0 - s**rs) ** bs  # probability that no band matches
        f = 1.0 - miss if false_positive else miss
        return np.asarray((f * weights[None, :]).sum(axis=1) * (hi - lo) / 2)

    error = wfp * integral(0.0, t, True) + wfn * integral(t, 1.0, False)
    best = int(np.argmin(error))  # argmin returns the first minimum, like datasketch's strict <
    return int(b_list[best]), int(r_list[best])


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """64-bit key of each band of each signature: ``(n, bands)`` ``uint64``.

    Band ``i`` covers columns ``[i * rows, (i + 1) * rows)``; its key is a polynomial hash
    of those values and the band index, avalanched with ``fmix64``, so equal bands give
    equal keys and different bands (or the same values in different bands) collide with
    probability about ``2**-64``.  Cost: ``rows`` vectorised passes over ``n * bands``.

    >>> sig = np.array([[1, 2, 3, 4], [1, 2, 3, 5]], dtype=np.uint32)
    >>> k = band_keys(sig, 2, 2)
    >>> bool(k[0, 0] == k[1, 0]), bool(k[0, 1] == k[1, 1])
    (True, False)
    """
    sig = np.asarray(signatures)
    if sig.ndim != 2:
        raise ConfigError(f"signatures must be a 2-D array (n, num_perm), got shape {sig.shape!r}")
    if sig.dtype.kind not in "ui":
        raise ConfigError(f"signatures must be integers, got dtype {sig.dtype}")
    for name, v in (("bands", bands), ("rows", rows)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ConfigError(f"{name} must be a positive integer: {v!r}")
    if bands * rows > sig.shape[1]:
        raise ConfigError(
            f"bands * rows = {bands} * {rows} exceeds num_perm = {sig.shape[1]}; "
            "use optimal_params(threshold, num_perm) to choose them"
        )
    from .hashing import fmix64 as _fmix64

    n = sig.shape[0]
    cols = sig[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    with np.errstate(over="ignore"):
        acc = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _MIX, (n, bands)).copy()
        for j in range(rows):
            acc = _fmix64(acc ^ cols[:, :, j])  # one mixing round per value: order-sensitive
    return acc


def candidate_pairs(keys: np.ndarray, *, max_bucket: int | None = DEFAULT_MAX_BUCKET) -> np.ndarray:
    """Unique pairs of documents sharing at least one band key: ``(m, 2)`` ``int64``.

    Rows are ``(i, j)`` with ``i < j``, sorted.  All bands are handled together: the
    ``n * bands`` keys are sorted once, runs of equal keys are buckets, and every bucket
    of ``L`` documents emits its ``L (L - 1) / 2`` pairs with vectorised index arithmetic;
    duplicates across bands are removed with one sort (``_arrays.unique``).

    ``max_bucket`` guards against boilerplate (a shared template or empty texts putting
    thousands of documents in one bucket, whose pairs would grow quadratically).  A bucket
    of more than ``max_bucket`` documents is *chained* instead: each member is paired only
    with the next one in index order, ``L - 1`` pairs, so the bucket's members stay
    connected (union-find clustering sees the same groups) but the other pairs of that
    bucket are dropped unless another band produces them.  ``None`` disables the cap.

    Cost: one sort of ``n * bands`` keys plus output-size work.

    >>> keys = np.array([[7, 1], [7, 2], [8, 2], [9, 3]], dtype=np.uint64)
    >>> candidate_pairs(keys).tolist()
    [[0, 1], [1, 2]]
    >>> candidate_pairs(np.full((4, 1), 5, dtype=np.uint64), max_bucket=2).tolist()
    [[0, 1], [1, 2], [2, 3]]
    """
    k = np.asarray(keys)
    if k.ndim != 2:
        raise ConfigError(f"keys must be a 2-D array (n, bands), got shape {k.shape!r}")
    if max_bucket is not None and (isinstance(max_bucket, bool) or not isinstance(max_bucket, (int, np.integer)) or max_bucket < 2):
        raise ConfigError(f"max_bucket must be an integer >= 2 or None: {max_bucket!r}")
    n, bands = k.shape
    empty = np.zeros((0, 2), dtype=np.int64)
    if n < 2 or bands == 0:
        return empty
    # Sort each band's keys (stable: within a bucket documents stay in index order), then
    # walk all bands as one band-major sequence; a bucket ends where the key or band changes.
    order = np.argsort(k, axis=0, kind="stable")
    sorted_keys = np.take_along_axis(k, order, axis=0).T.ravel()
    doc = order.T.ravel()
    change = sorted_keys[1:] != sorted_keys[:-1]
    change[n - 1 :: n] = True  # band boundaries
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    sizes = np.diff(np.append(starts, len(sorted_keys)))
    multi = sizes >= 2
    starts, sizes = starts[multi], sizes[multi]
    if len(starts) == 0:
        return empty
    parts = []
    if max_bucket is not None:
        big = sizes > max_bucket
        if big.any():
            # Chain: member t with member t + 1 of each oversized bucket.
            bs, bz = starts[big], sizes[big]
            first = np.repeat(bs, bz - 1) + _ranges(bz - 1)
            parts.append(np.stack((doc[first], doc[first + 1]), axis=1))
            starts, sizes = starts[~big], sizes[~big]
    if len(starts):
        parts.append(_all_pairs(doc, starts, sizes))
    pairs = np.concatenate(parts)
    lo = np.minimum(pairs[:, 0], pairs[:, 1])
    hi = np.maximum(pairs[:, 0], pairs[:, 1])
    code = unique(lo * np.int64(n) + hi)
    return np.stack((code // n, code % n), axis=1).astype(np.int64)


def _ranges(counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(c)`` for each count, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.asarray(np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts))


def _all_pairs(doc: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Every pair within each bucket ``doc[s:s+L]``, as rows of document indices."""
    # Member t of a bucket of size L pairs with the L - 1 - t members after it.
    members = np.repeat(starts, sizes) + _ranges(sizes)
    after = np.repeat(starts + sizes, sizes) - members - 1
    left = np.repeat(members, after)
    right = left + 1 + _ranges(after)
    return np.stack((doc[left], doc[right]), axis=1)


concat_ranges = _ranges
"""``concat_ranges(counts)``: concatenated ``arange(c)`` per count (shared with ``overlap.corpus``)."""
