"""Keep freed memory from staying in the process: glibc's mmap threshold and heap trim.

``fix_mmap_threshold() -> bool``
    Fix glibc malloc's mmap threshold at its default (128 KiB); True when it was set.
``release_free_memory() -> bool``
    Return the heap's free pages to the system now (``malloc_trim(0)``); True when glibc.

Why: glibc serves an allocation from the heap, not from its own ``mmap``, when it is
below a threshold that starts at 128 KiB and *rises* (up to 32 MiB) each time a large
mmapped block is freed.  A corpus scan frees many arrays of tens of MiB, after which
arrays of up to 32 MiB land in the heap, where free space between live blocks is not
returned to the system: the resident memory of a large scan kept hundreds of MiB it no
longer used (``benchmarks/results/speed.md``, 5d).  Setting the threshold explicitly
(``mallopt(M_MMAP_THRESHOLD)``) turns that rise off, so each large array is unmapped
when freed.  Process-wide and kept after the call (glibc has no way back to the rising
threshold); a no-op returning False where the C library has no ``mallopt`` (macOS,
musl, Windows).  Python's small objects are not affected (their arenas are mapped
apart).  Cost: one C call.

``release_free_memory`` is for the other half: texts and records of a few KiB each live
in the heap, and when a stage frees many of them among blocks still in use, the freed
pages stay resident until reused.  ``malloc_trim(0)`` hands every whole free page back
(``madvise``), which lowers the peak of the stages that follow; it changes no setting,
so the library calls it between a scan's stages.  Cost: one walk of the heap's free
lists (milliseconds).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

__all__ = ["MMAP_THRESHOLD", "fix_mmap_threshold", "release_free_memory"]

MMAP_THRESHOLD = 128 * 1024
"""glibc's default initial threshold, in bytes."""

_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def _libc_function(name: str) -> Any:
    """The C library's function ``name`` on Linux, or None (not glibc, or not found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes; False when not glibc (no-op)."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(threshold)))


def release_free_memory() -> bool:
    """Give the heap's free pages back to the system (glibc ``malloc_trim(0)``); False
    where there is no such call (no-op)."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True
