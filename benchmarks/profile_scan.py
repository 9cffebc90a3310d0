"""Where a scan's time and memory go: seconds, CPU seconds and peak RSS per stage.

``profile_scan(n) -> dict``: ``overlap.scan`` of ``common.scaled_corpus(n)`` with the
local driver's stage functions and the assembly steps wrapped by timers (instrumentation
only: the result is the scan's own).  Per stage: wall seconds and CPU seconds of this
process *and* its live worker processes (``psutil``), so that on a shared machine the
CPU figures stay comparable when the wall seconds are not.  Per assembly step: wall
seconds, this process's CPU seconds, and the peak RSS so far.

``python -m benchmarks.profile_scan N`` prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import status_mb


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its children (finished and live)."""
    import psutil

    me = resource.getrusage(resource.RUSAGE_SELF)
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            live += t.user + t.system
        except psutil.Error:
            pass
    return me.ru_utime + me.ru_stime, done.ru_utime + done.ru_stime + live


def _wrap(module: Any, name: str, out: list[Any], total: bool) -> None:
    fn: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        c0, t0 = _cpu(), time.perf_counter()
        result = fn(*args, **kwargs)
        c1 = _cpu()
        cpu = (c1[0] + c1[1] - c0[0] - c0[1]) if total else c1[0] - c0[0]
        out.append([name, round(time.perf_counter() - t0, 1), round(cpu, 1), round(_peak_mb()), round(status_mb("VmRSS"))])
        return result

    setattr(module, name, timed)


def profile_scan(n: int) -> dict[str, Any]:
    import overlap
    from benchmarks.common import scaled_corpus
    from overlap.corpus import assembly, local

    stages: list[Any] = []
    steps: list[Any] = []
    for name in ("_sign", "doc_candidates", "_window_candidates", "_estimate_filter", "_verify", "_same_event",
                 "vocabulary_codes", "assemble"):
        _wrap(local, name, stages, True)
    for name in ("_passage_groups", "_pair_records", "cluster_arrays", "_stories", "clusters", "name_variants"):
        _wrap(assembly, name, steps, False)
    texts = scaled_corpus(n)
    after_texts = _peak_mb()
    before = _cpu()  # making the corpus is not the scan's
    t0 = time.perf_counter()
    from overlap.allocator import fix_mmap_threshold

    fix_mmap_threshold()  # as `overlap scan` does
    result = overlap.scan((overlap.Document(str(i), t) for i, t in enumerate(texts)), progress=None)
    seconds = time.perf_counter() - t0
    main, workers = (a - b for a, b in zip(_cpu(), before))
    return {
        "docs": n, "seconds": round(seconds, 1), "cpu_main": round(main, 1), "cpu_workers": round(workers, 1),
        "peak_rss_mb": round(_peak_mb()), "rss_after_texts_mb": round(after_texts),
        "timings": ", ".join(f"{k} {v:.1f}" for k, v in result.stats.timings),
        "stages [name, s, cpu s, peak MB, RSS MB]": stages, "assembly steps [name, s, cpu s, peak MB, RSS MB]": steps,
        "stories": len(result.story_clusters), "largest_story": max((len(c.members) for c in result.story_clusters), default=0),
        "near_duplicate_clusters": len(result.near_duplicate_clusters), "linked_pairs": result.stats.linked_pairs,
        "stories_sha256": hashlib.sha256(json.dumps([list(c.members) for c in result.story_clusters]).encode()).hexdigest(),
    }


if __name__ == "__main__":
    print(json.dumps(profile_scan(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)))
