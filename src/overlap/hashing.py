"""The 64-bit hash primitives every stage shares: constants and mixers, nothing else.

``P``, ``Q``
    Odd multipliers (invertible mod ``2**64``): ``P`` weighs a token's characters
    (FNV-1a's 64-bit prime), ``Q`` a shingle's token hashes (the golden-ratio constant).
``fmix64(x) -> ndarray``
    MurmurHash3's 64-bit finaliser, vectorised: spreads every input bit over the output.
``q_powers(k) -> ndarray``
    ``Q**j mod 2**64`` for ``j < k``: the weights of a ``k``-token shingle.

It sits beneath ``overlap.shingle`` and ``overlap.signatures`` (and ``overlap.lsh``),
so none of them imports another for these.  Cost: linear in the array, numpy only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["MASK64", "P", "Q", "fmix64", "q_powers"]

P = np.uint64(0x100000001B3)
Q = np.uint64(0x9E3779B97F4A7C15)
MASK64 = (1 << 64) - 1


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser of each ``uint64`` of ``x`` (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    out: np.ndarray = x ^ (x >> np.uint64(33))
    return out


@lru_cache(maxsize=8)
def q_powers(k: int) -> np.ndarray:
    """``Q**j mod 2**64`` for ``j < k`` as ``uint64`` (cached; do not write to it)."""
    qs = [1]
    for _ in range(1, k):
        qs.append((qs[-1] * int(Q)) & MASK64)
    return np.array(qs, dtype=np.uint64)
