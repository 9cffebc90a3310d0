"""Verification: candidate pairs through ``overlap.compare``, within a budget if need be.

``compare_chunk((pairs, texts, compare_options)) -> list[Comparison]``
    Compare a chunk of pairs, preparing each text once (runs in workers / executors).
``compare_within_budget(codes, est, n, budget, run, comparisons, options)``
    Choose which candidates to compare when there are more than ``max_compares``.
``compare_budget(options, candidates) -> int``, ``is_linked(comparison) -> bool``
    How many candidates may be compared; whether a comparison links its pair.
``similarity_chunk((pairs, blobs, k)) -> list[Similarity]``, ``exact_similarity(a, b, k)``
    Exact shingle similarity of pairs that are not compared in full (same-event pairs).
``COMPARE_CHUNK``, ``BUDGET_BATCHES``
    Pairs per worker job; Kruskal batches a compare budget is spent in.

Cost: one ``compare`` per verified pair (linear in the two texts with the compiled
aligner), at most ``max_compares`` of them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .._arrays import unique
from ..cluster import UnionFind
from ..normalization import normalize
from ..records import Comparison, Similarity, Span
from ..shingle import shingle_set
from ..textpass import shingle_texts
from .options import ScanOptions
from .store import unpack

if TYPE_CHECKING:
    from ..pipeline import CompareOptions

__all__ = [
    "BUDGET_BATCHES",
    "COMPARE_CHUNK",
    "CompareText",
    "compare_budget",
    "compare_chunk",
    "compare_within_budget",
    "exact_similarity",
    "is_linked",
    "similarity_chunk",
]

COMPARE_CHUNK = 128
"""Pairs per worker job; bigger chunks reuse prepared texts more."""

BUDGET_BATCHES = 20
"""A compare budget is spent in this many Kruskal batches.  Fewer batches pause less and
prepare fewer texts, but a batch assumes its picks link, so fewer batches correct fewer
failed links (more pairs left uncompared, more stories left apart); 20 keeps close to
Kruskal's order (``benchmarks/results``)."""

CompareText = Union[str, tuple[bytes, "np.ndarray | None"]]
"""A text as ``compare_chunk`` takes it: a ``str``, or ``pack``-ed bytes with the sentence
spans signing found (None: split again)."""


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block, back to its former state after.

    A chunk allocates hundreds of thousands of small records (spans, edits, passages)
    and frees few of them while it runs, so the collector's passes, full passes over
    the whole heap among them, find nothing to free: pure cost.  The records hold no
    reference cycles; anything cyclic waits for the next collection after the chunk.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def compare_chunk(job: tuple[list[tuple[int, int]], dict[int, CompareText], CompareOptions]) -> list[Comparison]:
    """Compare pairs ``(i, j)`` of a chunk; texts by index (``CompareText``)."""
    with _gc_paused():
        return _compare_chunk(job)


def _compare_chunk(job: tuple[list[tuple[int, int]], dict[int, CompareText], CompareOptions]) -> list[Comparison]:
    from ..align import use_jit
    from ..pipeline import compare_prepared, prepare

    use_jit()  # compiled alignment: workers load numba for signing anyway
    pairs, texts, options = job

    def prepared_text(t: CompareText) -> Any:
        if isinstance(t, str):
            return prepare(t)
        blob, spans = t
        if spans is None:
            return prepare(unpack(blob))
        return prepare(unpack(blob), sentence_spans=[Span(s, e) for s, e in spans.tolist()])

    # Each text is prepared once per chunk.
    prepared = {i: prepared_text(t) for i, t in texts.items()}
    return [compare_prepared(prepared[i], prepared[j], options=options) for i, j in pairs]


def compare_budget(o: ScanOptions, candidates: int) -> int:
    """How many of ``candidates`` pairs may be compared: all, or ``max_compares``."""
    return candidates if o.max_compares is None else o.max_compares


def is_linked(r: Comparison) -> bool:
    """Whether a comparison links its pair: near-duplicate text or a shared passage."""
    return r.near_duplicate or bool(r.passages)


def compare_within_budget(
    codes: np.ndarray, est: np.ndarray, n: int, budget: int,
    run: Callable[[list[int]], None], comparisons: dict[int, Comparison], o: ScanOptions,
) -> None:
    """Compare the pairs that matter most when there are more candidates than ``budget``.

    Kruskal's order: candidates by estimated Jaccard (best first), in ``BUDGET_BATCHES``
    batches (a batch assumes its own picks link; the next batch corrects for those that
    did not); a pair is compared only when its documents are not yet in one story, so
    every story still gets a spanning tree of compared links, and the budget goes to
    links, not to the n**2 / 2 pairs inside big clusters of copies.  When the budget runs out, pairs whose estimate
    is clearly a near-duplicate (3 standard errors above the threshold) and that would
    still join two stories are linked on the estimate: their ``similarity`` is the MinHash
    estimate and they carry no passages.  Deterministic: the order and batches depend on
    the candidates only.  ``run(codes)`` compares a batch into ``comparisons``.
    """
    order = np.lexsort((codes, -est))
    uf = UnionFind(n)
    batch = max(COMPARE_CHUNK * 8, budget // BUDGET_BATCHES)
    pos = 0
    while pos < len(order) and len(comparisons) < budget:
        scratch: dict[int, int] = {}  # unions made inside this batch, not yet verified

        def root(x: int) -> int:
            x = uf.find(x)
            while x in scratch:
                x = scratch[x]
            return x

        picks: list[int] = []
        while pos < len(order) and len(picks) < batch and len(comparisons) + len(picks) < budget:
            c = int(codes[order[pos]])
            pos += 1
            ri, rj = root(c // n), root(c % n)
            if ri != rj:
                picks.append(c)
                scratch[max(ri, rj)] = min(ri, rj)
        # Pairs that will join into one story go to the same chunk, so a worker prepares
        # each of their texts once (the order of work does not change any result).
        run(sorted(picks, key=lambda c: (root(c // n), c)))
        for c in picks:
            if is_linked(comparisons[c]):
                uf.union(c // n, c % n)
    margin = o.estimate_margin
    for k in order[pos:].tolist():
        c, e = int(codes[k]), float(est[k])
        if e >= o.near_duplicate + margin and uf.find(c // n) != uf.find(c % n):
            uf.union(c // n, c % n)
            comparisons[c] = Comparison(0, 0, Similarity(e, e, e), True)


def similarity_chunk(job: tuple[list[tuple[int, int]], dict[int, bytes], int]) -> list[Similarity]:
    """Exact shingle similarity of each pair of a chunk (texts ``pack``-ed); each text's
    set is made once."""
    from ..pipeline import set_similarity

    pairs, blobs, k = job
    flat, offsets = shingle_texts([unpack(b) for b in blobs.values()], k)  # compiled text pass
    cuts = offsets.tolist()
    sets = {d: unique(flat[cuts[x] : cuts[x + 1]]) for x, d in enumerate(blobs)}
    return [set_similarity(sets[i], sets[j]) for i, j in pairs]


def exact_similarity(a: str, b: str, k: int) -> Similarity:
    """Exact ``k``-shingle similarity of two texts, as ``similarity_chunk`` computes it."""
    from ..pipeline import set_similarity

    return set_similarity(shingle_set(normalize(a).text, k), shingle_set(normalize(b).text, k))
