"""Rows of a batch computed in threads: ``overlap.signatures``' ``workers`` for its kernels.

``split_rows(run, offs, out, workers) -> out``
    ``run(lo, hi)`` for ``workers`` ranges of rows of about equal shingle counts, in threads.

The compiled kernels release the GIL, so the threads run on several cores; every row
depends only on its own shingles, so the result is the one ``run(0, n)`` gives.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["split_rows"]


def split_rows(run: Callable[[int, int], np.ndarray | None], offs: np.ndarray, out: np.ndarray, workers: int) -> np.ndarray:
    """``run(lo, hi)`` in threads for ``workers`` ranges of rows of equal shingle counts.

    ``offs`` are the ``n + 1`` row boundaries; ``run`` writes ``out[lo:hi]`` itself
    (returns None) or returns those rows.  Cost: one thread pool per call (a fraction of
    a millisecond, which is why callers give it only enough work).
    """
    from concurrent.futures import ThreadPoolExecutor

    n = len(offs) - 1
    targets = np.linspace(offs[0], offs[-1], workers + 1)[1:-1]
    cuts = np.unique(np.concatenate(([0], np.searchsorted(offs, targets), [n]))).tolist()
    ranges = list(zip(cuts[:-1], cuts[1:]))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda r: run(*r), ranges))
    for (lo, hi), part in zip(ranges, parts):
        if part is not None:
            out[lo:hi] = part
    return out
