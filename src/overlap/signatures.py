"""MinHash signatures of many texts at once: compiled kernels (numba), numpy fallback.

``minhash(texts, *, num_perm=128, seed=1, shingle_size=5, workers=1, method="fss") -> ndarray``
    One signature row per text: shape ``(len(texts), num_perm)``, dtype ``uint32``.
``signatures_from_shingles(shingles, offsets=None, *, num_perm=128, seed=1, method="fss", workers=1)``
    The same from shingle hashes you already have (a list of arrays, or flat + offsets).
``shingle_batch(texts, shingle_size=5) -> (flat, offsets)``
    Shingle hashes of many texts as one flat ``uint64`` array and ``n + 1`` offsets.
``estimate_jaccard(sig_a, sig_b) -> float | ndarray``
    Fraction of equal signature positions; row-wise for 2-D inputs (many pairs at once).
``permutations(num_perm, seed) -> (a, b)``
    The ``uint32`` coefficients of the permutation family, for tests and other engines.
``EMPTY``
    The value of every position of an empty text's signature (``2**32 - 1``).
``METHODS``
    The signature schemes: ``("minmax", "oph", "fss")``; ``DEFAULT_METHOD`` is ``"fss"``,
    ``SCAN_METHOD`` (what ``scan`` and ``Index`` sign with) ``"minmax"``.

How a signature is made.  Each text is normalised (``overlap.normalization``), tokenised and
shingled (``overlap.shingle``: hashes of ``shingle_size`` consecutive tokens; a text with
fewer tokens gives one shingle of all of them).  Each 64-bit shingle hash ``h`` is folded
to 32 bits, ``x = (h ^ (h >> 32)) mod 2**32``, and permutation ``k`` maps it to
``pi_k(x) = (a_k * x + b_k) mod 2**32`` with ``a_k`` odd, so it is a bijection of the
32-bit values (datasketch's "affine32" scheme; ``a_k, b_k`` come from SplitMix64 of the
seed).  Min-max hashing (Ji et al., "Min-Max Hash for Jaccard Similarity", ICDM 2013)
takes two signature positions from each permutation: column ``k`` is
``min pi_k(x)`` and column ``ceil(num_perm / 2) + k`` is ``min ~pi_k(x)`` (``~`` is the
order-reversing bijection ``2**32 - 1 - y``, so that column is ``~max pi_k(x)``).  Every
position is the minimum of a bijection, so ``P[sig_a[k] == sig_b[k]] = J(a, b)`` as for
plain MinHash; the two positions of one permutation sample two distinct elements of the
union, which makes the estimate's variance slightly *lower* than with independent
permutations, for half the multiply-adds.  An empty text (no tokens) has every position
equal to ``EMPTY``; two empty texts therefore estimate as identical, so drop them before
comparing if that matters.

Why ``uint32``.  The shingle hashes are already avalanched by ``fmix64``, and on real news
text the error of these 32-bit signatures against exact Jaccard is that of datasketch's
MinHash at the same ``num_perm`` (``benchmarks/bench_minhash.py`` measures every engine),
while memory halves and numpy's 32-bit multiply-add-min runs about 3x faster than 64-bit
arithmetic.  Two different shingles collide in 32 bits with probability ``2**-32`` per
pair, far below the estimate's sampling error ``sqrt(J (1 - J) / num_perm)``.  rensa also
returns ``u32`` digests.

One-permutation hashing, ``method="oph"``.  One hash per shingle instead of
``num_perm / 2``: ``v = ((A * x + B) mod 2**64) >> 32`` (multiply-add-shift, a
2-independent family; ``A`` odd and ``B`` from SplitMix64 of the seed), capped at
``2**32 - 2``.  The top bits pick the bin, ``k = (v * num_perm) >> 32``, and position ``k``
keeps the minimum ``v`` of its bin (Li, Owen and Zhang, NIPS 2012).  A bin no shingle
fell into is filled by *optimal densification* (Shrivastava, ICML 2017): it copies the
first originally non-empty bin of a probe sequence ``j_t = bin(SplitMix64(key ^ k << 32
^ t))``, ``t = 1, 2, ...``, fixed by the seed (after 64 probes, the next non-empty bin
after the last probe).  Both documents of a pair probe in the same order, so for every
position ``P[sig_a[k] == sig_b[k]] = J(a, b)`` still holds and ``estimate_jaccard``
applies unchanged.  Accuracy (tables 4 and 4b of ``benchmarks/results/speed.md``): on
whole articles it beats min-max; on texts of 8 to 32 shingles, such as passage windows,
it is worse, because densification copies a few filled bins into many empty ones.

Fast similarity sketching, ``method="fss"`` (Dahlgaard, Knudsen and Thorup, FOCS 2017;
rensa's flat batch call is of this family).  Three bucket rounds, each with its own
``(A, B)``: in round ``r`` a shingle's OPH hash ``w`` picks bucket ``(w * num_perm) >>
32`` with priority ``r << 30 | w >> 2``; a position no round filled takes ``3 << 30 |
min(pi_k(x)) >> 2`` (``pi_k`` as in min-max).  Each position keeps its least priority,
one i.i.d. draw per shingle, so ``P[sig_a[k] == sig_b[k]] = J(a, b)``; the tag in the
top bits means a round can only fill positions the earlier rounds left empty, so the
kernel's later rounds look only at those.  An empty
position gets a draw of its own, not a copy, so short texts are estimated *better* than
with min-max, and whole articles too (tables 4 and 4b), for one to three hashing rounds.
The default of ``minhash`` and ``dedup``.  ``scan`` and ``Index`` store ``"minmax"``: their
LSH bands were tuned on it, and fss's positions, negatively correlated like OPH's, put
fewer pairs of Jaccard 0.25-0.45 in a band of 5 (``speed.md`` 2h).  Signatures of
different methods are not comparable.

Engines.  The loops run in compiled kernels (``overlap.kernels``, numba, loaded through
``overlap.jit`` on the first signature, not with this module; compiling them is a one-off
per machine, done in the background on a cold cache, and later processes load them from
numba's cache).  Text goes to shingles in one compiled pass (``overlap.textpass``).
Without numba, with the environment variable ``OVERLAP_JIT=0``, or while the cache is
cold, the same signatures come from numpy (bit-identical, slower).

Cost.  ``"minmax"``: ``ceil(num_perm / 2)`` vectorised multiply-add-min-max passes over
each document's shingles; ``"oph"``: one vectorised hash and one scatter-min per shingle,
then one table probe per empty bin, so several times cheaper; ``"fss"``: one such round,
then a pass over the shingles per four buckets still empty (a scatter when many are), then
``len(shingles)`` multiply-adds per position no round filled (figures, with rensa's and
datasketch's: ``benchmarks/results/speed.md``, tables 1, 2g, 2h, 2i).  Turning the text
into shingles costs more than any of them.  ``workers > 1`` in ``signatures_from_shingles``
runs the kernels in threads (they release the GIL); in ``minhash`` it splits the texts into
contiguous chunks handled by worker processes, since normalising runs Python code.  Either
way the result is identical to ``workers=1``: every row depends only on its own shingles.

>>> sig = minhash(["the cat sat on the mat today", "the cat sat on the mat"], num_perm=64)
>>> sig.shape, sig.dtype.name
((2, 64), 'uint32')
>>> 0.3 < estimate_jaccard(sig[0], sig[1]) < 1.0
True
>>> oph = minhash(["the cat sat on the mat today", "the cat sat on the mat"], num_perm=64, method="oph")
>>> bool((oph != EMPTY).all())
True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

from .errors import ConfigError
from .jit import load_kernels as _jit
from .row_threads import split_rows
from .textpass import shingle_batches

__all__ = [
    "EMPTY",
    "DEFAULT_METHOD",
    "METHODS",
    "SCAN_METHOD",
    "estimate_jaccard",
    "minhash",
    "permutations",
    "shingle_batch",
    "signatures_from_shingles",
]

EMPTY = np.uint32(0xFFFFFFFF)
"""Every position of the signature of a text without shingles."""

SIGNATURE_DTYPE = np.dtype(np.uint32)

METHODS = ("minmax", "oph", "fss")
"""Signature schemes: min-max hashing, one-permutation hashing with optimal densification,
or fast similarity sketching (see the module docstring)."""
DEFAULT_METHOD = "fss"
"""The scheme of ``minhash``, ``signatures_from_shingles`` and ``dedup``: the most accurate."""
SCAN_METHOD = "minmax"
"""What ``scan`` and ``Index`` sign with: their LSH bands were tuned on it."""

_FSS_ROUNDS = 3  # bucket rounds of ``"fss"`` before the per-position permutations
# Threads per shingle at num_perm 128 (min-max scales with num_perm): a thread's share of
# the kernel should take a few times what starting it costs (``speed.md``, table 2h).
_THREAD_WORK = {"minmax": 1 / (1 << 17), "fss": 1 / (3 << 17), "oph": 1 / (3 << 18)}

# Shingles processed per pass of the numpy permutation loop: 64k uint32 values (256 KB)
# stay in L2 cache across the multiply, add and min of one permutation.
_CHUNK_SHINGLES = 1 << 16

_U64 = np.uint64
_MASK64 = (1 << 64) - 1




def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(map(repr, METHODS))}: {method!r}")
    return method


def _check_workers(workers: int) -> int:
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ConfigError(f"workers must be a positive integer: {workers!r}")
    return int(workers)


def _validate(num_perm: int, seed: int) -> None:
    if isinstance(num_perm, bool) or not isinstance(num_perm, (int, np.integer)) or num_perm < 1:
        raise ConfigError(f"num_perm must be a positive integer, e.g. 128: {num_perm!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ConfigError(f"seed must be an integer in [0, 2**64): {seed!r}")


def _splitmix64(state: np.ndarray) -> np.ndarray:
    """SplitMix64 output for each uint64 state (Steele et al. 2014), vectorised.

    Used instead of numpy's generators so the permutations of a seed never change
    across numpy versions.
    """
    z = state + _U64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def permutations(num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients ``(a, b)`` (``uint32``, ``a`` odd) of the ``num_perm`` permutations.

    Deterministic for a seed on every platform and numpy version.

    >>> a, b = permutations(4, seed=1)
    >>> a.dtype.name, bool((a % 2 == 1).all()), len(b)
    ('uint32', True, 4)
    """
    _validate(num_perm, seed)
    k = np.arange(2 * num_perm, dtype=np.uint64)
    base = _U64((int(seed) * 0xD1B54A32D192ED03) & _MASK64)
    with np.errstate(over="ignore"):
        raw = _splitmix64(base + k * _U64(0x9E3779B97F4A7C15))
    words = (raw >> _U64(32)).astype(np.uint32)
    a = words[:num_perm] | np.uint32(1)
    b = words[num_perm:]
    return a, b


@lru_cache(maxsize=16)
def _permutations_shared(half: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``permutations(half, seed)``, made once per ``(half, seed)`` for the kernels (shared:
    callers must not write to them)."""
    return permutations(half, seed)


@lru_cache(maxsize=16)
def _oph_keys(seed: int) -> tuple[np.uint64, np.uint64, np.uint64]:
    """``(A, B, probe_key)`` of one-permutation hashing for a seed: ``A`` odd, SplitMix64."""
    base = _U64(((int(seed) * 0xD1B54A32D192ED03) ^ 0x4F5048) & _MASK64)  # "OPH": its own stream
    with np.errstate(over="ignore"):
        raw = _splitmix64(base + np.arange(3, dtype=np.uint64) * _U64(0x9E3779B97F4A7C15))
    return raw[0] | _U64(1), raw[1], raw[2]


@lru_cache(maxsize=16)
def _fss_keys(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, B)`` of the ``_FSS_ROUNDS`` bucket rounds of ``"fss"`` (``A`` odd), SplitMix64;
    shared (cached): callers must not write to them."""
    base = _U64(((int(seed) * 0xD1B54A32D192ED03) ^ 0x465353) & _MASK64)  # "FSS": its own stream
    with np.errstate(over="ignore"):
        raw = _splitmix64(base + np.arange(2 * _FSS_ROUNDS, dtype=np.uint64) * _U64(0x9E3779B97F4A7C15))
    return raw[:_FSS_ROUNDS] | _U64(1), raw[_FSS_ROUNDS:]


_PROBE_TABLE = 16  # probes of optimal densification precomputed per bin (the rest on demand)


@lru_cache(maxsize=16)
def _oph_probes(num_perm: int, seed: int) -> np.ndarray:
    """``(T, num_perm)`` ``int32``: row ``t - 1`` is probe ``t``'s bin for every bin (``T = 16``).

    Probe ``t`` of bin ``k`` is ``bin(SplitMix64(probe_key ^ k << 32 ^ t))``; a table
    because every document with an empty bin walks the same sequences.  Shared (cached):
    callers must not write to it.
    """
    k = np.arange(num_perm, dtype=np.uint64)
    t = np.arange(1, _PROBE_TABLE + 1, dtype=np.uint64)[:, None]
    return _probe_bins(_oph_keys(seed)[2], k, t, num_perm).astype(np.int32)


def _probe_bins(probe_key: np.uint64, k: np.ndarray, t: np.ndarray | np.uint64, num_perm: int) -> np.ndarray:
    """Probe ``t``'s bin for bins ``k`` (broadcast): ``bin(SplitMix64(probe_key ^ k << 32 ^ t))``."""
    with np.errstate(over="ignore"):
        z = _splitmix64(probe_key ^ (k << _U64(32)) ^ t)
    return ((z >> _U64(32)) * _U64(num_perm)) >> _U64(32)


def _fold32(hashes: np.ndarray) -> np.ndarray:
    h = np.asarray(hashes, dtype=np.uint64)
    return (h ^ (h >> _U64(32))).astype(np.uint32)


def _kernel(x: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, num_perm: int) -> np.ndarray:
    """Signatures of documents whose folded shingles are ``x[offsets[i]:offsets[i+1]]``.

    Every document must be non-empty.  Column ``k < len(a)`` is the minimum of
    permutation ``k``; column ``len(a) + k`` is the minimum of its reversal, stored as
    ``~max`` (min-max hashing).  Documents are grouped into chunks of about
    ``_CHUNK_SHINGLES`` shingles (a single larger document is its own chunk).
    """
    n = len(offsets) - 1
    half = len(a)
    out = np.empty((n, num_perm), dtype=np.uint32)
    if n == 0:
        return out
    # Chunk boundaries in document index space, found for all chunks at once.
    targets = np.arange(offsets[0], offsets[-1], _CHUNK_SHINGLES, dtype=np.int64)[1:]
    cuts = np.unique(np.concatenate(([0], np.searchsorted(offsets, targets, "right") - 1, [n])))
    tmp_full = np.empty(max(int(np.diff(offsets[cuts]).max()), 1), dtype=np.uint32)
    for i, j in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        lo, hi = int(offsets[i]), int(offsets[j])
        xs = x[lo:hi]
        tmp = tmp_full[: hi - lo]
        local = offsets[i:j] - lo
        block = out[i:j]
        for k in range(half):
            np.multiply(xs, a[k], out=tmp)
            tmp += b[k]  # wraps modulo 2**32: that wraparound is the permutation
            np.minimum.reduceat(tmp, local, out=block[:, k])
            if half + k < num_perm:
                np.maximum.reduceat(tmp, local, out=block[:, half + k])
    np.invert(out[:, half:], out=out[:, half:])
    return out


_MAX_PROBES = 64  # random densification probes before the circular scan (as overlap.kernels)


def _oph_numpy(flat: np.ndarray, offs: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """One-permutation hashing with optimal densification in numpy: ``overlap.kernels.oph_into``.

    Slow (``np.minimum.at`` and one vectorised round per densification probe); only for
    when numba is unavailable or ``OVERLAP_JIT=0``.
    """
    mul, add, probe_key = _oph_keys(seed)
    n, K = len(offs) - 1, _U64(num_perm)
    with np.errstate(over="ignore"):
        v = (_fold32(flat).astype(np.uint64) * mul + add) >> _U64(32)
    v = np.minimum(v, _U64(0xFFFFFFFE))
    slot = np.repeat(np.arange(n, dtype=np.uint64) * K, np.diff(offs)) + ((v * K) >> _U64(32))
    row = np.full(n * num_perm, EMPTY, dtype=np.uint32)
    np.minimum.at(row, slot.astype(np.int64), v.astype(np.uint32))
    rows = row.reshape(n, num_perm)
    out = rows.copy()
    empty = rows == EMPTY
    empty &= ~empty.all(axis=1, keepdims=True)  # an empty document stays EMPTY
    d, k = np.nonzero(empty)
    k = k.astype(np.uint64)
    last = np.zeros(len(d), dtype=np.uint64)
    pending = np.arange(len(d))
    for t in range(1, _MAX_PROBES + 1):
        if not len(pending):
            break
        j = _probe_bins(probe_key, k[pending], _U64(t), num_perm)
        last[pending] = j
        hit = rows[d[pending], j.astype(np.int64)] != EMPTY
        out[d[pending[hit]], k[pending[hit]].astype(np.int64)] = rows[d[pending[hit]], j[hit].astype(np.int64)]
        pending = pending[~hit]
    for step in range(1, num_perm + 1):
        if not len(pending):
            break
        j = ((last[pending] + _U64(step)) % K).astype(np.int64)
        hit = rows[d[pending], j] != EMPTY
        out[d[pending[hit]], k[pending[hit]].astype(np.int64)] = rows[d[pending[hit]], j[hit]]
        pending = pending[~hit]
    return out


def signatures_from_shingles(
    shingles: Sequence[np.ndarray] | np.ndarray,
    offsets: np.ndarray | Sequence[int] | None = None,
    *,
    num_perm: int = 128,
    seed: int = 1,
    method: str = DEFAULT_METHOD,
    workers: int = 1,
) -> np.ndarray:
    """Signatures of documents given as shingle hashes (``uint64``, any order, repeats ok).

    Either ``shingles`` is a sequence of per-document arrays (``offsets`` omitted), or
    ``shingles`` is one flat array and ``offsets`` its ``n + 1`` non-decreasing
    boundaries, document ``i`` being ``shingles[offsets[i]:offsets[i + 1]]``.  A document
    without shingles gets a row of ``EMPTY``.  Returns ``(n, num_perm)`` ``uint32``.
    ``method`` is ``"fss"`` (the default), ``"minmax"`` or ``"oph"`` (module docstring);
    ``workers`` threads share the documents (the compiled kernels release the GIL), with
    an identical result, and fewer threads when the batch is too small for one to pay for
    starting it.

    Cost: one compiled kernel call per worker, no Python work per document (numpy
    fallback: ``ceil(num_perm / 2)`` passes over the shingles in L2-sized chunks).

    >>> flat = np.array([1, 2, 3, 2, 3, 4], dtype=np.uint64)
    >>> sig = signatures_from_shingles(flat, [0, 3, 3, 6], num_perm=32)
    >>> sig.shape, bool((sig[1] == EMPTY).all())
    ((3, 32), True)
    >>> bool((sig == signatures_from_shingles([flat[:3], flat[:0], flat[3:]], num_perm=32)).all())
    True
    """
    _validate(num_perm, seed)
    _check_method(method)
    _check_workers(workers)
    if offsets is None:
        arrays = [np.asarray(s, dtype=np.uint64).ravel() for s in shingles]
        lengths = np.fromiter((len(s) for s in arrays), dtype=np.int64, count=len(arrays))
        offs = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offs[1:])
        flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64)
    else:
        flat = np.asarray(shingles)
        if flat.ndim != 1:
            raise ConfigError(f"flat shingles must be 1-D, got shape {flat.shape!r}")
        if flat.size and flat.dtype.kind not in "ui":
            raise ConfigError(f"shingle hashes must be integers, got dtype {flat.dtype}")
        flat = flat.astype(np.uint64, copy=False)
        offs = np.asarray(offsets, dtype=np.int64)
        if offs.ndim != 1 or len(offs) < 1 or offs[0] != 0 or offs[-1] != len(flat):
            raise ConfigError(
                f"offsets must run from 0 to len(shingles)={len(flat)}: got {offs[:3]!r}...{offs[-3:]!r}"
            )
        if (offs[1:] < offs[:-1]).any():
            raise ConfigError("offsets must be non-decreasing")
    return _signatures(flat, offs, int(num_perm), int(seed), method, int(workers))


def _signatures(
    flat: np.ndarray, offs: np.ndarray, num_perm: int, seed: int, method: str, workers: int = 1
) -> np.ndarray:
    """Signatures of ``uint64`` shingles ``flat`` cut at ``offs``, compiled or numpy."""
    n = len(offs) - 1
    kern = _jit()
    if kern is None:
        if workers > 1 and n >= 2 * workers:
            return split_rows(lambda lo, hi: _signatures_numpy(flat, offs[lo : hi + 1], num_perm, seed, method),
                              offs, np.empty((n, num_perm), dtype=np.uint32), workers)
        return _signatures_numpy(flat, offs, num_perm, seed, method)
    h = np.ascontiguousarray(flat, dtype=np.uint64)
    offs = np.ascontiguousarray(offs, dtype=np.int64)
    out = np.empty((n, num_perm), dtype=np.uint32)
    if method == "oph":
        mul, add, probe_key = _oph_keys(seed)
        probes = _oph_probes(num_perm, seed)

        def run(lo: int, hi: int) -> None:
            kern.oph_into(h, offs[lo : hi + 1], mul, add, probe_key, probes, out[lo:hi])
    elif method == "fss":
        muls, adds = _fss_keys(seed)
        fa, fb = _permutations_shared(num_perm, seed)

        def run(lo: int, hi: int) -> None:
            kern.fss_into(h, offs[lo : hi + 1], muls, adds, fa, fb, out[lo:hi])
    else:
        a, b = _permutations_shared((num_perm + 1) // 2, seed)

        def run(lo: int, hi: int) -> None:
            kern.minmax_into(h, offs[lo : hi + 1], a, b, out[lo:hi])

    if workers > 1:  # a thread pays for itself only with enough kernel work (speed.md 2h)
        per_shingle = _THREAD_WORK[method] * (num_perm / 128 if method == "minmax" else 1.0)
        workers = min(workers, max(1, int((offs[-1] - offs[0]) * per_shingle)))
    if workers > 1 and n >= 2 * workers:
        return split_rows(run, offs, out, workers)
    run(0, n)
    return out


def _fss_numpy(flat: np.ndarray, offs: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Fast similarity sketching in numpy: ``overlap.kernels.fss_into``, every round at once.

    Without the kernel's early stop: a later round's tag is larger than every value an
    earlier round left, so computing all rounds gives the same least value per position.
    """
    n, K = len(offs) - 1, _U64(num_perm)
    x = _fold32(flat).astype(np.uint64)
    doc = np.repeat(np.arange(n, dtype=np.uint64) * K, np.diff(offs))
    row = np.full(n * num_perm, EMPTY, dtype=np.uint32)
    for r, (mul, add) in enumerate(zip(*_fss_keys(seed))):
        with np.errstate(over="ignore"):
            w = np.minimum((x * mul + add) >> _U64(32), _U64(0xFFFFFFFE))
        np.minimum.at(row, (doc + ((w * K) >> _U64(32))).astype(np.int64), ((r << 30) | (w >> _U64(2))).astype(np.uint32))
    out = row.reshape(n, num_perm)
    a, b = _permutations_shared(num_perm, seed)
    top = _U64(0xFFFFFFFE >> 2)
    for d in np.flatnonzero((out == EMPTY).any(axis=1) & (offs[1:] > offs[:-1])).tolist():
        missing = np.flatnonzero(out[d] == EMPTY)
        xs = x[offs[d] : offs[d + 1]]
        with np.errstate(over="ignore"):
            least = ((a[missing, None].astype(np.uint64) * xs + b[missing, None]) & _U64(0xFFFFFFFF)).min(axis=1)
        out[d, missing] = ((_FSS_ROUNDS << 30) | np.minimum(least >> _U64(2), top)).astype(np.uint32)
    return out


def _signatures_numpy(flat: np.ndarray, offs: np.ndarray, num_perm: int, seed: int, method: str) -> np.ndarray:
    """The numpy path: ``_kernel`` (min-max), ``_oph_numpy`` or ``_fss_numpy``; offsets may start above 0."""
    offs = np.asarray(offs, dtype=np.int64)
    n = len(offs) - 1
    flat = flat[offs[0] : offs[-1]]
    offs = offs - offs[0]
    if method == "oph":
        return _oph_numpy(flat, offs, num_perm, seed)
    if method == "fss":
        return _fss_numpy(flat, offs, num_perm, seed)
    x = _fold32(flat)
    a, b = permutations((num_perm + 1) // 2, seed)
    nonempty = offs[1:] > offs[:-1]
    if nonempty.all():
        return _kernel(x, offs, a, b, num_perm)
    out = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    keep = np.flatnonzero(nonempty)
    sub = np.append(offs[keep], offs[-1])  # empty documents contribute no shingles
    out[keep] = _kernel(x, sub, a, b, num_perm)
    return out


def shingle_batch(texts: Sequence[str], shingle_size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many texts: flat ``uint64`` array and ``n + 1`` offsets.

    Exactly ``overlap.shingle.shingles(tokenize(normalize(t).text).hashes, k)`` for each
    text, computed batch by batch in one compiled pass (``overlap.textpass``).

    >>> flat, offs = shingle_batch(["a b c", "", "d"], shingle_size=2)
    >>> offs.tolist()
    [0, 2, 2, 3]
    """
    _check_texts(texts)
    flats: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]
    counts: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for _, _, flat, per_doc in _shingle_batches(texts, _check_k(shingle_size)):
        flats.append(flat)
        counts.append(per_doc)
    offs = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=offs[1:])
    return np.concatenate(flats), offs


def _check_k(shingle_size: int) -> int:
    if isinstance(shingle_size, bool) or not isinstance(shingle_size, (int, np.integer)) or shingle_size < 1:
        raise ConfigError(f"shingle_size must be a positive integer, e.g. 5: {shingle_size!r}")
    return int(shingle_size)


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, (str, bytes)):
        raise ConfigError("texts must be a sequence of strings, not one string: wrap it in a list")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ConfigError(f"texts[{i}] must be str, got {type(t).__name__}")


def _shingle_batches(texts: Sequence[str], k: int) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Yield ``(lo, hi, flat, per_doc)`` for consecutive batches (``overlap.textpass``)."""
    return shingle_batches(texts, k)


def minhash(
    texts: Sequence[str],
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 5,
    workers: int = 1,
    method: str = DEFAULT_METHOD,
) -> np.ndarray:
    """MinHash signatures of ``texts``: ``(len(texts), num_perm)`` ``uint32``.

    Deterministic for ``(num_perm, seed, shingle_size, method)``; ``workers > 1`` runs
    contiguous chunks of texts in that many processes and returns the same array.
    ``method`` is ``"fss"`` (the default), ``"minmax"`` (what ``scan`` and ``Index`` store)
    or ``"oph"``.  See the module docstring for the schemes and their cost.

    >>> sig = minhash(["Hà Nội mưa to", "HÀ NỘI MƯA TO", ""], num_perm=16)
    >>> bool((sig[0] == sig[1]).all()), bool((sig[2] == EMPTY).all())
    (True, True)
    """
    _validate(num_perm, seed)
    _check_workers(workers)
    _check_method(method)
    k = _check_k(shingle_size)
    if isinstance(texts, (str, bytes)):
        _check_texts(texts)  # refuses one string with a message that says to wrap it
    docs = list(texts)
    _check_texts(docs)
    if workers == 1 or len(docs) < 2 * workers:
        return _minhash_serial(docs, int(num_perm), int(seed), k, method)
    return _minhash_parallel(docs, int(num_perm), int(seed), k, int(workers), method)


def _minhash_serial(texts: list[str], num_perm: int, seed: int, shingle_size: int, method: str) -> np.ndarray:
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    # Shingle and sign batch by batch so memory stays bounded for any number of texts.
    for lo, hi, flat, per_doc in _shingle_batches(texts, shingle_size):
        offs = np.zeros(hi - lo + 1, dtype=np.int64)
        np.cumsum(per_doc, out=offs[1:])
        out[lo:hi] = _signatures(flat, offs, num_perm, seed, method)
    return out


def _minhash_chunk(args: tuple[list[str], int, int, int, str]) -> np.ndarray:
    texts, num_perm, seed, shingle_size, method = args
    return _minhash_serial(texts, num_perm, seed, shingle_size, method)


def _minhash_parallel(
    texts: list[str], num_perm: int, seed: int, shingle_size: int, workers: int, method: str
) -> np.ndarray:
    from concurrent.futures import ProcessPoolExecutor

    # Several chunks per worker balance uneven document lengths; map() keeps input order.
    nchunks = min(len(texts), workers * 4)
    bounds = np.linspace(0, len(texts), nchunks + 1).astype(int).tolist()
    jobs = [(texts[i:j], num_perm, seed, shingle_size, method) for i, j in zip(bounds[:-1], bounds[1:])]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_minhash_chunk, jobs))
    return np.concatenate(parts) if parts else np.empty((0, num_perm), dtype=np.uint32)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float | np.ndarray:
    """Estimated Jaccard similarity: the fraction of positions where signatures agree.

    1-D inputs give a float; 2-D inputs ``(m, num_perm)`` (or one row against many)
    give a float64 array of ``m`` estimates, e.g. ``estimate_jaccard(sig[i], sig[j])``
    for index arrays ``i`` and ``j`` of candidate pairs.  Standard error is about
    ``sqrt(J (1 - J) / num_perm)``.

    >>> s = minhash(["một hai ba bốn năm sáu", "một hai ba bốn năm bảy"], num_perm=8, shingle_size=2)
    >>> estimate_jaccard(s[0], s[0]), estimate_jaccard(s[[0, 0]], s[[0, 1]]).shape
    (1.0, (2,))
    """
    a = np.asarray(sig_a)
    b = np.asarray(sig_b)
    if a.shape[-1:] != b.shape[-1:]:
        raise ConfigError(f"signatures differ in num_perm: {a.shape[-1:]} vs {b.shape[-1:]}")
    if a.ndim == 1 and b.ndim == 1:
        return float(np.count_nonzero(a == b)) / float(a.shape[-1])
    same = np.asarray(np.count_nonzero(a == b, axis=-1), dtype=np.float64)
    return same / float(a.shape[-1])
