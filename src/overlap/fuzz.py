"""The one module that wraps rapidfuzz: edit scripts and similarities on any sequences.

``opcodes(a, b) -> list[tuple[str, int, int, int, int]]``
    Levenshtein opcodes (difflib's 5-tuples: ``a[i1:i2]`` maps to ``b[j1:j2]``).
``indel_similarity(a, b, cutoff=0.0) -> float``
    Indel (insert/delete) similarity in [0, 1]: ``1 - distance / (len(a) + len(b))``.
``indel_distance(a, b) -> int``
    The Indel distance itself: ``len(a) + len(b) - 2 * LCS``.

Both take strings or lists of hashable items (token hashes).  rapidfuzz is C++ and
bit-parallel: O(n * m / 64) for the distance; it is imported on first use, so a caller
that never aligns never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Hashable

__all__ = ["indel_distance", "indel_similarity", "opcodes"]

_distance: ModuleType | None = None


def _rapidfuzz() -> ModuleType:
    """``rapidfuzz.distance``, imported on first use and kept (a function-level import
    statement costs a lookup on every call, and these run once per edit block)."""
    global _distance
    if _distance is None:
        import rapidfuzz.distance

        _distance = rapidfuzz.distance
    return _distance


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str, int, int, int, int]]:
    """Levenshtein opcodes turning ``a`` into ``b``, as difflib's 5-tuples.

    >>> opcodes("abc", "abd")
    [('equal', 0, 2, 0, 2), ('replace', 2, 3, 2, 3)]
    """
    ops: list[tuple[str, int, int, int, int]] = _rapidfuzz().Levenshtein.opcodes(a, b).as_list()
    return ops


def indel_similarity(a: Sequence[Hashable], b: Sequence[Hashable], cutoff: float = 0.0) -> float:
    """Indel similarity in [0, 1] (1 for equal sequences, also for two empty ones); one
    under ``cutoff`` is returned as 0.0, which lets rapidfuzz stop early.

    >>> indel_similarity("Alexander", "Alexandr")
    0.9411764705882353
    """
    return float(_rapidfuzz().Indel.normalized_similarity(a, b, score_cutoff=cutoff or None))


def indel_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Insertions plus deletions turning ``a`` into ``b``.

    >>> indel_distance("Alexander", "Alexandr")
    1
    """
    return int(_rapidfuzz().Indel.distance(a, b))
