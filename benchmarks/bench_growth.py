"""Growth of time with input size on hostile and very large inputs (issue 16).

``bench_growth(cases=None, repeat=3, budget=30.0) -> rows`` doubles each input four times
(five sizes), times the stage it attacks (best of ``repeat``; one run at sizes whose
first run took over 5 s) and fits the exponent ``e`` of ``seconds ~ size**e`` by least
squares on the log-log points; the last doubling's exponent is reported too.  Seconds
are CPU seconds of this process (nothing timed runs threads): on a shared machine wall
time also counts waiting for a core.  Wall seconds and their exponent are reported too.  A case
stops growing once one size takes longer than ``budget`` seconds (for running it against
an older, quadratic build: ``PYTHONPATH=../main/src python -m benchmarks.bench_growth``).

``bench_memory(mb=50) -> row`` runs ``overlap compare`` on a one-line document of ``mb``
megabytes against a seed article in a fresh process and reads its peak RSS from
``/usr/bin/time -v`` (or, where that is missing, from ``resource`` in the child).

``bench_index_memory(mb=50, doublings=3) -> (rows, fit)`` runs ``overlap index add`` of
the one-line document into a fresh index and ``overlap index query`` of the same
document against it (the stored text equals the query: one passage the length of the
document), at ``mb / 2**doublings`` up to ``mb`` megabytes, each in a fresh process:
wall and CPU seconds and peak RSS of both, and the exponents of query CPU time and of
query peak RSS over the doublings.

Inputs (built from ``../shared/data/baomoi`` words, or the seeds when it is absent):

* ``dots``: a run of ``.`` then ``…`` with no space after it (``segment.sentences``);
* ``lowercase_lines``: lines that all start in lower case and end without a stop,
  joined into one block (``segment.sentences``);
* ``repeated_tokens`` / ``repeated_tokens_jit``: shared 20-word passages separated by
  200 repeats of one word, compared with itself plus a word (``compare``; Python and
  compiled aligner);
* ``many_passages``: 30-word passages with unrelated filler, the same passages in
  another order on the other side (``compare``), each side starting with a decomposed
  word (so all sizes take the same normalisation path);
* ``near_duplicate``: running text and a copy with one word in 50 changed (``compare``);
* ``one_line_compare`` / ``one_line_index``: a one-line document against a seed
  article (``compare``), and added to a fresh index then queried with a copy
  (``Index.add`` + ``Index.query``);
* ``dotted_dates``: an article holding one run of dot-separated dates (``1.2.2013.3.4.2013...``)
  and a copy with its first date changed, scanned together (``scan``, one worker: the
  scan's date features, the comparison and its conflicts);
* ``capitalised_runs``: two long runs of capitalised name-like words, one word in eleven
  respelled on the second side (few enough that the pair is linked at every size),
  scanned together (``scan``, one worker: name phrases, name variants and their
  occurrences, the reused passage).

``python -m benchmarks.bench_growth [--quick] [--memory-mb N] [--index-mb N] [--case NAME ...]``
writes ``benchmarks/results/growth.csv``, ``growth_memory.csv``, ``growth_index.csv`` and
``growth.md``; ``--index-only`` runs the index sizes alone.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import RESULTS, ROOT, SEEDS, load_corpus, machine, markdown_table, write_csv

Workload = Callable[[], object]


def _words() -> list[str]:
    return [w for t in load_corpus().texts for w in t.split()]


def _seed() -> str:
    return sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")


def _dots(n: int) -> Workload:
    from overlap.segment import sentences

    text = "Mở đầu" + "." * n + "\u2026" * n + " Kết thúc."
    return lambda: sentences(text)


def _lowercase_lines(n: int) -> Workload:
    from overlap.segment import sentences

    text = "Mở đầu\n" + "\n".join(f"dòng thứ {i} viết thường" for i in range(n))
    return lambda: sentences(text)


def _repeated(n: int, words: list[str]) -> tuple[str, str]:
    rng = random.Random(n)
    parts: list[str] = []
    total = 0
    while total < n:
        parts.append(" ".join(rng.choice(words) for _ in range(20)))
        parts.append(" ".join(["la"] * 200))
        total += 220
    a = " ".join(parts)
    return a, a + " x"


def _repeated_tokens(n: int) -> Workload:
    from overlap import compare

    a, b = _repeated(n, _words())
    return lambda: compare(a, b)


def _repeated_tokens_jit(n: int) -> Workload:
    from overlap import compare
    from overlap.align import use_jit

    if not use_jit():
        raise RuntimeError("numba unavailable")
    a, b = _repeated(n, _words())
    compare("một hai ba bốn", "một hai ba bốn")  # compile / load the kernels first
    use_jit(False)  # off again: the other cases time the default (Python) aligner

    def run() -> object:
        use_jit(True)
        try:
            return compare(a, b)
        finally:
            use_jit(False)

    return run


_DECOMPOSED = "Hoa\u0300 "  # "Hoà" with a combining grave accent: not NFC


def _many_passages(n: int) -> Workload:
    from overlap import compare

    rng = random.Random(n)
    words = _words()
    passages: list[list[str]] = []
    while len(passages) * 60 < n:
        s = rng.randrange(len(words) - 30)
        passages.append(words[s : s + 30])

    def filler() -> list[str]:
        return [f"x{rng.randrange(10**9)}" for _ in range(30)]

    # Both start with a decomposed word, as ``one_line_document`` does: every size takes
    # the same normalisation path, whichever corpus passages it happens to draw.
    a = _DECOMPOSED + " ".join(t for p in passages for t in p + filler())
    order = list(range(len(passages)))
    rng.shuffle(order)
    b = _DECOMPOSED + " ".join(t for i in order for t in passages[i] + filler())
    return lambda: compare(a, b)


def _near_duplicate(n: int) -> Workload:
    from overlap import compare

    words = _words()
    a = (words * (1 + n // len(words)))[:n]
    rng = random.Random(n)
    b = list(a)
    for i in range(0, n, 50):
        j = i + rng.randrange(50)
        if j < n:
            b[j] = rng.choice(words)
    ta, tb = " ".join(a), " ".join(b)
    return lambda: compare(ta, tb)


def one_line_document(chars: int) -> str:
    """A one-line document of about ``chars`` characters: corpus words joined by spaces.

    It starts with a decomposed word ("Hoa" + U+0300), so every size takes the same
    normalisation path (cluster by cluster); otherwise only the sizes that reach a
    corpus article with a combining mark would, and the fitted exponent would mix paths.
    """
    words = _words()
    per = sum(map(len, words[:10000])) / min(len(words), 10000) + 1
    n = int(chars / per) + 1
    return (_DECOMPOSED + " ".join((words * (1 + n // len(words)))[:n]))[:chars]


def _one_line_compare(n: int) -> Workload:
    from overlap import compare

    doc, seed = one_line_document(n), _seed()
    return lambda: compare(doc, seed)


def _one_line_index(n: int) -> Workload:
    from overlap.index import Index
    from overlap.records import Document

    doc = one_line_document(n)
    query = doc.replace(" và ", " với ", 20)

    def run() -> object:
        with tempfile.TemporaryDirectory() as tmp, Index(str(Path(tmp) / "i.db")) as index:
            index.add([Document("big", doc)])
            return index.query(query, top=1)

    return run


def _scan_pair(a: str, b: str) -> Workload:
    from overlap.corpus import scan
    from overlap.records import Document

    docs = [Document("a", a), Document("b", b)]
    return lambda: scan(docs, workers=1)


def _dotted_dates(n: int) -> Workload:
    run = ".".join(f"{1 + i % 28}.{1 + i % 12}.2013" for i in range(n))
    a = "Ngày 23.10.2013 hội nghị họp. Lịch các phiên " + run + " là hạn chót. " + _seed()
    return _scan_pair(a, a.replace("23.10.2013", "24.10.2013", 1))


def _capitalised_runs(n: int) -> Workload:
    rng = random.Random(n)
    heads = ["Nguyễn", "Minh", "Hoàng", "Trần", "Quang", "Thanh", "Bình", "Hải"]
    run = [rng.choice(heads) + "".join(rng.choice("aeiounmt") for _ in range(3)) for _ in range(n)]
    other = [w + "h" if i % 11 == 0 else w for i, w in enumerate(run)]
    return _scan_pair(" ".join(run), " ".join(other))


# name -> (what is timed, unit, first size, workload builder)
CASES: dict[str, tuple[str, str, int, Callable[[int], Workload]]] = {
    "dots": ("segment.sentences", "marks", 2_500, _dots),
    "lowercase_lines": ("segment.sentences", "lines", 50_000, _lowercase_lines),
    "repeated_tokens": ("compare (Python aligner)", "tokens", 5_000, _repeated_tokens),
    "repeated_tokens_jit": ("compare (compiled aligner)", "tokens", 5_000, _repeated_tokens_jit),
    "many_passages": ("compare", "words", 25_000, _many_passages),
    "near_duplicate": ("compare", "words", 25_000, _near_duplicate),
    "one_line_compare": ("compare vs a seed article", "chars", 750_000, _one_line_compare),
    "one_line_index": ("Index.add + Index.query", "chars", 750_000, _one_line_index),
    "dotted_dates": ("scan of the article and a copy", "dates", 2_000, _dotted_dates),
    "capitalised_runs": ("scan of the two runs", "words", 25_000, _capitalised_runs),
}


def _fit(sizes: list[int], secs: list[float]) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-6)) for t in secs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else float("nan")


def bench_growth(cases: list[str] | None = None, repeat: int = 3, budget: float = 30.0, doublings: int = 4) -> list[dict[str, str]]:
    """One row per case: sizes, seconds, fitted and last-doubling exponents."""
    rows = []
    for name in cases or list(CASES):
        what, unit, first, build = CASES[name]
        sizes: list[int] = []
        secs: list[float] = []
        walls: list[float] = []
        for d in range(doublings + 1):
            n = first << d
            try:
                work = build(n)
            except RuntimeError as e:
                print(f"{name}: skipped ({e})", file=sys.stderr)
                break
            best = wall = float("inf")
            for r in range(repeat):
                t, w = time.process_time(), time.perf_counter()
                work()
                best = min(best, time.process_time() - t)
                wall = min(wall, time.perf_counter() - w)
                if wall > 5.0:
                    break
            sizes.append(n)
            secs.append(best)
            walls.append(wall)
            print(f"{name} {n} {unit}: {best:.3f} s CPU, {wall:.3f} s wall", file=sys.stderr, flush=True)
            if wall > budget:
                break
        if len(sizes) < 2:
            continue
        rows.append(
            {
                "case": name,
                "timed": what,
                "unit": unit,
                "sizes": "/".join(str(s) for s in sizes),
                "seconds": "/".join(f"{t:.3f}" for t in secs),
                "exponent": f"{_fit(sizes, secs):.2f}",
                "last_doubling": f"{math.log(secs[-1] / secs[-2]) / math.log(sizes[-1] / sizes[-2]):.2f}",
                "wall_seconds": "/".join(f"{t:.3f}" for t in walls),
                "wall_exponent": f"{_fit(sizes, walls):.2f}",
            }
        )
    return rows


def _one_line_file(path: Path, mb: float) -> int:
    """Write the one-line document cut to ``mb`` megabytes of UTF-8; its length in characters."""
    text = one_line_document(int(mb * 1e6))
    data = text.encode("utf-8")[: int(mb * 1e6)].decode("utf-8", "ignore")
    path.write_text(data, encoding="utf-8")
    return len(data)


def _measured(argv: list[str]) -> dict[str, float]:
    """Run ``argv`` in a fresh process: exit code, wall and CPU seconds, peak RSS in MB."""
    t = time.perf_counter()
    if shutil.which("time") and Path("/usr/bin/time").exists():
        p = subprocess.run(["/usr/bin/time", "-v", *argv], cwd=ROOT, capture_output=True, text=True)
        got = {l.split(":")[0].strip(): l.rsplit(":", 1)[1].strip() for l in p.stderr.splitlines() if ":" in l}
        kb = int(got["Maximum resident set size (kbytes)"])
        cpu = float(got["User time (seconds)"]) + float(got["System time (seconds)"])
    else:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        kb = max(before.ru_maxrss, after.ru_maxrss)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"exit": p.returncode, "wall": time.perf_counter() - t, "cpu": cpu, "rss_mb": kb / 1024}


def bench_memory(mb: float = 50.0) -> dict[str, object]:
    """Peak RSS and wall time of ``overlap compare`` on a one-line ``mb`` MB document vs a seed."""
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "one_line.txt"
        _one_line_file(doc, mb)
        seed = sorted(SEEDS.glob("*.txt"))[0]
        got = _measured([sys.executable, "-m", "overlap", "compare", "--json", str(doc), str(seed)])
        return {
            "input": f"{doc.stat().st_size / 1e6:.1f} MB one-line document vs a seed article",
            "command": "overlap compare --json",
            "exit": str(got["exit"]),
            "seconds": f"{got['wall']:.1f}",
            "peak_rss_mb": str(round(got["rss_mb"])),
        }


def bench_index_memory(mb: float = 50.0, doublings: int = 3) -> tuple[list[dict[str, str]], dict[str, str]]:
    """``overlap index add`` then ``index query`` of the same one-line document, and
    ``overlap compare`` of it against a seed article, per size.

    Rows: size, characters, and per command exit, wall and CPU seconds and peak RSS;
    ``fit``: the exponents of query CPU seconds and of query peak RSS over the sizes
    (least squares on log-log points, as ``bench_growth``).
    """
    rows: list[dict[str, str]] = []
    sizes: list[int] = []
    cpus: list[float] = []
    rss: list[float] = []
    for d in range(doublings, -1, -1):
        size = mb / 2**d
        with tempfile.TemporaryDirectory() as tmp:
            doc, index = Path(tmp) / "one_line.txt", Path(tmp) / "index.db"
            chars = _one_line_file(doc, size)
            base = [sys.executable, "-m", "overlap", "index"]
            add = _measured([*base, "add", str(index), str(doc)])
            query = _measured([*base, "query", "--json", str(index), str(doc)])
            seed = sorted(SEEDS.glob("*.txt"))[0]
            comp = _measured([sys.executable, "-m", "overlap", "compare", "--json", str(doc), str(seed)])
        row = {"mb": f"{size:g}", "chars": str(chars)}
        for name, got in (("add", add), ("query", query), ("compare", comp)):
            row |= {
                f"{name}_exit": str(got["exit"]),
                f"{name}_wall_s": f"{got['wall']:.1f}",
                f"{name}_cpu_s": f"{got['cpu']:.1f}",
                f"{name}_peak_rss_mb": str(round(got["rss_mb"])),
            }
        rows.append(row)
        print(f"index {size:g} MB: {row}", file=sys.stderr, flush=True)
        sizes.append(chars)
        cpus.append(query["cpu"])
        rss.append(query["rss_mb"])
    fit = {"query_cpu_exponent": f"{_fit(sizes, cpus):.2f}", "query_rss_exponent": f"{_fit(sizes, rss):.2f}"}
    return rows, fit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", action="append", choices=list(CASES), help="run only these cases")
    ap.add_argument("--quick", action="store_true", help="two doublings, one run each, no memory run")
    ap.add_argument("--memory-mb", type=float, default=50.0, help="size of the one-line document (0: skip)")
    ap.add_argument("--index-mb", type=float, default=50.0, help="largest one-line document for index add/query (0: skip)")
    ap.add_argument("--index-only", action="store_true", help="run the index add/query sizes alone")
    ap.add_argument("--budget", type=float, default=30.0, help="stop growing a case past this many seconds")
    ap.add_argument("--out", default="growth", help="result file stem in benchmarks/results")
    args = ap.parse_args()
    full = not args.quick and not args.index_only
    rows = bench_growth(args.case, repeat=1 if args.quick else 3, budget=args.budget, doublings=2 if args.quick else 4) if not args.index_only else []
    mem = bench_memory(args.memory_mb) if args.memory_mb > 0 and full else None
    index_rows, fit = bench_index_memory(args.index_mb) if args.index_mb > 0 and not args.quick else ([], {})
    import overlap

    lines = [
        "# Growth on hostile and very large inputs (issue 16)",
        "",
        "`python -m benchmarks.bench_growth`: each input doubled four times, best of 3 runs",
        "(one at sizes over 5 s); `seconds` is the CPU time of the process (`time.process_time`),",
        "`exponent` the least-squares slope of log(seconds) on log(size), `last_doubling` the",
        "slope of the last step. Target: exponent <= 1.2. CPU time, because the machine is",
        "shared (2 cores, several jobs): wall time counts the waits for a core, which grow",
        "with the run's length; `wall_seconds` and `wall_exponent` are shown beside it.",
        "The one-line document starts with a decomposed word, so every size takes the same",
        "normalisation path.",
        f"overlap {overlap.__version__}.",
    ]
    if rows:
        lines += ["", markdown_table(rows)]
    if mem:
        lines += ["", "## Memory", "", markdown_table([mem]), "", "Target: peak RSS < 1,500 MB."]
    if index_rows:
        lines += [
            "", "## Index add and query of a one-line document against itself", "",
            markdown_table(index_rows), "",
            f"Exponent over the doublings: query CPU time {fit['query_cpu_exponent']}, "
            f"query peak RSS {fit['query_rss_exponent']} (RSS includes the interpreter and its "
            "imports, a fixed part, so it grows slower than the memory the input needs).",
            "Target: peak RSS < 1,500 MB at 50 MB, time exponent <= 1.2.",
        ]
    lines += ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items())]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if rows:
        write_csv(RESULTS / f"{args.out}.csv", rows)
    if mem:
        write_csv(RESULTS / f"{args.out}_memory.csv", [mem])
    if index_rows:
        write_csv(RESULTS / f"{args.out}_index.csv", index_rows)
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
