"""Speed at equal estimation error: each MinHash engine's time per article against its error.

A sketch can always buy speed with accuracy (fewer positions, or sampled tokens), so one
table at one size compares unlike things.  This one measures every engine at several
signature sizes on both axes, with the methods of tables 1 and 4 of ``results/speed.md``:

``bench_tradeoff(sample, scored_pairs) -> rows``
    µs per article on the 2,000-article sample (one core, best of N, same 64-bit shingle
    hashes for every engine) and the mean, maximum and 99.9th percentile absolute error
    against exact Jaccard on table 4's 347 document pairs (1,000 seeds).  Each rensa row
    names ``dominated_by``: the fastest overlap row that is faster and at least as
    accurate on the mean and on the maximum, or ``none``; ``dominated_by_fss`` the same
    among the rows of the default scheme.
``plot(rows, path)``
    error against time, both axes log, one line per engine through its sizes.
``write_results()``
    re-run it and replace table 4c of ``results/speed.md``, ``speed_tradeoff.csv`` and
    ``speed_tradeoff.png``.

Run alone: ``python -m benchmarks.bench_tradeoff`` (prints the table; ``--write`` updates
the files).  About two minutes, most of it the 1,000 seeds of rensa's ``CMinHash`` and
per-document calls.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import numpy as np

from benchmarks.bench_minhash import accuracy_pairs, hash_bytes, pair_documents, rensa_digest
from benchmarks.common import RESULTS, best_of, load_corpus, machine, markdown_table, replace_sections, single_core, write_csv
from overlap.signatures import estimate_jaccard, signatures_from_shingles

TITLE = "4c. Speed at equal estimation error"
SEEDS = range(1, 1001)  # the maximum of 100 seeds is one draw, +-0.015 between blocks of 100

# (engine, api, slots): overlap's schemes at the sizes where one of them could beat a rensa
# call, rensa's calls at the sizes a user would pick (its rho calls up to 1,024 slots, to
# see whether more slots bring their error down).
OVERLAP = [("fss", 32), ("fss", 64), ("fss", 128), ("fss", 256), ("fss", 512), ("oph", 64), ("oph", 128), ("minmax", 128)]
RENSA = [
    ("RMinHash.digest_matrix_from_flat_token_hashes", (64, 128, 256)),
    ("RMinHash.digest_matrix_from_token_hash_sets", (128,)),
    ("RMinHash(n).update(bytes list) per doc", (128,)),
    ("CMinHash.digests64_from_token_hash_sets", (128,)),
    ("RMinHash.digest_matrix_from_flat_token_hashes_rho", (128, 256, 512, 1024)),
    ("RMinHash.digest_matrix_from_token_hash_sets_rho", (128, 256, 512, 1024)),
]


class _Docs:
    """One set of documents in the three shapes the engines take: flat hashes with
    offsets, one ``uint64`` array per document, and each hash as its 8 little-endian bytes."""

    def __init__(self, flat: np.ndarray, offs: np.ndarray) -> None:
        self.flat, self.offs = flat, np.asarray(offs, np.int64)
        self.arrays = [flat[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
        self.bytes = hash_bytes(self.arrays)


def _rensa_call(api: str, slots: int) -> tuple[Callable[[_Docs, int], object], Callable[[object], np.ndarray]]:
    """``(call, as_matrix)`` of one rensa API: ``call(docs, seed)`` is what is timed (as in
    table 1, without converting rensa's result to Python lists), ``as_matrix`` turns its
    result into a signature matrix for scoring.  ``AttributeError`` if this rensa lacks it."""
    import rensa

    R = rensa.RMinHash
    if api.startswith("RMinHash(n).update"):
        return (lambda d, seed: [rensa_digest(R, tokens, seed, slots) for tokens in d.bytes]), np.array
    owner, name = api.split(".")
    fn = getattr(getattr(rensa, owner), name)
    if "flat" in name:
        return (lambda d, seed: fn(d.flat, d.offs, slots, seed)), (lambda res: np.asarray(res.to_rows()))
    if owner == "CMinHash":
        return (lambda d, seed: fn(d.arrays, slots, seed)), np.asarray
    return (lambda d, seed: fn(d.arrays, slots, seed)), (lambda res: np.asarray(res.to_rows()))


def _errors(sign: Callable[[int], np.ndarray], pi: np.ndarray, pj: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """Estimate minus exact Jaccard, one row per seed."""
    out = []
    for seed in SEEDS:
        sig = sign(seed)
        out.append(estimate_jaccard(sig[pi], sig[pj]) - exact)
    return np.array(out)


def bench_tradeoff(sample: list[str], scored_pairs: tuple, repeat: int = 9) -> list[dict]:
    """µs per article on ``sample`` and absolute error on ``scored_pairs`` (what
    ``bench_minhash.accuracy_pairs`` returns) of every engine and size (module docstring)."""
    from overlap.signatures import shingle_batch

    flat, offs = shingle_batch(sample)
    timed = _Docs(flat, offs)
    pairs, exact, aflat, aoffs = scored_pairs
    sub_flat, sub_offs, pi, pj = pair_documents(pairs, aflat, aoffs)
    scored = _Docs(sub_flat, sub_offs)
    n = len(sample)
    rows: list[dict] = []

    def add(engine: str, api: str, slots: int, run: Callable[[_Docs, int], object],
            as_matrix: Callable[[object], np.ndarray], times: int) -> None:
        run(timed, 1)  # compile or warm up off the clock
        us = best_of(lambda: run(timed, 1), times) / n * 1e6
        e = np.abs(_errors(lambda s: as_matrix(run(scored, s)), pi, pj, exact))
        rows.append({"engine": engine, "api": api, "slots": slots, "us_per_article": us,
                     "mean_abs_error": float(e.mean()), "max_abs_error": float(e.max()),
                     "99.9th pct abs error": float(np.quantile(e, 0.999))})

    with single_core():  # all of it: a thread pool an engine starts keeps the one CPU it started on
        for method, slots in OVERLAP:
            add("overlap", method, slots, lambda d, s, m=method, k=slots: signatures_from_shingles(
                d.flat, d.offs, num_perm=k, seed=s, method=m), np.asarray, repeat)
        try:
            for api, sizes in RENSA:
                for slots in sizes:
                    try:
                        run, as_matrix = _rensa_call(api, slots)
                        run(timed, 1)
                    except (AttributeError, TypeError, ValueError) as exc:
                        print(f"note: rensa {api} unavailable here ({exc}); skipping it", file=sys.stderr)
                        break
                    slow = "CMinHash" in api or "per doc" in api
                    add("rensa", api, slots, run, as_matrix, max(2, repeat // 4) if slow else repeat)
        except ImportError:
            print("note: rensa not installed (pip install -e .[bench]); skipping it", file=sys.stderr)
    ours = [r for r in rows if r["engine"] == "overlap"]
    for r in rows:
        if r["engine"] == "overlap":
            r["dominated_by"] = r["dominated_by_fss"] = ""
            continue
        better = [o for o in ours if o["us_per_article"] < r["us_per_article"]
                  and o["mean_abs_error"] <= r["mean_abs_error"] and o["max_abs_error"] <= r["max_abs_error"]]
        for key, pool in (("dominated_by", better), ("dominated_by_fss", [o for o in better if o["api"] == "fss"])):
            best = min(pool, key=lambda o: o["us_per_article"], default=None)
            r[key] = f"{best['api']} {best['slots']}" if best else "none"
    return rows


NOTE = (
    "µs per article: table 1's method ({n} {source} articles, one core, best of N, the same 64-bit shingle "
    "hashes for every engine; the whole run is pinned, so a thread pool an engine starts stays on that core). "
    "Error: table 4's {pairs} document pairs, {seeds} seeds per row, estimate = "
    "fraction of equal positions; {seeds} seeds because the maximum over 100 is one draw that moves by about "
    "0.015 between blocks of 100 seeds. `dominated_by`: the fastest overlap row that is faster than the rensa row "
    "and at least as accurate on both the mean and the maximum error (`none` if no overlap row is); "
    "`dominated_by_fss`: the same among the default scheme's rows. "
    "rensa's rho calls sample token positions (its README: document length and token order change the "
    "result), so their error does not fall as slots are added."
)


SHORT = {"RMinHash.digest_matrix_from_flat_token_hashes": "rensa flat", "RMinHash.digest_matrix_from_token_hash_sets":
         "rensa hash sets", "RMinHash(n).update(bytes list) per doc": "rensa RMinHash.update",
         "CMinHash.digests64_from_token_hash_sets": "rensa CMinHash", "RMinHash.digest_matrix_from_flat_token_hashes_rho":
         "rensa flat rho", "RMinHash.digest_matrix_from_token_hash_sets_rho": "rensa hash sets rho"}


def plot(rows: list[dict], path) -> None:
    """Mean absolute error against µs per article, both log: one line per engine and call
    through its sizes (each point labelled with its slots); overlap solid, rensa dashed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("note: matplotlib not installed; no plot")
        return
    fig, ax = plt.subplots(figsize=(8.5, 5))
    series: dict[str, list[dict]] = {}
    for r in rows:
        series.setdefault(f"overlap {r['api']}" if r["engine"] == "overlap" else SHORT.get(r["api"], r["api"]), []).append(r)
    for label, points in series.items():
        ours = label.startswith("overlap")
        xs = [p["us_per_article"] for p in points]
        ys = [p["mean_abs_error"] for p in points]
        ax.plot(xs, ys, "o-" if ours else "s--", lw=1.6 if ours else 1, ms=4, label=label)
        for p in points:
            ax.annotate(str(p["slots"]), (p["us_per_article"], p["mean_abs_error"]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("µs per article, one core (log); numbers are slots")
    ax.set_ylabel("mean |estimate - exact Jaccard| (log)")
    ax.set_title("Speed against estimation error: lower left is better", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results() -> None:
    """Re-run table 4c and replace it in ``results/speed.md``; rewrite its CSV file and plot."""
    sample = load_corpus(2000)
    full = load_corpus()
    load_before = os.getloadavg()[0]
    scored_pairs = accuracy_pairs(full.texts)
    rows = bench_tradeoff(sample.texts, scored_pairs)
    write_csv(RESULTS / "speed_tradeoff.csv", rows)
    plot(rows, RESULTS / "speed_tradeoff.png")
    pairs = len(scored_pairs[1])
    stamp = (f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC by `python -m benchmarks.bench_tradeoff "
             f"--write`; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
             + ", ".join(f"{k} {v}" for k, v in machine().items()) + ".")
    body = (stamp + " " + NOTE.format(n=len(sample.texts), source=sample.source, pairs=pairs, seeds=len(SEEDS))
            + "\n\n" + markdown_table(rows) + "\n\n![error against time](speed_tradeoff.png)")
    path = RESULTS / "speed.md"
    if not path.exists():
        raise RuntimeError(f"no {path}: run python -m benchmarks.run first")
    replace_sections(path, [(TITLE, body)], header="")
    print(f"updated table 4c of {path}, speed_tradeoff.csv and speed_tradeoff.png")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update table 4c of results/speed.md, its CSV and plot")
    args = parser.parse_args(argv)
    if args.write:
        write_results()
        return
    corpus = load_corpus(2000)
    print(f"corpus: {len(corpus.texts)} {corpus.source} documents; timings are best of N runs\n")
    print(markdown_table(bench_tradeoff(corpus.texts, accuracy_pairs(load_corpus().texts))))


if __name__ == "__main__":
    main()
