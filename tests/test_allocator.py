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
