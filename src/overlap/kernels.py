"""Compiled (numba) kernels behind ``overlap.signatures`` and ``overlap.shingle.tokenize_many``: the hot loops, nothing else.

``minmax_into(h, offsets, a, b, out)``
    Min-max MinHash of every document, written into ``out``; bit-identical to the numpy
    kernel ``overlap.signatures._kernel`` (same permutations, same columns).
``oph_into(h, offsets, mul, add, probe_key, probes, out)``
    One-permutation hashing with optimal densification (``minhash(..., method="oph")``).
``fss_into(h, offsets, mul, add, a, b, out)``
    Fast similarity sketching: bucket rounds, then one permutation per position no round
    filled (``minhash(..., method="fss")``).
``intersections_into``, ``distinct_sets_into``, ``exact_keys_into``, ``greedy_into``, ``bucket_layout_into``, ``bucket_greedy_into``
    The deduplication kernels (``overlap.kernels_dedup``), re-exported here so that
    ``overlap.jit.load_kernels()`` gives every kernel from one module.
``sentence_spans_into``, ``name_spans_into``
    Sentence spans and name phrases (``overlap.kernels_segment``, ``overlap.kernels_names``;
    loaded on first use like the next).
``average_linkage_into(lo, hi, weight, threshold, label)``
    Average-linkage story groups (``overlap.kernels_stories``, re-exported like the
    deduplication kernels, but loaded on first use).
``sampled_terms_into``, ``term_buckets``, ``rare_postings_of``, ``postings_by_document``, ``vocabulary_links_of``
    Rare-vocabulary terms, postings and links (``overlap.kernels_vocabulary``, likewise).
``tokenize_into``, ``text_shingles_into``, ``text_tokens_into``, ``windows_into``
    Tokens of many documents' code points, raw text to shingles or to tokens in one pass
    with the normaliser's folding, and shingle hashes of tokens (``overlap.kernels_text``,
    re-exported here).

Inputs are the flat ``uint64`` shingle hashes ``h`` and ``n + 1`` ``int64`` document
offsets; ``out`` is a C-contiguous ``(n, num_perm)`` ``uint32`` array.  Every kernel has
one explicit signature, so it is compiled once (or loaded from numba's on-disk cache,
``cache=True``) when this module is imported, never again per call; callers must pass
exactly these dtypes and contiguous arrays (``overlap.signatures`` does).  The helpers
that only kernels call (``_splitmix64``, ``_oph_value``, ``_bin_shift``, ``_bin_pairs``,
``_empty_bins``, ``_list_empty``, ``_densify`` and the ``fss`` round helpers here;
``kernels_text``'s ``_fmix64``, ``_window_hashes``, ``_token_edges``, ``_index``,
``_fold_tones``) have none: they are compiled into their callers, so loading a cached
kernel never loads them.  All kernels release the GIL
(``nogil=True``), so threads run them on several cores at once.

Importing this module imports numba and loads or compiles the kernels: a fraction of a
second from numba's cache, several seconds the first time on a machine (table 1 of
``benchmarks/results/speed.md``, from ``bench_minhash.bench_jit_startup``), which is why
``overlap.signatures`` imports it only when it computes signatures, and falls back to its
numpy kernels when numba is missing or ``OVERLAP_JIT=0``.

Why the loops look as they do.  *minmax*: per document, the 32-bit folded shingles of a
block of at most ``_BLOCK`` (L1-sized) are written to a scratch array; then for each pair
of permutations one pass over that block keeps ``min`` and ``max`` of ``a*x + b`` in
registers.  That inner loop is a reduction LLVM vectorises (``vpmulld``, ``vpminud``,
``vpmaxud``), with no store per shingle.  *oph*: one vectorised pass hashes a block to
32-bit values, then a scalar pass keeps the minimum per bin (a scatter) in two copies of
the bins, even and odd shingles apart, so that a load seldom waits on the store just
before it; then the empty bins, read off a 64-bit mask per 64 bins (``_empty_mask64``,
a vector compare in LLVM IR), each take the first probe of a precomputed table.  *fss*:
round 1 is OPH's hashing and binning, and the same vectorised pass hashes round 2 into a
scratch array; a later round looks only at the buckets still empty, by one vectorised
xor-min pass per four buckets when there are at most ``_FSS_OPEN``, else by one scatter
pass (``speed.md`` 2i); the empty ones are listed off the same 64-bit masks.  *All*: a
document is read through a view that starts at 0.  Indexing ``h[start + s]`` with a
signed ``start`` makes LLVM allow for a negative index and turn every vectorised load
into a gather.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.cpython.unsafe.numbers import trailing_zeros
from numba.extending import intrinsic

from .kernels_dedup import bucket_greedy_into, bucket_layout_into, distinct_sets_into, exact_keys_into, greedy_into, intersections_into
from .kernels_text import text_shingles_into, text_tokens_into, tokenize_into, windows_into

# Loaded on first use: ``dedup`` and ``minhash`` never call them, and loading them from
# numba's cache is a measurable part of a short run's start-up.
_LAZY = {"average_linkage_into": "kernels_stories", "postings_by_document": "kernels_vocabulary",
         "rare_postings_of": "kernels_vocabulary", "sampled_terms_into": "kernels_vocabulary",
         "sentence_spans_into": "kernels_segment", "name_spans_into": "kernels_names",
         "term_buckets": "kernels_vocabulary", "vocabulary_links_of": "kernels_vocabulary"}


def __getattr__(name: str) -> Any:
    """The story and vocabulary kernels (``_LAZY``), imported when first asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__package__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "average_linkage_into", "bucket_greedy_into", "bucket_layout_into", "distinct_sets_into", "exact_keys_into",
    "fss_into", "greedy_into", "intersections_into", "minmax_into", "name_spans_into", "oph_into", "postings_by_document", "rare_postings_of",
    "sampled_terms_into", "sentence_spans_into", "term_buckets", "text_shingles_into", "text_tokens_into", "tokenize_into", "vocabulary_links_of", "windows_into",
]

_U32MAX = np.uint32(0xFFFFFFFF)
_S32 = np.uint64(32)
# Shingles folded into the scratch block at a time: 4096 x 4 bytes stay in L1 across the
# ceil(num_perm / 2) passes over them.
_BLOCK = 4096
# Random probes of optimal densification before the deterministic circular scan.
_MAX_PROBES = 64
# Shingles hashed into the scratch block at a time by ``oph_into`` (4 KB, stays in L1).
_OPH_BLOCK = 1024
# ``oph_into``'s chunk of fixed length, hashed then binned (chosen in table 2h of speed.md).
_OPH_CHUNK = 192
# At most this many empty buckets, a later ``fss_into`` round searches them (a vectorised
# pass per four); more take one scatter pass over all buckets (``speed.md`` 2i).
_FSS_OPEN = 16

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


@numba.njit(inline="always", **_OPTS)
def _splitmix64(state):  # pragma: no cover - compiled
    """SplitMix64 output of one state: the same function as ``overlap.signatures._splitmix64``."""
    z = state + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit("void(uint64[::1], int64[::1], uint32[::1], uint32[::1], uint32[:, ::1])", **_OPTS)
def minmax_into(h, offsets, a, b, out):  # pragma: no cover - compiled
    """Column ``k < len(a)``: ``min (a[k]*x + b[k]) mod 2**32``; column ``len(a) + k``: ``~max``.

    ``x = (h ^ (h >> 32)) mod 2**32`` is folded here (no ``uint32`` copy of the input).
    An empty document gets ``2**32 - 1`` everywhere (``~max`` of nothing is ``~0``).
    """
    n = offsets.shape[0] - 1
    half = a.shape[0]
    num_perm = out.shape[1]
    x = np.empty(_BLOCK, np.uint32)
    mn = np.empty(half, np.uint32)
    mx = np.empty(half, np.uint32)
    for i in range(n):
        for k in range(half):
            mn[k] = _U32MAX
            mx[k] = 0
        start = offsets[i]
        end = offsets[i + 1]
        while start < end:
            m = min(end - start, _BLOCK)
            part = h[start : start + m]  # a view from 0: contiguous vector loads, no gather
            for s in range(m):
                v = part[s]
                x[s] = np.uint32(v ^ (v >> _S32))
            k = 0
            # Two permutations per pass: one load of x feeds both, four independent
            # accumulators keep the multiplier busy.
            while k + 1 < half:
                a0 = a[k]
                b0 = b[k]
                a1 = a[k + 1]
                b1 = b[k + 1]
                lo0 = mn[k]
                hi0 = mx[k]
                lo1 = mn[k + 1]
                hi1 = mx[k + 1]
                for s in range(m):
                    xs = x[s]
                    v0 = np.uint32(a0 * xs + b0)  # wraps modulo 2**32: the permutation
                    v1 = np.uint32(a1 * xs + b1)
                    lo0 = min(lo0, v0)
                    hi0 = max(hi0, v0)
                    lo1 = min(lo1, v1)
                    hi1 = max(hi1, v1)
                mn[k] = lo0
                mx[k] = hi0
                mn[k + 1] = lo1
                mx[k + 1] = hi1
                k += 2
            if k < half:
                a0 = a[k]
                b0 = b[k]
                lo0 = mn[k]
                hi0 = mx[k]
                for s in range(m):
                    v0 = np.uint32(a0 * x[s] + b0)
                    lo0 = min(lo0, v0)
                    hi0 = max(hi0, v0)
                mn[k] = lo0
                mx[k] = hi0
            start += m
        for k in range(half):
            out[i, k] = mn[k]
        for k in range(num_perm - half):
            out[i, half + k] = ~mx[k]


@numba.njit(inline="always", **_OPTS)
def _oph_value(w, mul, add):  # pragma: no cover - compiled
    """``min(((mul * fold32(w) + add) mod 2**64) >> 32, 2**32 - 2)``: a shingle's OPH value."""
    return min(np.uint32((mul * np.uint64(np.uint32(w ^ (w >> _S32))) + add) >> _S32), np.uint32(0xFFFFFFFE))


@intrinsic
def _empty_mask64(typingctx, row, g):  # pragma: no cover - compiled
    """Bit ``b`` set where ``row[g + b] == 2**32 - 1``, ``b < 64``; needs ``g + 64 <= len(row)``.

    In LLVM IR because numba has no vector compare: one 64-lane load and compare whose
    lane flags are bitcast to an integer, which LLVM lowers to a few vector compares into
    mask registers (or ``movmsk`` without AVX-512), not a loop of 64 or a store of flags.
    """
    sig = types.uint64(row, g)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        lanes = ir.VectorType(ir.IntType(32), 64)
        vec = builder.load(builder.bitcast(builder.gep(data, [args[1]]), lanes.as_pointer()), align=4)
        hit = builder.icmp_unsigned("==", vec, ir.Constant(lanes, [0xFFFFFFFF] * 64))
        return builder.bitcast(hit, ir.IntType(64))

    return sig, codegen


@numba.njit(inline="always", **_OPTS)
def _empty_bins(row, g, K):  # pragma: no cover - compiled
    """The empty bins ``g..min(g + 64, K)`` of ``row`` as the set bits of a mask."""
    if g + 64 <= K:
        return _empty_mask64(row, g)  # type: ignore[call-arg]  # an intrinsic: mypy sees its codegen signature
    bits = np.uint64(0)
    for b in range(K - g):
        bits |= np.uint64(row[g + b] == _U32MAX) << np.uint64(b)
    return bits


@numba.njit(inline="always", **_OPTS)
def _list_empty(row, K, pending):  # pragma: no cover - compiled
    """The empty positions of ``row`` into ``pending``, in order, and how many: read off a
    mask per 64 positions (``_empty_bins``), so the cost is in the empty ones, not in ``K``."""
    left = 0
    for g in range(0, K, 64):
        bits = _empty_bins(row, g, K)
        while bits:
            pending[left] = g + trailing_zeros(bits)  # type: ignore[call-arg]
            left += 1
            bits &= bits - np.uint64(1)
    return left


@numba.njit(inline="always", **_OPTS)
def _densify(row, K, probe_key, probes, pending, out):  # pragma: no cover - compiled
    """Fill ``out[k]`` for each empty bin ``k`` of ``row`` from its probe sequence.

    The empty bins are read off a mask per 64 bins (``_empty_bins``, a count of trailing
    zeros per bin) and each takes its first probe at once; the few the first probe did
    not fill (it hit another empty bin) are left to ``_densify_rest``.
    """
    missed = 0
    for g in range(0, K, 64):
        bits = _empty_bins(row, g, K)
        while bits:
            # trailing_zeros is a numba intrinsic: numba types the call, mypy sees its codegen signature
            k = g + trailing_zeros(bits)  # type: ignore[call-arg]
            bits &= bits - np.uint64(1)
            got = row[probes[0, k]]
            out[k] = got
            missed += got == _U32MAX
    if missed:
        _densify_rest(row, K, probe_key, probes, pending, out)


@numba.njit(inline="always", **_OPTS)
def _densify_rest(row, K, probe_key, probes, pending, out):  # pragma: no cover - compiled
    """Probes ``1, 2, ...`` for the bins ``k`` still empty after the first (``out[k]`` empty).

    Probe ``t`` is tried for every such bin at once; the table ``probes`` holds the first
    ``T``, the rest come from ``probe_key``, and a circular scan ends the sequence.
    """
    k64 = np.uint64(K)
    left = _list_empty(out, K, pending)
    T = probes.shape[0]
    for t in range(1, T):
        kept = 0
        for e in range(left):
            k = pending[e]
            got = row[probes[t, k]]
            out[k] = got
            pending[kept] = k
            kept += got == _U32MAX
        left = kept
        if left == 0:
            return
    for e in range(left):  # rare (tiny documents): probes past the table, then a circular scan
        k = pending[e]
        j = np.uint64(0)
        found = False
        for t in range(T + 1, _MAX_PROBES + 1):
            z = _splitmix64(probe_key ^ (np.uint64(k) << _S32) ^ np.uint64(t))
            j = ((z >> _S32) * k64) >> _S32
            if row[j] != _U32MAX:
                found = True
                break
        if not found:
            if T >= _MAX_PROBES:  # the scan starts after the last probe
                j = np.uint64(probes[_MAX_PROBES - 1, k])
            for step in range(1, K + 1):
                jj = (j + np.uint64(step)) % k64
                if row[jj] != _U32MAX:
                    j = jj
                    break
        out[k] = row[j]


@numba.njit(inline="always", **_OPTS)
def _bin_shift(K):  # pragma: no cover - compiled
    """``(pow2, shift)``: whether ``K >= 2`` is a power of 2, and ``32 - log2(K)`` (rounded
    up), so that a 32-bit hash ``v``'s bin ``(v * K) >> 32`` is then ``v >> shift``."""
    p = 0
    while (1 << p) < K:
        p += 1
    return K >= 2 and (1 << p) == K, np.uint32(32 - p)


@numba.njit(inline="always", **_OPTS)
def _bin_pairs(block, pairs, shift, K, rows):  # pragma: no cover - compiled
    """Minimum per bin of ``block[:pairs]`` (``pairs`` even, ``K`` a power of 2): even
    shingles into ``rows[:K]``, odd ones into ``rows[K:]``, so a load seldom waits on the
    store just before it."""
    for s in range(0, pairs, 2):
        v0 = block[s]
        v1 = block[s + 1]
        j0 = v0 >> shift
        j1 = (v1 >> shift) + K
        rows[j0] = min(rows[j0], v0)
        rows[j1] = min(rows[j1], v1)


@numba.njit("void(uint64[::1], int64[::1], uint64, uint64, uint64, int32[:, ::1], uint32[:, ::1])", **_OPTS)
def oph_into(h, offsets, mul, add, probe_key, probes, out):  # pragma: no cover - compiled
    """One-permutation hashing with optimal densification; see ``overlap.signatures``.

    ``v = ((mul * x + add) mod 2**64) >> 32`` (capped at ``2**32 - 2``), bin
    ``(v * K) >> 32``, minimum per bin; empty bin ``k`` copies the first originally
    non-empty bin of its probe sequence, whose first ``T`` bins are ``probes[:, k]``
    (made once per seed by ``overlap.signatures``) and the rest come from ``probe_key``.
    """
    n = offsets.shape[0] - 1
    K = out.shape[1]
    k64 = np.uint64(K)
    pow2, shift = _bin_shift(K)
    # Two copies of the bins, even shingles into one and odd into the other, merged after:
    # a shingle's load of its bin rarely waits on the previous shingle's store.
    rows = np.empty(2 * K, np.uint32)
    block = np.empty(_OPH_BLOCK, np.uint32)
    pending = np.empty(K, np.int64)
    for i in range(n):
        for k in range(2 * K):
            rows[k] = _U32MAX
        doc = h[offsets[i] : offsets[i + 1]]  # a view from 0: contiguous vector loads, no gather
        full = doc.shape[0] - doc.shape[0] % _OPH_CHUNK if pow2 else 0
        for lo in range(0, full, _OPH_CHUNK):  # loops of a fixed length: no remainder code
            part = doc[lo : lo + _OPH_CHUNK]
            for s in range(_OPH_CHUNK):  # vectorised
                block[s] = _oph_value(part[s], mul, add)
            _bin_pairs(block, _OPH_CHUNK, shift, K, rows)
        rest = doc[full:]  # the last partial chunk, or every shingle when K is not a power of 2
        for lo in range(0, rest.shape[0], _OPH_BLOCK):
            part = rest[lo : lo + _OPH_BLOCK]
            m = part.shape[0]
            for s in range(m):  # vectorised
                block[s] = _oph_value(part[s], mul, add)
            pairs = m - (m & 1)
            if pow2:  # the loop twice rather than a test per shingle
                _bin_pairs(block, pairs, shift, K, rows)
            else:
                for s in range(0, pairs, 2):
                    v0 = block[s]
                    v1 = block[s + 1]
                    j0 = np.uint32((np.uint64(v0) * k64) >> _S32)
                    j1 = np.uint32((np.uint64(v1) * k64) >> _S32) + K
                    rows[j0] = min(rows[j0], v0)
                    rows[j1] = min(rows[j1], v1)
            if pairs < m:
                v0 = block[pairs]
                j0 = np.uint32((np.uint64(v0) * k64) >> _S32)
                rows[j0] = min(rows[j0], v0)
        for k in range(K):
            r = min(rows[k], rows[k + K])
            rows[k] = r
            out[i, k] = r
        if doc.shape[0]:  # a document without shingles keeps every bin empty
            _densify(rows, K, probe_key, probes, pending, out[i])


@numba.njit(inline="always", **_OPTS)
def _fss_round(doc, mul, add, tag, K, pow2, shift, rows, block):  # pragma: no cover - compiled
    """One bucket round of ``fss_into`` over every bucket: each shingle's ``tag | w >> 2``
    into the bucket of ``w`` (any ``K``)."""
    k64 = np.uint64(K)
    for lo in range(0, doc.shape[0], _OPH_BLOCK):
        part = doc[lo : lo + _OPH_BLOCK]
        m = part.shape[0]
        for s in range(m):  # vectorised
            block[s] = _oph_value(part[s], mul, add)
        for s in range(m):
            w = block[s]
            j = (w >> shift) if pow2 else np.uint32((np.uint64(w) * k64) >> _S32)
            j += np.uint32(K) * np.uint32(s & 1)  # even and odd shingles into two copies
            rows[j] = min(rows[j], tag | (w >> np.uint32(2)))


@numba.njit(inline="always", **_OPTS)
def _bin_all(vals, shift, K, rows):  # pragma: no cover - compiled
    """``_bin_pairs`` over every value of ``vals``, the odd last one too."""
    m = vals.shape[0]
    pairs = m - (m & 1)
    _bin_pairs(vals, pairs, shift, K, rows)
    if pairs < m:
        v0 = vals[pairs]
        j0 = v0 >> shift
        rows[j0] = min(rows[j0], v0)


@numba.njit(inline="always", **_OPTS)
def _xor_least(vals, shift, pending, nopen, least):  # pragma: no cover - compiled
    """Fold ``vals`` (``w >> 2``, bucket ``v >> shift``) into ``least[e]``, the least of
    ``v ^ pending[e] << shift``: below ``1 << shift`` only if a value fell in bucket
    ``pending[e]``, and then that value's low bits.  One vectorised pass per four buckets."""
    for e in range(0, nopen, 4):  # four buckets per pass: one load, four xor-mins
        e1, e2, e3 = min(e + 1, nopen - 1), min(e + 2, nopen - 1), min(e + 3, nopen - 1)
        k0 = np.uint32(np.uint32(pending[e]) << shift)  # uint32 << uint32 is 64-bit in numba
        k1 = np.uint32(np.uint32(pending[e1]) << shift)
        k2 = np.uint32(np.uint32(pending[e2]) << shift)
        k3 = np.uint32(np.uint32(pending[e3]) << shift)
        lo0, lo1, lo2, lo3 = least[e], least[e1], least[e2], least[e3]
        for s in range(vals.shape[0]):  # vectorised, 32-bit lanes
            v = vals[s]
            lo0 = min(lo0, np.uint32(v ^ k0))
            lo1 = min(lo1, np.uint32(v ^ k1))
            lo2 = min(lo2, np.uint32(v ^ k2))
            lo3 = min(lo3, np.uint32(v ^ k3))
        least[e3] = lo3  # a repeated bucket (past the end) writes the same value first
        least[e2] = lo2
        least[e1] = lo1
        least[e] = lo0


@numba.njit(inline="always", **_OPTS)
def _bin_tagged(vals, tag, shift, K, rows):  # pragma: no cover - compiled
    """``tag | v`` into bucket ``v >> shift`` for each ``v`` of ``vals``, in two copies."""
    for s in range(vals.shape[0]):
        v = vals[s]
        j = (v >> shift) + np.uint32(K) * np.uint32(s & 1)
        rows[j] = min(rows[j], tag | v)


@numba.njit(inline="always", **_OPTS)
def _merge_rows(rows, K, row):  # pragma: no cover - compiled
    """``row[k] = min`` of the two copies of bucket ``k``; returns how many are empty (vectorised)."""
    left = 0
    for k in range(K):
        v = min(rows[k], rows[k + K])
        row[k] = v
        left += v == _U32MAX
    return left


@numba.njit("void(uint64[::1], int64[::1], uint64[::1], uint64[::1], uint32[::1], uint32[::1], uint32[:, ::1])", **_OPTS)
def fss_into(h, offsets, mul, add, a, b, out):  # pragma: no cover - compiled
    """Fast similarity sketching (``method="fss"``); see ``overlap.signatures``.

    Round ``r < R = len(mul)`` puts each shingle in one bucket with priority ``r << 30 |
    w >> 2`` (``w``: its 32-bit hash in that round); position ``k`` keeps the least, and a
    position no round filled takes ``R << 30 | min((a[k] * x + b[k]) mod 2**32) >> 2``.
    A round can only fill positions the rounds before left empty (its tag is larger), so
    rounds after the first look only at those, and stop once none is left.  When ``K``
    is a power of 2, round 1 is ``oph_into``'s binning of ``w >> 2`` and hashes round 2
    in the same vectorised pass, kept for the document in ``second``.
    """
    n = offsets.shape[0] - 1
    K = out.shape[1]
    R = mul.shape[0]
    pow2, shift = _bin_shift(K)
    s2 = shift - np.uint32(2)  # the bucket of v = w >> 2 is v >> s2
    rows = np.empty(2 * K, np.uint32)
    block = np.empty(_OPH_BLOCK, np.uint32)
    longest = 0
    for i in range(n):
        longest = max(longest, offsets[i + 1] - offsets[i])
    second = np.empty(longest if pow2 else 0, np.uint32)
    pending = np.empty(K, np.int64)
    least = np.empty(K, np.uint32)
    top = np.uint32(0xFFFFFFFE) >> np.uint32(2)  # the largest fallback fraction: never EMPTY
    two = np.uint32(2)
    m0, a0 = mul[0], add[0]
    m1, a1 = mul[min(1, R - 1)], add[min(1, R - 1)]
    for i in range(n):
        for k in range(2 * K):
            rows[k] = _U32MAX
        doc = h[offsets[i] : offsets[i + 1]]  # a view from 0: contiguous vector loads, no gather
        size = doc.shape[0]
        if pow2:
            full = size - size % _OPH_CHUNK
            for lo in range(0, size, _OPH_CHUNK):  # loops of a fixed length but the last
                part = doc[lo : lo + _OPH_CHUNK]
                sec = second[lo : lo + _OPH_CHUNK]
                if lo < full:
                    for s in range(_OPH_CHUNK):  # vectorised
                        v = part[s]
                        block[s] = _oph_value(v, m0, a0) >> two
                        sec[s] = _oph_value(v, m1, a1) >> two
                    _bin_pairs(block, _OPH_CHUNK, s2, K, rows)
                else:
                    for s in range(size - full):
                        v = part[s]
                        block[s] = _oph_value(v, m0, a0) >> two
                        sec[s] = _oph_value(v, m1, a1) >> two
                    _bin_all(block[: size - full], s2, K, rows)
        else:
            _fss_round(doc, m0, a0, np.uint32(0), K, pow2, shift, rows, block)
        nopen = _merge_rows(rows, K, out[i])
        listed = False  # pending[:nopen] not yet made: a round that scatters does not need it
        if size == 0:  # an empty document keeps every position EMPTY
            continue
        r = 1
        while nopen and r < R:
            tag = np.uint32(r) << np.uint32(30)
            if pow2 and nopen <= _FSS_OPEN:  # a few open buckets: a vectorised pass each
                if not listed:
                    _list_empty(out[i], K, pending)
                    listed = True
                for e in range(nopen):
                    least[e] = _U32MAX
                if r == 1:
                    _xor_least(second[:size], s2, pending, nopen, least)
                else:
                    for lo in range(0, size, _OPH_BLOCK):
                        part = doc[lo : lo + _OPH_BLOCK]
                        for s in range(part.shape[0]):  # vectorised
                            block[s] = _oph_value(part[s], mul[r], add[r]) >> two
                        _xor_least(block[: part.shape[0]], s2, pending, nopen, least)
                kept = 0
                for e in range(nopen):  # without branches: whether a bucket fills is a coin toss
                    k = pending[e]
                    lo_e = least[e]
                    got = lo_e >> s2 == 0
                    out[i, k] = (tag | lo_e ^ (np.uint32(k) << s2)) if got else _U32MAX
                    pending[kept] = k
                    kept += not got
                nopen = kept
            else:  # many: one scatter pass over all buckets (a filled one keeps its smaller tag)
                if pow2 and r == 1:
                    _bin_tagged(second[:size], tag, s2, K, rows)
                else:
                    _fss_round(doc, mul[r], add[r], tag, K, pow2, shift, rows, block)
                nopen = _merge_rows(rows, K, out[i])
                listed = False
            r += 1
        if nopen == 0:
            continue
        if not listed:
            _list_empty(out[i], K, pending)
        for e in range(nopen):
            least[e] = _U32MAX
        for lo in range(0, size, _OPH_BLOCK):  # one permutation per position still empty
            part = doc[lo : lo + _OPH_BLOCK]
            m = part.shape[0]
            for s in range(m):  # vectorised
                v = part[s]
                block[s] = np.uint32(v ^ (v >> _S32))
            for e in range(nopen):
                ak = a[pending[e]]
                bk = b[pending[e]]
                lo_e = least[e]
                for s in range(m):  # vectorised: multiply-add-min on 32-bit lanes
                    lo_e = min(lo_e, np.uint32(ak * block[s] + bk))  # wraps mod 2**32
                least[e] = lo_e
        for e in range(nopen):
            out[i, pending[e]] = (np.uint32(R) << np.uint32(30)) | min(least[e] >> np.uint32(2), top)
