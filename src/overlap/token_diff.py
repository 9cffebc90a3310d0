"""Token-level Levenshtein between the two sides of a passage: opcodes and similarity.

``token_opcodes(ha, hb) -> list[(tag, i1, i2, j1, j2)]``
    difflib-style opcodes between two token-hash sequences (rapidfuzz).
``token_similarity(ha, hb) -> float``
    Their indel similarity (a lower bound beyond ``LONG_PASSAGE`` tokens).

Cost: O(n * m / 64) up to ``LONG_PASSAGE`` tokens a side; longer passages are cut at
shared runs into pieces and diffed piece by piece, so the cost stays linear in length.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np

from .fuzz import indel_distance, indel_similarity, opcodes
from .shingle import shingles

__all__ = ["LONG_PASSAGE", "HashSeq", "token_opcodes", "token_similarity"]


# Passages longer than this (tokens, either side) are diffed piecewise; see ``token_opcodes``.
LONG_PASSAGE = 4096
_PIECE = 1024  # tokens of a between cuts of a long passage
_ANCHOR = 8  # tokens of the shared run a cut is made at


# A token-hash sequence: a list of ints, a uint64 array, or a view of one
# (``PreparedText.hlist``).
HashSeq = np.ndarray | list[int] | memoryview


def _as_list(h: HashSeq) -> list[int]:
    return h if isinstance(h, list) else h.tolist()


def _same(ha: HashSeq, hb: HashSeq) -> bool:
    """Equal sequences, without a list of the whole of a long passage."""
    if len(ha) != len(hb):
        return False
    if isinstance(ha, list) and isinstance(hb, list):
        return ha == hb
    return bool(np.array_equal(np.asarray(ha, dtype=np.uint64), np.asarray(hb, dtype=np.uint64)))


def token_opcodes(ha: HashSeq, hb: HashSeq) -> list[tuple[str, int, int, int, int]]:
    """Levenshtein opcodes between two token-hash sequences (difflib's 5-tuples).

    Takes arrays, views or lists of ints; rapidfuzz is given lists (what it reads
    fastest), one piece at a time.  Equal sequences give one ``equal`` opcode without
    calling rapidfuzz.

    Cost: O(n * m / 64) up to ``LONG_PASSAGE`` tokens a side.  Longer sequences (a
    near-copy of a whole book) are cut about every 1,024 tokens at runs of 8 tokens
    found once on each side (``_cuts``) and each piece is diffed alone: linear time, an
    edit script that may be longer than the optimal one where an edit straddles a cut.
    """
    if max(len(ha), len(hb)) <= LONG_PASSAGE:
        # Short: the lists rapidfuzz needs anyway compare faster than two arrays.
        la, lb = _as_list(ha), _as_list(hb)
        if la == lb:
            return [("equal", 0, len(la), 0, len(lb))] if la else []
        return opcodes(la, lb)
    if _same(ha, hb):
        return [("equal", 0, len(ha), 0, len(hb))]
    out: list[tuple[str, int, int, int, int]] = []
    for i0, i1, j0, j1 in _pieces(ha, hb):
        xa, xb = _as_list(ha[i0:i1]), _as_list(hb[j0:j1])
        ops = opcodes(xa, xb) if xa != xb else [("equal", 0, len(xa), 0, len(xb))] if xa else []
        for tag, x0, x1, y0, y1 in ops:
            op = (tag, x0 + i0, x1 + i0, y0 + j0, y1 + j0)
            if out and out[-1][0] == tag and out[-1][2] == op[1] and out[-1][4] == op[3]:
                out[-1] = (tag, out[-1][1], op[2], out[-1][3], op[4])
            else:
                out.append(op)
    return out


def token_similarity(ha: HashSeq, hb: HashSeq) -> float:
    """Indel similarity of two token-hash sequences (``fuzz.indel_similarity``).

    Up to ``LONG_PASSAGE`` tokens a side, exact; longer, from the longest common
    subsequences of the pieces ``token_opcodes`` cuts them into (a lower bound).
    """
    if max(len(ha), len(hb)) <= LONG_PASSAGE:
        return indel_similarity(_as_list(ha), _as_list(hb))
    total = len(ha) + len(hb)
    dist = sum(indel_distance(_as_list(ha[i0:i1]), _as_list(hb[j0:j1])) for i0, i1, j0, j1 in _pieces(ha, hb))
    return 1.0 - dist / total if total else 1.0


def _pieces(ha: HashSeq, hb: HashSeq) -> list[tuple[int, int, int, int]]:
    """``(i0, i1, j0, j1)`` ranges covering both sequences, cut where ``_cuts`` finds anchors."""
    cuts = [(0, 0), *_cuts(np.asarray(ha, dtype=np.uint64), np.asarray(hb, dtype=np.uint64)), (len(ha), len(hb))]
    return [(i0, i1, j0, j1) for (i0, j0), (i1, j1) in zip(cuts, cuts[1:])]


def _cuts(ha: np.ndarray, hb: np.ndarray) -> list[tuple[int, int]]:
    """Cut points ``(i, j)`` about every ``_PIECE`` tokens of a, increasing on both sides.

    A cut is made where a run of ``_ANCHOR`` tokens occurs once in a and once in b, at
    ``a[i:]`` and ``b[j:]``, near the diagonal of the previous cut; where none lies
    within ``LONG_PASSAGE`` tokens of the target, at the same share of what is left of b.  Cost: two sorts of the
    sequences' 8-token shingles, then a few probes per cut.
    """
    k = _ANCHOR
    if len(ha) < 2 * _PIECE or len(hb) < k:
        return []
    pa, pb = _unique_positions(shingles(ha, k)), _unique_positions(shingles(hb, k))
    _, xa, xb = np.intersect1d(pa[0], pb[0], assume_unique=True, return_indices=True)
    at_a, at_b = pa[1][xa], pb[1][xb]
    order = np.argsort(at_a, kind="stable")
    at_a, at_b = at_a[order].tolist(), at_b[order].tolist()
    out: list[tuple[int, int]] = []
    li, lj = 0, 0
    target = _PIECE
    while target < len(ha) - _PIECE // 2:
        x = bisect_left(at_a, target)
        found = False
        for y in range(x, min(x + 64, len(at_a))):
            i, j = at_a[y], at_b[y]
            if i >= target + LONG_PASSAGE:
                break
            if j >= lj + k and abs((j - i) - (lj - li)) <= _PIECE and np.array_equal(ha[i : i + k], hb[j : j + k]):
                out.append((i, j))
                li, lj = i, j
                found = True
                break
        if not found:
            # No anchor within ``LONG_PASSAGE`` tokens of the target (every 8-token run
            # edited, or none found once): cut where the rest of b is as far along as the
            # target is along the rest of a, so no piece grows past about
            # ``LONG_PASSAGE`` tokens and the cost stays linear.
            j = lj + (target - li) * (len(hb) - lj) // max(1, len(ha) - li)
            if lj + k <= j <= len(hb) - _PIECE // 2:
                out.append((target, j))
                li, lj = target, j
        target = max(target, li) + _PIECE
    return out


def _unique_positions(sh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values occurring once in ``sh`` (sorted) and their positions."""
    values, first, counts = np.unique(sh, return_index=True, return_counts=True)
    once = counts == 1
    return values[once], first[once]
