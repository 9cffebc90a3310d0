"""Speed and accuracy of MinHash signatures and LSH candidates: overlap vs datasketch vs rensa.

``bench_signatures(texts) -> rows``   ms per document of each engine on the same shingles.
``bench_jit_startup() -> rows``       one-time cost of overlap's compiled kernels per process.
``bench_end_to_end(texts) -> rows``   text -> signature with ``overlap.signatures``, 1 and 2 workers.
``bench_text_to_signature(texts) -> rows``  raw text -> 128 values, overlap vs rensa vs datasketch
                                      (peers with their usual Python word 5-gram shingles), one run.
``bench_accuracy(texts) -> rows``     mean / max absolute error against exact Jaccard (100 seeds).
``bench_accuracy_short(texts) -> rows``  the same on pairs of 8-200-shingle subsets of an article.
``bench_lsh(texts) -> rows``          band keys + candidate pairs vs datasketch ``MinHashLSH``.
``write_results()``                   re-run tables 1, 2, 4 and 4b of ``results/speed.md`` (and
                                      their CSV files and ``speed.png``) in place.

overlap rows: ``fss`` is the default scheme (fast similarity sketching, what ``minhash``
and ``dedup`` make), ``minmax`` what ``scan`` and ``Index`` store, ``oph`` one-permutation
hashing, each with the compiled numba kernel; the numpy rows (``OVERLAP_JIT=0``) give
bit-identical output.  rensa rows: ``RMinHash.update`` per document, its flat batch API
``digest_matrix_from_flat_token_hashes`` and that API's ``_rho`` variant (a different
sketch, same inputs), and its calls on one array per document (``RMinHash``'s
``digest_matrix_from_token_hash_sets`` and ``_rho``, and
``CMinHash.digests64_from_token_hash_sets``).  The kernels are compiled (or loaded from
numba's cache) and run once before any clock starts; ``bench_jit_startup`` reports that one-time cost separately.

"Same shingles": every engine receives the same 64-bit shingle hashes, made once by
``overlap.signatures.shingle_batch`` (normalise, tokenise, 5-token shingles).  overlap and
rensa's flat API take them as a ``uint64`` array with document offsets; datasketch
(``MinHash.update_batch``, its default ``sha1_hash32`` and ``affine32`` scheme) and rensa's
per-document ``RMinHash.update`` take each hash as its 8 little-endian bytes, converted
before the clock starts.  So only the MinHash engine differs.  num_perm = 128 everywhere.

Single-core rows run with the process pinned to one CPU (``common.single_core``), so an
engine cannot use a second core behind our back.  2-core rows run overlap's kernels in two
threads (``workers=2``; the kernels release the GIL).  Timings are best of N runs.

Run alone: ``python -m benchmarks.bench_minhash`` (prints tables; ``--write`` updates
tables 1, 2, 4 and 4b of ``benchmarks/results/speed.md``, their CSV files and the plot); the
full suite with files and plot: ``python -m benchmarks.run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from benchmarks.common import RESULTS, best_of, load_corpus, machine, markdown_table, replace_sections, single_core, write_csv
from overlap.lsh import band_keys, candidate_pairs, optimal_params
from overlap.signatures import estimate_jaccard, minhash, shingle_batch, signatures_from_shingles

NUM_PERM = 128


@contextmanager
def numpy_path() -> Iterator[None]:
    """Run ``overlap.signatures`` on its numpy kernels (``OVERLAP_JIT=0``) inside the block."""
    before = os.environ.get("OVERLAP_JIT")
    os.environ["OVERLAP_JIT"] = "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OVERLAP_JIT"]
        else:
            os.environ["OVERLAP_JIT"] = before


def bench_signatures(texts: list[str], repeat: int = 9, datasketch_docs: int = 300) -> list[dict]:
    """ms per document to turn the same shingle hashes into 128-value signatures."""
    flat, offs = shingle_batch(texts)
    n = len(texts)
    docs = [flat[offs[i] : offs[i + 1]] for i in range(n)]
    as_bytes = hash_bytes(docs)
    shingles_per_doc = len(flat) / n
    rows = []

    def row(engine: str, api: str, cores: int, seconds: float, docs_timed: int) -> None:
        rows.append(
            {
                "engine": engine,
                "api": api,
                "cores": cores,
                "ms_per_doc": seconds / docs_timed * 1e3,
                "us_per_doc": seconds / docs_timed * 1e6,
                "docs_per_s": docs_timed / seconds,
                "shingles_per_doc": round(shingles_per_doc),
            }
        )

    def ours(method: str, workers: int = 1):
        return lambda: signatures_from_shingles(flat, offs, num_perm=NUM_PERM, method=method, workers=workers)

    for method in ("minmax", "oph", "fss"):  # compile or load the kernels, start nothing on the clock
        ours(method)()
    with single_core():
        row("overlap", "fss, numba (default)", 1, best_of(ours("fss"), repeat), n)
        row("overlap", "minmax, numba (method='minmax': scan, index)", 1, best_of(ours("minmax"), repeat), n)
        row("overlap", "oph, numba (method='oph')", 1, best_of(ours("oph"), repeat), n)
        with numpy_path():
            row("overlap", "fss, numpy (OVERLAP_JIT=0)", 1, best_of(ours("fss"), max(3, repeat // 2)), n)
            row("overlap", "minmax, numpy (OVERLAP_JIT=0)", 1, best_of(ours("minmax"), max(3, repeat // 2)), n)
        try:
            import rensa

            R = rensa.RMinHash
            row("rensa", "RMinHash(128).update(bytes list) per doc", 1,
                best_of(lambda: [rensa_digest(R, b) for b in as_bytes], max(3, repeat // 2)), n)
            row("rensa", "RMinHash.digest_matrix_from_flat_token_hashes", 1,
                best_of(lambda: R.digest_matrix_from_flat_token_hashes(flat, offs, NUM_PERM, 1), repeat), n)
            row("rensa", "RMinHash.digest_matrix_from_flat_token_hashes_rho", 1,
                best_of(lambda: R.digest_matrix_from_flat_token_hashes_rho(flat, offs, NUM_PERM, 1), repeat), n)
            # rensa's other calls on pre-hashed tokens (one uint64 array per document), where this version has them
            for api, call, times in (
                ("RMinHash.digest_matrix_from_token_hash_sets",
                 lambda: R.digest_matrix_from_token_hash_sets(docs, NUM_PERM, 1), repeat),
                ("RMinHash.digest_matrix_from_token_hash_sets_rho",
                 lambda: R.digest_matrix_from_token_hash_sets_rho(docs, NUM_PERM, 1), repeat),
                ("CMinHash.digests64_from_token_hash_sets",
                 lambda: rensa.CMinHash.digests64_from_token_hash_sets(docs, NUM_PERM, 1), max(2, repeat // 4)),
            ):
                try:
                    call()
                except (AttributeError, TypeError, ValueError) as exc:
                    print(f"note: rensa {api} unavailable here ({exc}); skipping it", file=sys.stderr)
                    continue
                row("rensa", api, 1, best_of(call, times), n)
        except ImportError:
            print("note: rensa not installed (pip install -e .[bench]); skipping it", file=sys.stderr)
        from datasketch import MinHash

        sub = as_bytes[:datasketch_docs]

        def run_datasketch() -> None:
            for b in sub:
                m = MinHash(num_perm=NUM_PERM, seed=1)
                m.update_batch(b)

        row("datasketch", "MinHash(128).update_batch(bytes list) per doc", 1,
            best_of(run_datasketch, max(2, repeat // 4)), len(sub))
    if len(os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)) >= 2:
        for method in ("fss", "minmax", "oph"):
            row("overlap", f"{method}, numba, workers=2 (threads)", 2, best_of(ours(method, 2), repeat), n)
    base = {r["api"]: r["ms_per_doc"] for r in rows}
    ds = next(r["ms_per_doc"] for r in rows if r["engine"] == "datasketch")
    for r in rows:
        r["speedup_vs_datasketch"] = ds / r["ms_per_doc"]
        for key, api in (("vs_rensa_RMinHash", "RMinHash(128).update(bytes list) per doc"),
                         ("vs_rensa_flat", "RMinHash.digest_matrix_from_flat_token_hashes")):
            r[key] = base[api] / r["ms_per_doc"] if api in base else float("nan")
    return rows


def bench_jit_startup(repeat: int = 3) -> list[dict]:
    """Seconds a new process spends before its first compiled signature (fresh interpreters).

    ``compile``: numba's cache is empty (a fresh ``NUMBA_CACHE_DIR``), as on the first run
    on a machine; ``cache load``: the same cache again, as in every later process.  Both
    include ``import numba`` (also timed alone).
    """
    code = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"

    def run(mod: str, cache: str) -> float:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", code.format(mod=mod)], env=env, check=True,
                             capture_output=True, text=True)
        return float(out.stdout.split()[-1])

    with tempfile.TemporaryDirectory() as cache:
        cold = run("overlap.kernels", cache)
        warm = min(run("overlap.kernels", cache) for _ in range(repeat))
        numba_only = min(run("numba", cache) for _ in range(repeat))
    return [
        {"what": "import numba", "seconds": numba_only},
        {"what": "import numba + compile overlap.kernels (empty cache: first run on a machine)", "seconds": cold},
        {"what": "import numba + load overlap.kernels from numba's cache (every later process)", "seconds": warm},
    ]


def hash_bytes(docs: list[np.ndarray]) -> list[list[bytes]]:
    """Each 64-bit shingle hash as its 8 little-endian bytes: what datasketch's
    ``update_batch`` and rensa's ``RMinHash.update`` take."""
    return [[int(v).to_bytes(8, "little") for v in d] for d in docs]


def rensa_digest(R, tokens: list[bytes], seed: int = 1, num_perm: int = NUM_PERM) -> list[int]:
    """One document's rensa digest: ``R(num_perm, seed)``, ``update(tokens)``, ``digest()``."""
    m = R(num_perm, seed)
    m.update(tokens)
    return m.digest()


def bench_end_to_end(texts: list[str], repeat: int = 5) -> list[dict]:
    """Raw text -> signatures with ``overlap.signatures``, split into its stages."""
    from overlap.normalization import normalize

    n = len(texts)
    rows = []
    for method in ("fss", "minmax", "oph"):
        minhash(texts[:20], num_perm=NUM_PERM, method=method)  # kernels compiled or loaded outside the clock
    with single_core():
        t_norm = best_of(lambda: [normalize(t) for t in texts], repeat)
        t_shingle = best_of(lambda: shingle_batch(texts), repeat)
        t_sign = {m: best_of(lambda: minhash(texts, num_perm=NUM_PERM, method=m), repeat) for m in ("fss", "minmax", "oph")}
        with numpy_path():
            t_numpy = best_of(lambda: minhash(texts, num_perm=NUM_PERM), repeat)
    rows.append({"stage": "normalize (overlap.normalization)", "cores": 1, "ms_per_doc": t_norm / n * 1e3})
    rows.append({"stage": "tokenize + shingle (incl. normalize)", "cores": 1, "ms_per_doc": t_shingle / n * 1e3})
    for m, t in t_sign.items():
        rows.append({"stage": f"minhash(texts), {m}{' (default)' if m == 'fss' else ''}, numba, workers=1", "cores": 1,
                     "ms_per_doc": t / n * 1e3})
    rows.append({"stage": "minhash(texts), fss, numpy (OVERLAP_JIT=0), workers=1", "cores": 1,
                 "ms_per_doc": t_numpy / n * 1e3})
    if (os.cpu_count() or 1) >= 2:
        t_two = best_of(lambda: minhash(texts, num_perm=NUM_PERM, workers=2), repeat)
        rows.append({"stage": "minhash(texts), fss, numba, workers=2 (processes)", "cores": 2,
                     "ms_per_doc": t_two / n * 1e3})
    return rows


def _word_shingles(text: str, k: int = 5) -> list[str]:
    """The usual Python shingling of rensa's and datasketch's examples: lower-cased
    whitespace words, joined ``k`` at a time (the whole text when shorter)."""
    words = text.lower().split()
    if len(words) < k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]


def _staged_minhash(texts: list[str]) -> np.ndarray:
    """The previous overlap path, stage by stage: ``normalize`` in Python per text, then the
    compiled tokenizer, shingler and signer (what ``scan`` and ``minhash`` did before
    ``overlap.textpass``); bit-identical signatures."""
    from overlap.normalization import normalize
    from overlap.shingle import shingles_many, tokenize_many

    toks = tokenize_many([normalize(t).text for t in texts])
    return signatures_from_shingles(shingles_many([t.hashes for t in toks], 5), num_perm=NUM_PERM)


def bench_text_to_signature(texts: list[str], repeat: int = 7, datasketch_docs: int = 300) -> list[dict]:
    """ms per article from raw text to 128-value signatures, every engine in this one run.

    overlap: ``minhash(texts)`` (the compiled text pass) and, for comparison, the staged
    path it replaced.  rensa (``RMinHash.update`` per document) and datasketch
    (``MinHash.update_batch`` per document) get their usual Python word 5-gram shingles,
    made inside the clock as a user's pipeline would.  Pinned to one core; best of N of
    both wall time and the thread's CPU time (``time.thread_time``: what the work costs
    when other processes share the core, as on a loaded machine).
    """
    import time

    def timed(fn, times: int) -> tuple[float, float]:
        wall = cpu = float("inf")
        for _ in range(times):
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.thread_time() - c0)
        return wall, cpu

    n = len(texts)
    rows: list[dict] = []
    minhash(texts[:50], num_perm=NUM_PERM)  # kernels loaded and fold table filled outside the clock
    assert np.array_equal(minhash(texts, num_perm=NUM_PERM), _staged_minhash(texts))

    def row(engine: str, how: str, seconds: tuple[float, float], docs: int) -> None:
        rows.append({"engine": engine, "how": how, "ms_per_doc": seconds[0] / docs * 1e3,
                     "cpu_ms_per_doc": seconds[1] / docs * 1e3, "docs_timed": docs})

    with single_core():
        row("overlap", "minhash(texts): compiled text pass (normalise, tokenise, shingle, sign)",
            timed(lambda: minhash(texts, num_perm=NUM_PERM), repeat), n)
        row("overlap", "before: normalize() per text + compiled tokenise/shingle/sign",
            timed(lambda: _staged_minhash(texts), max(3, repeat // 2)), n)
        try:
            import rensa

            def run_rensa() -> list[list[int]]:
                out = []
                for t in texts:
                    m = rensa.RMinHash(NUM_PERM, 42)
                    m.update(_word_shingles(t))
                    out.append(m.digest())
                return out

            row("rensa", "RMinHash(128).update(word 5-gram strings) per doc", timed(run_rensa, repeat), n)
        except ImportError:
            print("note: rensa not installed (pip install -e .[bench]); skipping it", file=sys.stderr)
        from datasketch import MinHash

        sub = texts[:datasketch_docs]

        def run_datasketch() -> None:
            for t in sub:
                m = MinHash(num_perm=NUM_PERM, seed=1)
                m.update_batch([s.encode("utf-8") for s in _word_shingles(t)])

        row("datasketch", "MinHash(128).update_batch(word 5-gram bytes) per doc",
            timed(run_datasketch, max(2, repeat // 3)), len(sub))
    ours, ours_cpu = rows[0]["ms_per_doc"], rows[0]["cpu_ms_per_doc"]
    for r in rows:
        r["x_slower_than_overlap"] = r["ms_per_doc"] / ours
        r["x_slower_cpu"] = r["cpu_ms_per_doc"] / ours_cpu
    return rows


def accuracy_pairs(texts: list[str], per_bin: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Document pairs with a spread of exact Jaccard values: ``(pairs, exact, flat, offs)``.

    All pairs are screened with 32-value signatures (cheap); pairs estimated >= 0.03 get
    their exact Jaccard, and up to ``per_bin`` are drawn from each Jaccard bin, so the
    rare near-duplicates (J >= 0.85) are all kept.
    """
    flat, offs = shingle_batch(texts)
    sets = [np.unique(flat[offs[i] : offs[i + 1]]) for i in range(len(texts))]
    sig = signatures_from_shingles(flat, offs, num_perm=32, seed=12345, method="minmax")  # screening: a fixed pair set
    cand = []
    for i in range(len(texts) - 1):
        est = (sig[i + 1 :] == sig[i]).mean(axis=1)
        cand.extend((i, j) for j in (np.flatnonzero(est >= 0.03) + i + 1).tolist())
    cand = np.array(cand, dtype=np.int64).reshape(-1, 2)
    exact = np.array(
        [len(np.intersect1d(sets[i], sets[j], assume_unique=True)) / max(1, len(np.union1d(sets[i], sets[j]))) for i, j in cand]
    )
    edges = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.85, 0.95]
    bins = np.digitize(exact, edges)
    rng = np.random.default_rng(seed)
    chosen = []
    for b in np.unique(bins):
        idx = np.flatnonzero(bins == b)
        chosen.extend(rng.choice(idx, min(per_bin, len(idx)), replace=False).tolist())
    chosen = np.sort(np.array(chosen, dtype=np.int64))
    return cand[chosen], exact[chosen], flat, offs


def pair_documents(pairs: np.ndarray, flat: np.ndarray, offs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The documents ``pairs`` use, once each: ``(sub_flat, sub_offs, pi, pj)``, pair ``t``
    being rows ``pi[t]`` and ``pj[t]`` of their signatures."""
    used = np.unique(pairs)
    index = {int(d): k for k, d in enumerate(used)}
    docs = [flat[offs[d] : offs[d + 1]] for d in used.tolist()]
    sub_offs = np.concatenate(([0], np.cumsum([len(d) for d in docs]))).astype(np.int64)
    pi = np.array([index[int(a)] for a in pairs[:, 0]])
    pj = np.array([index[int(b)] for b in pairs[:, 1]])
    return np.concatenate(docs), sub_offs, pi, pj


def _overlap_engines(flat: np.ndarray, offs: np.ndarray) -> dict:
    """``{label: seed -> signatures}`` of overlap's three schemes on the same shingles."""
    labels = {"fss": "overlap fss (default)", "minmax": "overlap minmax (scan, index)", "oph": "overlap oph"}
    return {label: (lambda s, m=m: signatures_from_shingles(flat, offs, num_perm=NUM_PERM, seed=s, method=m))
            for m, label in labels.items()}


def bench_accuracy(texts: list[str], seeds: range = range(1, 101)) -> list[dict]:
    """Absolute error of each engine's estimate against exact Jaccard, over pairs and seeds."""
    pairs, exact, flat, offs = accuracy_pairs(texts)
    sub_flat, sub_offs, pi, pj = pair_documents(pairs, flat, offs)
    as_bytes = hash_bytes([sub_flat[sub_offs[i] : sub_offs[i + 1]] for i in range(len(sub_offs) - 1)])

    def datasketch_engine(scheme: str):
        from datasketch import MinHash

        def run(seed: int) -> np.ndarray:
            out = []
            for b in as_bytes:
                m = MinHash(num_perm=NUM_PERM, seed=seed, scheme=scheme)
                m.update_batch(b)
                out.append(m.hashvalues)
            return np.array(out)

        return run

    engines = {
        **_overlap_engines(sub_flat, sub_offs),
        "datasketch (affine32, default)": datasketch_engine("affine32"),
        "datasketch (legacy)": datasketch_engine("legacy"),
    }
    try:
        import rensa

        engines["rensa RMinHash"] = lambda s: np.array([rensa_digest(rensa.RMinHash, b, s) for b in as_bytes])
        engines["rensa flat hashes"] = lambda s: np.asarray(
            rensa.RMinHash.digest_matrix_from_flat_token_hashes(sub_flat, sub_offs, NUM_PERM, s).to_rows()
        )
        # The rho sketch leaves most positions empty (2**32 - 1: it samples the tokens),
        # so the equal-position fraction counts jointly empty positions as matches; the
        # second row estimates from positions where either side is set.
        engines["rensa flat hashes, rho (equal positions)"] = lambda s: np.asarray(
            rensa.RMinHash.digest_matrix_from_flat_token_hashes_rho(sub_flat, sub_offs, NUM_PERM, s).to_rows()
        )
    except ImportError:
        pass
    engines["rensa flat hashes, rho (set positions)"] = engines.get("rensa flat hashes, rho (equal positions)")
    if engines["rensa flat hashes, rho (set positions)"] is None:
        del engines["rensa flat hashes, rho (set positions)"]

    def set_positions(sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
        unset = np.uint32(0xFFFFFFFF)
        either = (sa != unset) | (sb != unset)
        return np.count_nonzero((sa == sb) & either, axis=1) / np.maximum(1, np.count_nonzero(either, axis=1))

    rows = []
    near = exact >= 0.85
    sizes = np.diff(sub_offs)
    # Pairs whose smaller document has fewer shingles than num_perm: most one-permutation
    # bins of that document are empty and filled by densification.
    small = np.minimum(sizes[pi], sizes[pj]) < NUM_PERM
    for name, fn in engines.items():
        errors = []
        for s in seeds:
            sig = fn(s)
            estimate = set_positions if name.endswith("(set positions)") else estimate_jaccard
            errors.append(estimate(sig[pi], sig[pj]) - exact)
        e = np.array(errors)
        blocks = np.abs(e[: len(e) - len(e) % 10]).reshape(-1, 10, e.shape[1])  # runs of 10 seeds
        rows.append(
            {
                "engine": name,
                "pairs": len(exact),
                "seeds": len(seeds),
                "mean_abs_error": float(np.abs(e).mean()),
                "max_abs_error": float(np.abs(e).max()),
                "mean_abs_error, 10-seed runs": _spread(blocks.mean(axis=(1, 2)), 4),
                "max_abs_error, 10-seed runs": _spread(blocks.max(axis=(1, 2)), 3),
                "max_abs_error, mean of 10-seed runs": float(blocks.max(axis=(1, 2)).mean()),
                "99.9th pct abs error": float(np.quantile(np.abs(e), 0.999)),
                "bias": float(e.mean()),
                "rmse": float(np.sqrt((e**2).mean())),
                "mean_abs_error_J>=0.85": float(np.abs(e[:, near]).mean()) if near.any() else float("nan"),
                f"mean_abs_error_small ({int(small.sum())} pairs)": float(np.abs(e[:, small]).mean())
                if small.any() else float("nan"),
            }
        )
    rows.append(
        {
            "engine": "theory: sqrt(J(1-J)/128), independent permutations",
            "pairs": len(exact),
            "seeds": len(seeds),
            "mean_abs_error": float(np.mean(np.sqrt(exact * (1 - exact) / NUM_PERM)) * np.sqrt(2 / np.pi)),
            "max_abs_error": float("nan"),
            "mean_abs_error, 10-seed runs": "",
            "max_abs_error, 10-seed runs": "",
            "max_abs_error, mean of 10-seed runs": float("nan"),
            "99.9th pct abs error": float("nan"),
            "bias": 0.0,
            "rmse": float(np.sqrt(np.mean(exact * (1 - exact) / NUM_PERM))),
            "mean_abs_error_J>=0.85": float("nan"),
            f"mean_abs_error_small ({int(small.sum())} pairs)": float("nan"),
        }
    )
    return rows


def _spread(values: np.ndarray, digits: int) -> str:
    """``"lo-hi"`` of ``values``: how much a figure moves between runs of seeds."""
    return f"{values.min():.{digits}f}-{values.max():.{digits}f}"


SHORT_SIZES = (8, 16, 32, 64, 128, 200)


def bench_accuracy_short(texts: list[str], seeds: range = range(1, 31)) -> list[dict]:
    """Absolute error on short texts: pairs of ``n``-shingle subsets of one article.

    For each article and each ``n`` in ``SHORT_SIZES`` (when it has ``2n`` distinct
    shingles), side a is ``n`` random shingles and side b shares ``k`` of them (``k``
    uniform in ``0..n``) plus ``n - k`` others, so exact Jaccard is ``k / (2n - k)``:
    the size of a passage window or a short news brief, where one-permutation hashing
    fills most bins by densification.
    """
    flat, offs = shingle_batch(texts)
    rng = np.random.default_rng(3)
    side_a, side_b, exact = [], [], []
    for i in range(len(texts)):
        distinct = np.unique(flat[offs[i] : offs[i + 1]])
        rng.shuffle(distinct)
        for n in SHORT_SIZES:
            if len(distinct) < 2 * n:
                continue
            k = int(rng.integers(0, n + 1))
            side_a.append(distinct[:n])
            side_b.append(np.concatenate([distinct[:k], distinct[n : 2 * n - k]]))
            exact.append(k / (2 * n - k))
    m = len(side_a)
    docs = side_a + side_b
    sizes = np.array([len(a) for a in side_a])
    sub_offs = np.concatenate(([0], np.cumsum([len(d) for d in docs]))).astype(np.int64)
    sub_flat = np.concatenate(docs)
    engines = _overlap_engines(sub_flat, sub_offs)
    try:
        import rensa

        engines["rensa flat hashes"] = lambda s: np.asarray(
            rensa.RMinHash.digest_matrix_from_flat_token_hashes(sub_flat, sub_offs, NUM_PERM, s).to_rows()
        )
        as_bytes = hash_bytes(docs)
        engines["rensa RMinHash"] = lambda s: np.array([rensa_digest(rensa.RMinHash, b, s) for b in as_bytes])
    except ImportError:
        pass
    rows = []
    for name, fn in engines.items():
        e = np.array([estimate_jaccard((sig := fn(s))[:m], sig[m:]) - np.array(exact) for s in seeds])
        row: dict = {"engine": name, "seeds": len(seeds)}
        for n in SHORT_SIZES:
            pick = sizes == n
            row[f"n={n} ({int(pick.sum())} pairs): mean / max"] = (
                f"{np.abs(e[:, pick]).mean():.4f} / {np.abs(e[:, pick]).max():.3f}" if pick.any() else ""
            )
        rows.append(row)
    return rows


def bench_lsh(texts: list[str], threshold: float = 0.5, repeat: int = 3) -> list[dict]:
    """Candidate pairs from the same signatures: overlap's bulk banding vs datasketch's LSH."""
    sig = minhash(texts, num_perm=NUM_PERM)
    bands, rows_ = optimal_params(threshold, NUM_PERM)
    n = len(texts)
    out = []
    with single_core():
        t = best_of(lambda: candidate_pairs(band_keys(sig, bands, rows_)), repeat)
        pairs = candidate_pairs(band_keys(sig, bands, rows_))
        out.append({"engine": "overlap band_keys + candidate_pairs", "docs": n, "bands": bands, "rows": rows_,
                    "candidate_pairs": len(pairs), "seconds": t, "us_per_doc": t / n * 1e6})
        from datasketch import MinHash, MinHashLSH

        mhs = [MinHash(num_perm=NUM_PERM, hashvalues=s, scheme="affine32") for s in sig]

        def run_datasketch() -> set:
            lsh = MinHashLSH(num_perm=NUM_PERM, params=(bands, rows_))
            for i, m in enumerate(mhs):
                lsh.insert(i, m)
            found = set()
            for i, m in enumerate(mhs):
                found.update((min(i, j), max(i, j)) for j in lsh.query(m) if j != i)
            return found

        t = best_of(run_datasketch, max(1, repeat - 1))
        found = run_datasketch()
        out.append({"engine": "datasketch MinHashLSH insert + query", "docs": n, "bands": bands, "rows": rows_,
                    "candidate_pairs": len(found), "seconds": t, "us_per_doc": t / n * 1e6})
    return out


NOTES = {
    "signatures": "{n} {source} documents. Every engine gets the same 64-bit shingle hashes (overlap and "
    "rensa's flat API as a uint64 array, datasketch and rensa's RMinHash as 8-byte strings); single-core rows "
    "pinned to one CPU, 2-core rows are overlap's kernels in two threads; overlap's kernels compiled or loaded "
    "before timing (one-time cost below); best of 9 (numpy and rensa RMinHash: best of 4; CMinHash: best of 2; datasketch: 300 "
    "documents, best of 2). vs_* columns: that engine's ms per document divided by this row's.",
    "jit": "One-time cost of overlap's compiled kernels, per fresh process (not in the timings above).",
    "end_to_end": "Stages are cumulative. Best of 5.",
    "text_to_signature": "{n} {source} articles, raw text to 128 signature values, one process pinned to one "
    "core, every engine in the same run (best of 7; overlap's previous path best of 3; datasketch 300 "
    "articles, best of 2). rensa and datasketch shingle as their users do: lower-cased whitespace words, "
    "5 at a time, in Python, inside the clock. overlap's two rows give bit-identical signatures (checked "
    "before timing).",
    "accuracy": "Document pairs with a spread of exact 5-shingle Jaccard (up to 60 per bin, all near-duplicates), "
    "100 seeds per engine, same shingles; the 10-seed-run columns give the lowest and highest figure over the "
    "ten runs of 10 seeds (what one run of 10 seeds could have shown). mean_abs_error_small: pairs whose smaller document has fewer than "
    "128 shingles. rensa's rho digests leave most positions unset (about 47 of 128 set for a 450-shingle "
    "document: it samples tokens); compared position by position, counting jointly unset positions as equal "
    "or ignoring them, they do not estimate Jaccard, and rensa 0.5.0 documents no other estimator for them, "
    "so the rho speed row in table 1 is not a like-for-like comparison.",
    "accuracy_short": "Pairs of n-shingle subsets of one article ({n} articles of the full corpus; side b "
    "shares k of side a's n shingles, k uniform in 0..n, exact Jaccard k / (2n - k)), 30 seeds per engine; "
    "each cell is mean / max absolute error against exact Jaccard. Short texts are passage windows and news "
    "briefs; below 128 shingles most one-permutation bins are filled by densification.",
}
TITLES = {
    "signatures": "1. MinHash signatures, same shingles, num_perm = 128",
    "end_to_end": "2. Text to signature with overlap.signatures",
    "text_to_signature": "2b. Raw text to signature: overlap vs rensa vs datasketch, one run",
    "accuracy": "4. Estimation error against exact Jaccard (num_perm = 128)",
    "accuracy_short": "4b. Estimation error on short texts (num_perm = 128)",
}


def write_results() -> None:
    """Re-run tables 1, 2, 4 and 4b and replace them in ``results/speed.md``; rewrite their CSV files and plot.

    The other tables (LSH, corpus scale, compare latency, the hand-written ones) are kept as
    they are; ``python -m benchmarks.run`` re-runs every generated table (several minutes,
    mostly the 100k scan).
    """
    from benchmarks.run import _plot

    import time

    sample = load_corpus(2000)
    full = load_corpus()
    load_before = os.getloadavg()[0]
    sig_rows = bench_signatures(sample.texts)
    jit_rows = bench_jit_startup()
    e2e_rows = bench_end_to_end(sample.texts)
    t2s_rows = bench_text_to_signature(sample.texts)
    acc_rows = bench_accuracy(full.texts)
    short_rows = bench_accuracy_short(full.texts)
    write_csv(RESULTS / "speed_signatures.csv", sig_rows)
    write_csv(RESULTS / "speed_jit.csv", jit_rows)
    write_csv(RESULTS / "speed_end_to_end.csv", e2e_rows)
    write_csv(RESULTS / "speed_text_to_signature.csv", t2s_rows)
    write_csv(RESULTS / "speed_accuracy.csv", acc_rows)
    write_csv(RESULTS / "speed_accuracy_short.csv", short_rows)
    _plot(sig_rows, RESULTS / "speed.png")
    stamp = (f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC by `python -m benchmarks.bench_minhash "
             f"--write`; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
             + ", ".join(f"{k} {v}" for k, v in machine().items()) + ".")
    bodies = {
        "signatures": stamp + " " + NOTES["signatures"].format(n=len(sample.texts), source=sample.source)
        + "\n\n" + markdown_table(sig_rows) + "\n\n" + NOTES["jit"] + "\n\n" + markdown_table(jit_rows),
        "end_to_end": stamp + " " + NOTES["end_to_end"] + "\n\n" + markdown_table(e2e_rows),
        "text_to_signature": stamp + " " + NOTES["text_to_signature"].format(n=len(sample.texts), source=sample.source)
        + "\n\n" + markdown_table(t2s_rows),
        "accuracy": stamp + " " + NOTES["accuracy"] + "\n\n" + markdown_table(acc_rows),
        "accuracy_short": stamp + " " + NOTES["accuracy_short"].format(n=len(full.texts))
        + "\n\n" + markdown_table(short_rows),
    }
    path = RESULTS / "speed.md"
    if not path.exists():
        raise RuntimeError(f"no {path}: run python -m benchmarks.run first")
    replace_sections(path, [(title, bodies[key]) for key, title in TITLES.items()], header="")
    print(f"updated tables 1, 2, 4 and 4b of {path}, their CSV files and speed.png")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update tables 1, 2, 4, 4b of results/speed.md, CSVs, plot")
    parser.add_argument("--text", action="store_true", help="only the raw text -> signature race (table 2b)")
    args = parser.parse_args(argv)
    if args.write:
        write_results()
        return
    if args.text:
        corpus = load_corpus(2000)
        print(f"corpus: {len(corpus.texts)} {corpus.source} documents; timings are best of N runs\n")
        print(markdown_table(bench_text_to_signature(corpus.texts)))
        return
    corpus = load_corpus(2000)
    print(f"corpus: {len(corpus.texts)} {corpus.source} documents; timings are best of N runs\n")
    print(markdown_table(bench_signatures(corpus.texts)), "\n")
    print(markdown_table(bench_jit_startup()), "\n")
    print(markdown_table(bench_end_to_end(corpus.texts)), "\n")
    print(markdown_table(bench_text_to_signature(corpus.texts)), "\n")
    print(markdown_table(bench_lsh(load_corpus().texts)), "\n")
    print(markdown_table(bench_accuracy(load_corpus().texts)))


if __name__ == "__main__":
    main()
