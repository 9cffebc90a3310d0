"""overlap.allocator: the mmap threshold is set where glibc is, a no-op elsewhere."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from overlap.allocator import fix_mmap_threshold


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_sets_threshold_on_glibc() -> None:
    # In a child process: the setting is process-wide and cannot be undone.
    code = "from overlap.allocator import fix_mmap_threshold as f; print(f())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_returns_bool_everywhere() -> None:
    got = fix_mmap_threshold()
    assert isinstance(got, bool)
    assert got == (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_release_free_memory_returns_the_pages_of_freed_texts() -> None:
    """Texts of a few KiB freed among live ones stay resident until trimmed: the
    pattern of a scan reading every linked document's text once (``reuse``)."""
    code = """
from overlap.allocator import release_free_memory

def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) // 1024

texts = [("Nguyễn Văn A %d " % i) * 400 for i in range(20000)]  # about 12 KiB each
keep = texts[::50]  # a few live among them: the heap cannot shrink from its top
del texts
before = rss()
print(release_free_memory(), before - rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ok, freed_mb = out.stdout.split()
    assert ok == "True" and int(freed_mb) >= 100
