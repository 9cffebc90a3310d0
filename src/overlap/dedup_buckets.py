"""LSH buckets of a deduplication as flat arrays: the input of ``kernels.bucket_greedy_into``.

``band_keys_chunked(signatures, alive, bands, rows) -> ndarray``
    ``lsh.band_keys`` of the ``alive`` signatures, a chunk at a time (same keys).
``bucket_layout(signatures, alive, bands, rows, *, compiled=True) -> (members, pos, bstart, bsize)``
    Every band's buckets as one band-major sequence of ``int32`` positions: which
    document sits at each position, where each document sits in each band, and the start
    and size of the bucket of each position.  Compiled (``kernels.bucket_layout_into``)
    when the kernels are loaded, else numpy; the same arrays either way.

Cost: one stable sort per band (compiled: a counting pass and an almost sorted
insertion sort); about six ``int32`` per document and band.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KEY_CHUNK", "band_keys_chunked", "bucket_layout"]

KEY_CHUNK = 65_536  # signatures banded at once: band_keys widens them to uint64 rows


def band_keys_chunked(signatures: np.ndarray, alive: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``lsh.band_keys`` of the ``alive`` signatures, a chunk at a time (same keys)."""
    from .lsh import band_keys

    out = np.empty((len(alive), bands), dtype=np.uint64)
    for a in range(0, len(alive), KEY_CHUNK):
        out[a:a + KEY_CHUNK] = band_keys(signatures[alive[a:a + KEY_CHUNK]], bands, rows)
    return out


def bucket_layout(
    signatures: np.ndarray, alive: np.ndarray, bands: int, rows: int, *, compiled: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(members, pos, bstart, bsize)`` of the ``alive`` documents' LSH buckets (``int32``;
    the caller checks that ``len(alive) * bands`` fits).  ``compiled=False`` forces the
    numpy code (the tests compare the two)."""
    from .jit import load_kernels

    kern = load_kernels() if compiled else None
    if kern is not None:
        total = len(alive) * bands
        members = np.empty(total, dtype=np.int32)
        pos = np.empty(total, dtype=np.int32)
        bstart = np.empty(total, dtype=np.int32)
        bsize = np.zeros(total, dtype=np.int32)
        kern.bucket_layout_into(
            np.ascontiguousarray(signatures, dtype=np.uint32), np.ascontiguousarray(alive, dtype=np.int64),
            bands, rows, members, pos, bstart, bsize,
        )
        return members, pos, bstart, bsize
    keys = band_keys_chunked(signatures, alive, bands, rows)  # made here, so freed here
    m = len(alive)
    # Per band, sort the keys (stable: a bucket lists its members in index order); the
    # bands then form one band-major sequence of m * bands positions in which a bucket
    # ends where the key or the band changes.  int32 positions (the caller checks that
    # m * bands fits) and one band's temporaries at a time: 4 bytes per position and
    # array, where int64 arrays of every band at once took 8 bytes and two more arrays.
    total = m * bands
    members = np.empty(total, dtype=np.int32)
    change = np.empty(total, dtype=bool)
    for b in range(bands):
        col = keys[:, b]
        by = np.argsort(col, kind="stable")
        members[b * m:(b + 1) * m] = by
        k = col[by]
        del by
        change[b * m] = True
        np.not_equal(k[1:], k[:-1], out=change[b * m + 1:(b + 1) * m])
        del k
    del keys
    starts = np.flatnonzero(change).astype(np.int32)
    del change
    sizes = np.diff(np.append(starts, np.int32(total))).astype(np.int32)
    bstart = np.repeat(starts, sizes)
    bsize = np.zeros(total, dtype=np.int32)
    bsize[starts] = sizes
    del starts, sizes
    pos = np.empty(total, dtype=np.int32)
    for b in range(bands):  # one band at a time: no n * bands temporaries
        pos[members[b * m:(b + 1) * m].astype(np.int64) * bands + b] = np.arange(b * m, (b + 1) * m, dtype=np.int32)
    return members, pos, bstart, bsize
