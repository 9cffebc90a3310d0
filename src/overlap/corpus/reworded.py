"""Reworded windows: a sentence's bag of content units as a passage-window band key row.

``unit_bags(text, spans, language=None) -> list[np.ndarray]``
    Per unit bag of ``text`` (``overlap.sentence_units``: stemmed content words, or
    Vietnamese syllables and syllable bigrams) with at least ``MIN_UNITS`` distinct
    units, its units as sorted distinct 64-bit hashes.
``bag_keys(bags, bands, rows, seed) -> (m, bands) uint64``
    Band keys of those bags' MinHash signatures (``bands * rows`` values each).
``rows_for(threshold, bands) -> int``
    Rows per band that put the LSH threshold ``(1 / bands) ** (1 / rows)`` nearest
    ``threshold``.

Why: passage windows of 3-token shingles find copies, but a rewrite (swapped words,
reordered clauses, a translation round trip) keeps few 3-token runs while keeping most
content words of a sentence.  A bag's keys share the passage windows' band columns, so
both engines group them with the verbatim windows without a second key table; the bag
signatures use another seed, so a bag key and a shingle key collide only by accident
(about ``2**-64``).  Cost: linear in the text (one regex pass, stemming in C, one
blake2b per distinct unit a worker has not seen).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..language import detect
from ..lsh import band_keys
from ..records import Span
from ..sentence_units import units
from ..signatures import SCAN_METHOD, signatures_from_shingles
from .events import hash64

__all__ = ["MIN_UNITS", "SEED_SALT", "bag_keys", "rows_for", "unit_bags"]

MIN_UNITS = 8
"""Distinct units a bag needs to be a window: shorter bags agree by chance too often."""

SEED_SALT = 0x9E3779B97F4A7C15
"""XOR-ed into the scan's seed for the bag signatures (their own permutations)."""

_HASHES: dict[str, int] = {}


def _hash(unit: str) -> int:
    """``events.hash64`` of ``unit``, cached per worker (bags repeat their words)."""
    h = _HASHES.get(unit)
    if h is None:
        if len(_HASHES) > 1_000_000:
            _HASHES.clear()
        h = _HASHES[unit] = hash64(unit)
    return h


def unit_bags(text: str, spans: Sequence[Span], language: str | None = None) -> list[np.ndarray]:
    """The hashed unit bags of ``text``'s sentences ``spans`` that hold ``MIN_UNITS`` or more
    distinct units (``language`` None: detected from the text)."""
    if not spans:
        return []
    got = units(text, spans, language or detect(text))
    out = []
    for bag in got.bags:
        distinct = set(bag)
        if len(distinct) >= MIN_UNITS:
            out.append(np.unique(np.fromiter((_hash(u) for u in distinct), dtype=np.uint64, count=len(distinct))))
    return out


def bag_keys(bags: Sequence[np.ndarray], bands: int, rows: int, seed: int) -> np.ndarray:
    """``(len(bags), bands)`` band keys of the bags' MinHash signatures (``bands * rows``
    permutations, seed ``seed ^ SEED_SALT``)."""
    if not bags:
        return np.zeros((0, bands), dtype=np.uint64)
    sigs = signatures_from_shingles(list(bags), num_perm=bands * rows, seed=(seed ^ SEED_SALT) % 2**64, method=SCAN_METHOD)
    return band_keys(sigs, bands, rows)


def rows_for(threshold: float, bands: int) -> int:
    """Rows per band whose LSH threshold ``(1 / bands) ** (1 / rows)`` is nearest ``threshold``."""
    return min(range(1, 33), key=lambda r: abs((1.0 / bands) ** (1.0 / r) - threshold))
