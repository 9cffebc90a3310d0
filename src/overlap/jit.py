"""The one switch for overlap's compiled (numba) code, and the one place that loads it.

``load_kernels() -> module | None``
    ``overlap.kernels`` (tokenising, shingling, signing, the text pass), or None: callers
    then run their bit-identical numpy code.  ``loaded_kernels()``: the same only if this
    process has loaded them already (for work too small to pay for loading them).  While it is not None, ``overlap.kernels_jsonl``
    (the JSONL reader of ``dedup``) may be imported too: ``warm()`` caches it as well.
``use_aligner(on=True) -> bool``
    Switch the compiled aligner (``overlap._align_jit``) on or off for this process;
    returns whether it is on.  ``align.use_jit`` is this function.
``aligner() -> module | None``
    The compiled aligner while it is switched on, else None (``align`` and ``pipeline``
    read it here; nobody reads another module's flag).
``is_warm() -> bool``, ``warm() -> None``
    Whether numba's on-disk cache holds the kernels for this install; compile them now.
    ``python -m overlap.jit`` runs ``warm()`` (do it once after installing).

The environment variable ``OVERLAP_JIT`` decides: ``0`` never uses numba; ``1`` always
does, compiling in the foreground when the cache is cold; unset (or ``auto``) uses numba
when its cache is warm, and on a cold cache (the first run after an install) starts one
background process that compiles and caches the kernels while this run uses the numpy and
Python paths.  Results are identical either way (the tests check it), so the first run
stays fast and later runs get the compiled speed.  A cold cache is recognised by a marker
file written after a successful compile, stamped with the versions of numba and Python
and the kernel sources' sizes and modification times; it lives in ``NUMBA_CACHE_DIR``,
else the package's ``__pycache__``, else ``~/.cache/overlap``.

Cost: one ``stat`` per call while cold; importing numba and loading the cached kernels
once per process when warm (see ``benchmarks/results/``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from collections.abc import Callable
from types import ModuleType

__all__ = ["aligner", "is_warm", "load_kernels", "loaded_kernels", "use_aligner", "warm"]

_HERE = Path(__file__).resolve().parent
_SOURCES = (
    "kernels.py", "kernels_dedup.py", "kernels_names.py", "kernels_segment.py", "kernels_stories.py",
    "kernels_text.py", "kernels_vocabulary.py", "_align_jit.py",
)
_LOCK_STALE_S = 300.0  # a warming lock older than this is from a process that died
_JSONL_SOURCES = ("kernels_jsonl.py",)  # dedup's JSONL reader: imported by jsonl_fast, not by kernels

_lock = threading.Lock()
_kernels: ModuleType | None = None
_aligner: ModuleType | None = None
_aligner_on = False
_failed: set[str] = set()  # modules that could not be loaded in this process
_started = False  # this process started the background compile
_warm_seen = False  # the marker was seen: stays warm for this process (no more stat calls)


def _mode() -> str:
    v = os.environ.get("OVERLAP_JIT", "").strip().lower()
    return v if v in ("0", "1") else "auto"


@functools.lru_cache(maxsize=1)
def _stamp() -> str:
    """Versions of numba and Python and the kernel sources' size and mtime, hashed."""
    from importlib import metadata

    try:
        numba_version = metadata.version("numba")
    except metadata.PackageNotFoundError:
        numba_version = "none"
    parts = [numba_version, sys.version]
    for name in (*_SOURCES, *_JSONL_SOURCES):
        st = (_HERE / name).stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _cache_dir() -> Path:
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        return Path(env)
    pycache = _HERE / "__pycache__"
    if os.access(pycache if pycache.is_dir() else _HERE, os.W_OK):
        return pycache
    return Path.home() / ".cache" / "overlap"


def _marker() -> Path:
    return _cache_dir() / f"overlap-jit-{_stamp()}.ok"


def is_warm() -> bool:
    """True when numba's cache holds this install's kernels (a successful ``warm()`` ran)."""
    global _warm_seen
    if not _warm_seen:
        try:
            _warm_seen = _marker().exists()
        except OSError:
            return False
    return _warm_seen


class _LazyBlasCheck:
    """Stands for numba's ``arraymath._HAVE_BLAS`` (whether scipy's BLAS can be used):
    true or false as numba's own check says, asked the first time numba reads it."""

    def __init__(self, check: Callable[[], None]) -> None:
        self._check = check
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            try:
                self._check()
                self._value = True
            except ImportError:
                self._value = False
        return bool(self._value)


def _defer_blas_check() -> None:
    """Let numba look for scipy's BLAS when it needs it, not when it loads any kernel.

    Loading a cached kernel makes numba import ``numba.np.arraymath``, which calls
    ``numba.np.linalg.ensure_blas()`` once to set ``_HAVE_BLAS``: that imports
    ``scipy.linalg`` (a large share of the start-up when scipy is installed) though no
    kernel of ours uses BLAS.  Here ``arraymath`` is imported first with the check
    stubbed, then its flag becomes a ``_LazyBlasCheck`` of the real check: numba reads
    it only to type ``np.dot``-style code, and gets the same answer then.  Does nothing
    when scipy or ``arraymath`` is already imported or numba's layout differs."""
    if "scipy.linalg" in sys.modules or "numba.np.arraymath" in sys.modules:
        return
    try:
        from numba.np import linalg
    except ImportError:
        return
    real = getattr(linalg, "ensure_blas", None)
    if not callable(real):
        return
    asked: list[bool] = []
    linalg.ensure_blas = lambda: asked.append(True)  # what arraymath binds and calls at import
    try:
        from numba.np import arraymath
    except ImportError:
        return
    finally:
        linalg.ensure_blas = real
    if getattr(arraymath, "ensure_blas", None) is not None:
        setattr(arraymath, "ensure_blas", real)  # noqa: B010  (numba does not export it)
    if asked and getattr(arraymath, "_HAVE_BLAS", None) is True:
        setattr(arraymath, "_HAVE_BLAS", _LazyBlasCheck(real))  # noqa: B010


def _load(name: str) -> ModuleType | None:
    """Import ``overlap.<name>`` (compiling or loading its kernels), or None if numba fails."""
    if name in _failed:
        return None
    try:
        _defer_blas_check()
        mod = importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        _failed.add(name)
        return None
    except Exception as e:  # numba present but unusable (e.g. no writable cache dir)
        import warnings

        warnings.warn(f"overlap: compiled code unavailable ({e}); using numpy/Python", RuntimeWarning, stacklevel=3)
        _failed.add(name)
        return None
    return mod


@functools.lru_cache(maxsize=1)
def _numba_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def _start_background() -> None:
    """Start one detached ``python -m overlap.jit`` unless one is already compiling."""
    global _started
    if _started:
        return
    _started = True
    try:
        directory = _cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        lock = directory / f"overlap-jit-{_stamp()}.warming"
        if lock.with_suffix(".failed").exists():
            return  # compiling failed once for this install: do not retry on every run
        try:
            if time.time() - lock.stat().st_mtime < _LOCK_STALE_S:
                return  # another process is compiling
            lock.unlink()
        except FileNotFoundError:
            pass
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
        subprocess.Popen(
            [sys.executable, "-m", "overlap.jit", "--quiet", "--lock", str(lock)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "OVERLAP_JIT": "1"},
        )
    except OSError:
        return  # cannot write a lock or start a process: stay on numpy this run


def _ready() -> bool:
    """Whether compiled code may be used now (loading it is then a cache read)."""
    mode = _mode()
    if mode == "0" or not _numba_installed():
        return False
    if mode == "1" or is_warm():
        return True
    _start_background()
    return False


def load_kernels() -> ModuleType | None:
    """``overlap.kernels`` when compiled code is usable now, else None (numpy path).

    Read on every call (``OVERLAP_JIT`` may change between calls, e.g. in tests).
    """
    global _kernels
    if not _ready():
        return None
    with _lock:
        if _kernels is None:
            _kernels = _load("kernels")
    return _kernels


def loaded_kernels() -> ModuleType | None:
    """``overlap.kernels`` if this process has loaded it already and compiled code is still
    allowed, else None, never loading it: for work too small to pay for importing numba."""
    if _kernels is None or _mode() == "0":
        return None
    return _kernels


def use_aligner(on: bool = True) -> bool:
    """Run ``align``'s seeds-to-filter steps compiled from now on (``on=False``: stop).

    Same results either way.  Not the default because importing numba and the aligner
    costs a fraction of a second that a one-off ``compare`` must not pay: ``scan``'s
    workers switch it on, having numba loaded for signing anyway.  Returns whether it is
    on: False when ``OVERLAP_JIT=0``, numba is missing or unusable, or (``OVERLAP_JIT``
    unset) the cache is still cold and being filled in the background.
    """
    global _aligner, _aligner_on
    if not on or not _ready():
        _aligner_on = False
        return False
    with _lock:
        if _aligner is None:
            _aligner = _load("_align_jit")
    _aligner_on = _aligner is not None
    return _aligner_on


def aligner() -> ModuleType | None:
    """The compiled aligner while ``use_aligner()`` has it on, else None."""
    if not _aligner_on or _mode() == "0":
        return None
    return _aligner


def warm() -> None:
    """Compile (or load) every kernel now and mark the cache warm; raises if numba fails."""
    # importing compiles or loads each module's kernels into numba's cache
    from . import _align_jit, kernels, kernels_jsonl, kernels_names, kernels_segment  # noqa: F401
    from . import kernels_stories, kernels_vocabulary  # noqa: F401

    directory = _cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    marker = _marker()
    tmp = marker.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("numba cache warm for this install\n", encoding="utf-8")
    os.replace(tmp, marker)


def _main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    lock = argv[argv.index("--lock") + 1] if "--lock" in argv else None
    if quiet and hasattr(os, "nice"):
        os.nice(10)  # a background compile yields the CPU to the run that started it
    try:
        t0 = time.perf_counter()
        warm()
        if not quiet:
            print(f"overlap: compiled kernels cached in {_cache_dir()} ({time.perf_counter() - t0:.1f} s)")
        return 0
    except Exception as e:  # report in one line, never a traceback
        if lock:
            try:
                Path(lock).with_suffix(".failed").write_text(f"{e}\n", encoding="utf-8")
            except OSError:
                pass
        if not quiet:
            print(f"overlap: could not compile the kernels ({e}); the numpy/Python paths will be used", file=sys.stderr)
        return 1
    finally:
        if lock:
            try:
                os.unlink(lock)
            except OSError:
                pass


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
