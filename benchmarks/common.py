"""Shared helpers of the speed suite: machine description, timers, corpora, result writers.

``machine() -> dict``                  CPU, cores, OS, Python and library versions.
``best_of(fn, repeat) -> float``       Best wall time of ``repeat`` calls, in seconds.
``single_core()``                      Context manager pinning this process to one CPU.
``load_corpus(limit=None) -> Corpus``  baomoi articles (``../shared/data/baomoi``), or the
                                       bundled seeds with a printed notice when absent.
``scaled_corpus(n, seed) -> list[str]`` ``n`` documents made from the corpus with realistic
                                       edits: sentence reorderings, drops, word edits, merges.
``write_csv(path, rows)``, ``markdown_table(rows, columns) -> str``
``status_mb(field) -> float``          ``VmRSS`` (now) or ``VmHWM`` (peak) of this process
                                       from ``/proc/self/status``, in MiB; 0.0 elsewhere.

Timings on a shared machine are noisy: every number is the best of several runs (the
least-disturbed one), and the suite says so in its output.
"""

from __future__ import annotations

import csv
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT.parent / "shared" / "data"
SEEDS = ROOT / "seeds"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    info = {
        "cpu": cpu,
        "cores": str(usable),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    from importlib.metadata import PackageNotFoundError, version

    for name in ("overlap", "numba", "datasketch", "rensa"):
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = "not installed"
    return info


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@contextmanager
def single_core() -> Iterator[None]:
    """Pin this process (and threads it starts) to one CPU, so no engine can use two."""
    if not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Texts and where they came from (``"baomoi"`` or ``"seeds"``)."""

    texts: list[str]
    source: str


def load_corpus(limit: int | None = None) -> Corpus:
    """baomoi articles in file-name order, or the seeds when the shared data is absent."""
    folder = DATA / "baomoi"
    if folder.is_dir():
        files = sorted(folder.glob("*.txt"))[:limit]
        return Corpus([f.read_text(encoding="utf-8") for f in files], "baomoi")
    print(f"note: {folder} not found; using the bundled seeds (numbers will not be comparable)", file=sys.stderr)
    files = sorted(SEEDS.glob("*.txt"))
    return Corpus([f.read_text(encoding="utf-8") for f in files][:limit], "seeds")


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def scaled_corpus(n: int, seed: int = 0, base: Sequence[str] | None = None) -> list[str]:
    """``n`` news-like documents: the real articles first, then edited republications.

    Each generated document takes a random real article and applies what editors do when
    republishing: drop a few sentences, swap neighbouring sentences, change about one word
    in 50, and sometimes append sentences from another article.  About a tenth are near
    copies (one small edit), so near-duplicate clusters exist at every scale.
    """
    texts = list(base if base is not None else load_corpus().texts)
    rng = np.random.default_rng(seed)
    out = texts[:n]
    split = [_SENTENCE.split(t) for t in texts]
    vocab = [w for t in texts[:200] for w in t.split()[:50]]
    while len(out) < n:
        sents = list(split[int(rng.integers(len(split)))])
        near = rng.random() < 0.1
        if len(sents) > 3 and not near:
            drop = rng.random(len(sents)) < 0.1
            sents = [s for s, d in zip(sents, drop) if not d] or sents[:1]
            for i in range(len(sents) - 1):
                if rng.random() < 0.1:
                    sents[i], sents[i + 1] = sents[i + 1], sents[i]
            if rng.random() < 0.2:
                other = split[int(rng.integers(len(split)))]
                sents += other[: int(rng.integers(1, 4))]
        text = " ".join(sents)
        words = text.split(" ")
        rate = 0.005 if near else 0.02
        for i in np.flatnonzero(rng.random(len(words)) < rate).tolist():
            words[i] = vocab[int(rng.integers(len(vocab)))]
        out.append(" ".join(words))
    return out


def status_mb(field: str) -> float:
    """``field`` (``VmRSS``: resident now; ``VmHWM``: peak, of this process's own address
    space) from ``/proc/self/status`` in MiB; 0.0 where there is no such file."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def write_csv(path: Path, rows: Sequence[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def replace_sections(path: Path, sections: Sequence[tuple[str, str]], header: str) -> None:
    """Put each ``(title, body)`` into the markdown file ``path`` as ``### title``, in place.

    A section whose number (``"4b"`` of ``"4b. Estimation error ..."``) is already in the
    file replaces it, up to the next ``###``; a new one goes at the end; every other
    section (the hand-written ones) is kept as it is.  ``header`` starts a new file.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else header.rstrip("\n") + "\n\n"
    for title, body in sections:
        number = title.split(".")[0]
        block = f"### {title}\n\n{body.strip()}\n\n"
        pattern = re.compile(rf"### {re.escape(number)}\. .*?\n(?=### |\Z)", re.S)
        text, found = pattern.subn(lambda _: block, text, count=1)
        if not found:
            text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.4f}"
    return str(v)


def markdown_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)
