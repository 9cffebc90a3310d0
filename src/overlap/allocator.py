"""Keep large freed arrays from staying in the process's memory: glibc's mmap threshold.

``fix_mmap_threshold() -> bool``
    Fix glibc malloc's mmap threshold at its default (128 KiB); True when it was set.

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
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "fix_mmap_threshold"]

MMAP_THRESHOLD = 128 * 1024
"""glibc's default initial threshold, in bytes."""

_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes; False when not glibc (no-op)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(threshold)))
