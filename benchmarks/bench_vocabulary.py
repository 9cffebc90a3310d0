"""Cost of the rare-vocabulary links on the scaled corpus: term sampling and links alone.

``bench_vocabulary(n, repeat=3) -> dict``: the sampled terms of ``common.scaled_corpus(n)``
made as the scan's signing workers make them (normalise, tokenise, 2-token shingles,
``vocabulary.terms_many``, a batch of ``signing.BATCH_DOCS`` at a time), then
``vocabulary.vocabulary_link_arrays`` on them as ``assembly.vocabulary_codes`` calls it.
Reports CPU seconds of this process (``time.process_time``: comparable on a shared
machine), best of ``repeat``, for the term sampling (the per-document
``terms_from_bigrams`` loop and ``terms_many``) and for the links, and the links' peak
RSS above the RSS before their first call (the peak is reset first through Linux's
``/proc/self/clear_refs``, else not reported; glibc's mmap threshold fixed as the scan
command fixes it), plus a hash of the links so that two checkouts can be compared.

``python -m benchmarks.bench_vocabulary N [REPEAT]`` prints one JSON line.  Run it with
``PYTHONPATH=<other checkout>/src:.`` for another version of ``overlap`` (one without
``terms_many`` reports only the loop).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any

import numpy as np

from benchmarks.common import status_mb


def _reset_peak() -> bool:
    """Reset this process's peak RSS (``VmHWM``) to its RSS now (Linux ``clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        out = None
        c = time.process_time()
        out = fn()
        best = min(best, time.process_time() - c)
    return best, out


def bench_vocabulary(n: int, repeat: int = 3) -> dict[str, Any]:
    """See the module docstring."""
    from overlap import vocabulary
    from overlap.allocator import fix_mmap_threshold
    from overlap.corpus.signing import BATCH_DOCS
    from overlap.jit import load_kernels
    from overlap.normalization import normalize
    from overlap.shingle import shingles_many, tokenize_many

    from benchmarks.common import scaled_corpus

    fix_mmap_threshold()
    load_kernels()
    texts = scaled_corpus(n)
    bigrams = []
    for s in range(0, n, BATCH_DOCS):
        tokens = tokenize_many([normalize(t).text for t in texts[s : s + BATCH_DOCS]])
        bigrams.append(shingles_many([t.hashes for t in tokens], 2))
    del texts
    out: dict[str, Any] = {"docs": n}
    loop_s, docs = _best(lambda: [vocabulary.terms_from_bigrams(b) for batch in bigrams for b in batch], repeat)
    out["terms_loop_cpu_s"] = round(loop_s, 3)
    many = getattr(vocabulary, "terms_many", None)
    if many is not None:
        many_s, many_docs = _best(lambda: [t for batch in bigrams for t in many(batch)], repeat)
        out["terms_many_cpu_s"] = round(many_s, 3)
        out["terms_identical"] = all(np.array_equal(a, b) for a, b in zip(docs, many_docs))
        del many_docs
    del bigrams
    out["terms"] = int(sum(len(d) for d in docs))
    rss = status_mb("VmRSS")
    reset = _reset_peak()
    c = time.process_time()
    i, j, cos = vocabulary.vocabulary_link_arrays(docs)
    first = time.process_time() - c
    out["links_peak_over_start_mb"] = round(status_mb("VmHWM") - rss, 1) if reset else None
    out["links"] = len(i)
    out["links_sha256"] = hashlib.sha256(i.tobytes() + j.tobytes() + cos.tobytes()).hexdigest()
    del i, j, cos
    best, _ = _best(lambda: vocabulary.vocabulary_link_arrays(docs), max(0, repeat - 1))
    out["links_cpu_s"] = round(min(first, best), 3)
    return out


if __name__ == "__main__":
    print(json.dumps(bench_vocabulary(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)))
