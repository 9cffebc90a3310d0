"""overlap.jit: the one switch, and the first run on a cold numba cache (numpy/Python
paths while one background process compiles) giving the same results as a warm run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import overlap.jit as J

ROOT = Path(__file__).resolve().parents[1]
numba_missing = importlib.util.find_spec("numba") is None


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_overlap_jit_0_turns_every_compiled_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "0")
    assert J.load_kernels() is None
    assert J.use_aligner() is False and J.aligner() is None


@pytest.mark.skipif(numba_missing, reason="numba not installed: only the numpy path exists")
def test_first_run_on_a_cold_cache_uses_numpy_compiles_in_background_same_result(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OVERLAP_JIT"}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)
    cold = _run(["-m", "overlap", "scan", "seeds/", "--json"], env)
    assert cold.returncode == 0, cold.stderr
    # The cold run started one background compile (its lock or its finished marker).
    assert list(tmp_path.glob("overlap-jit-*.warming")) or list(tmp_path.glob("overlap-jit-*.ok"))
    deadline = time.time() + 600
    while not list(tmp_path.glob("overlap-jit-*.ok")) and time.time() < deadline:
        time.sleep(0.5)
    assert list(tmp_path.glob("overlap-jit-*.ok")), "background compile did not finish"
    assert not list(tmp_path.glob("overlap-jit-*.warming"))
    probe = _run(["-c", "import overlap.jit as J; print(J.is_warm(), J.load_kernels() is not None)"], env)
    assert probe.stdout.split() == ["True", "True"], probe.stderr
    warm = _run(["-m", "overlap", "scan", "seeds/", "--json"], env)
    plain = _run(["-m", "overlap", "scan", "seeds/", "--json"], {**env, "OVERLAP_JIT": "0"})
    assert cold.stdout and cold.stdout == warm.stdout == plain.stdout


@pytest.mark.skipif(numba_missing, reason="numba not installed: only the numpy path exists")
def test_python_m_overlap_jit_warms_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop("OVERLAP_JIT", None)
    before = _run(["-c", "import overlap.jit as J; print(J.is_warm())"], env)
    assert before.stdout.strip() == "False"
    done = _run(["-m", "overlap.jit"], env)
    assert done.returncode == 0 and "cached" in done.stdout, done.stderr
    after = _run(["-c", "import overlap.jit as J; print(J.is_warm())"], env)
    assert after.stdout.strip() == "True"


_BLAS_PROBE = """
import sys
import numpy as np
import overlap.jit as J
assert J.load_kernels() is not None
print('scipy.linalg' in sys.modules)
import numba
from numba.np import arraymath
print(bool(arraymath._HAVE_BLAS), 'scipy.linalg' in sys.modules)
a = np.arange(6.0)
print(numba.njit(lambda x, y: np.dot(x, y))(a, a) == np.dot(a, a), numba.njit(lambda x: np.convolve(x, x))(a).sum())
"""


@pytest.mark.skipif(numba_missing or importlib.util.find_spec("scipy") is None,
                    reason="needs numba and scipy (numba looks for scipy's BLAS)")
def test_loading_kernels_leaves_scipy_unimported_and_numba_blas_intact() -> None:
    """Loading the kernels no longer makes numba import ``scipy.linalg``; numba's BLAS
    flag still says yes when asked, and BLAS-backed ``np.dot``/``np.convolve`` compile."""
    env = {**os.environ, "OVERLAP_JIT": "1"}
    out = _run(["-c", _BLAS_PROBE], env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True", "True", str(float(np.convolve(np.arange(6.0), np.arange(6.0)).sum()))]
