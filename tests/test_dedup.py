"""``overlap.dedup`` and ``overlap dedup``: removals on real text, every format, re-thresholding."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import overlap
from overlap.deduplication import DedupOptions, SignatureStore, dedup_store
from overlap.records import Document
from overlap.signatures import shingle_batch


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overlap", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text.strip())


@pytest.fixture(scope="module")
def corpus(seeds: dict[int, str]) -> list[Document]:
    """The five seeds plus real-text republications made from them:
    an exact copy after normalisation, a near copy (last sentence dropped), and a
    short excerpt of seed 3 that a longer text contains."""
    s0, s1, s3 = seeds[0], seeds[1], seeds[3]
    near = " ".join(_sentences(s1)[:-1])
    excerpt = " ".join(_sentences(s3)[:8])
    docs = [Document(f"seed{n}", seeds[n]) for n in range(5)]
    docs += [
        Document("copy0", "  " + s0.upper().replace(" ", "\n ") + " "),
        Document("near1", near),
        Document("excerpt3", excerpt),
    ]
    return docs


def _exact_jaccard(a: str, b: str) -> tuple[float, float]:
    """Jaccard and containment of two texts' shingle sets, with Python sets (the reference)."""
    flat, offs = shingle_batch([a, b])
    x, y = set(flat[: offs[1]].tolist()), set(flat[offs[1]:].tolist())
    inter = len(x & y)
    return inter / len(x | y), inter / min(len(x), len(y))


def test_seed_republications_are_removed_with_reasons(corpus: list[Document]) -> None:
    r = overlap.dedup(corpus, threshold=0.8)
    got = {(x.id, x.duplicate_of, x.reason) for x in r.removed}
    assert got == {("copy0", "seed0", "exact"), ("near1", "seed1", "near-duplicate")}
    assert "excerpt3" in r.kept  # a Jaccard of about 0.3 with seed3 is not a duplicate
    near = next(x for x in r.removed if x.id == "near1")
    j, _ = _exact_jaccard(corpus[1].text, corpus[6].text)
    assert near.similarity == pytest.approx(j, abs=1e-6) and near.similarity >= 0.8
    assert abs(near.estimated - j) < 0.15
    assert r.clusters == (("seed0", "copy0"), ("seed1", "near1"))
    assert r.documents == 8 and len(r.kept) == 6


def test_containment_mode_removes_the_excerpt(corpus: list[Document]) -> None:
    r = overlap.dedup(corpus, threshold=0.8, mode="containment", keep="longest")
    got = {(x.id, x.duplicate_of, x.reason) for x in r.removed}
    assert ("excerpt3", "seed3", "contained") in got
    # keep="longest": of seed1 and its shorter copy the original stays.
    assert ("near1", "seed1", "contained") in got
    ex = next(x for x in r.removed if x.id == "excerpt3")
    _, c = _exact_jaccard(corpus[3].text, corpus[7].text)
    assert ex.similarity == pytest.approx(c, abs=1e-6) and c >= 0.95


def test_keep_rules_choose_which_copy_stays(corpus: list[Document]) -> None:
    docs = [corpus[6], corpus[1]]  # the shorter near copy comes first
    assert overlap.dedup(docs, threshold=0.8).kept == ("near1",)
    assert overlap.dedup(docs, threshold=0.8, keep="longest").kept == ("seed1",)
    dated = [{"id": d.id, "text": d.text, "date": date} for d, date in zip(docs, ["2017-02-01", "2017-01-31T23:00:00Z"])]
    r = overlap.dedup(dated, threshold=0.8, keep="earliest", date_field="date")
    assert r.kept == ("seed1",) and r.removed[0].duplicate_of == "seed1"
    with pytest.raises(overlap.ConfigError, match="needs dates"):
        overlap.dedup(docs, threshold=0.8, keep="earliest")
    with pytest.raises(overlap.InputError, match="ISO 8601"):
        overlap.dedup([{"id": "a", "text": "x y", "date": "last tuesday"}], keep="earliest", date_field="date")


def test_every_input_kind_gives_the_same_decision(corpus: list[Document]) -> None:
    pa = pytest.importorskip("pyarrow")
    ids = [d.id for d in corpus]
    texts = [d.text for d in corpus]
    base = overlap.dedup(corpus, threshold=0.8)
    from_dicts = overlap.dedup([{"id": i, "text": t} for i, t in zip(ids, texts)], threshold=0.8)
    from_table = overlap.dedup(pa.table({"id": ids, "text": texts}), threshold=0.8)
    from_strings = overlap.dedup(texts, threshold=0.8)
    assert base.kept == from_dicts.kept == from_table.kept
    assert [ids[int(i)] for i in from_strings.kept] == list(base.kept)
    assert base.removed == from_dicts.removed == from_table.removed


def test_bad_options_are_named() -> None:
    for kw, msg in [({"threshold": 1.5}, "threshold"), ({"mode": "cosine"}, "mode"), ({"keep": "last"}, "keep"),
                    ({"num_perm": 1}, "num_perm"), ({"method": "simhash"}, "method"), ({"bogus": 1}, "unknown option")]:
        with pytest.raises(overlap.ConfigError, match=msg):
            overlap.dedup(["a b c"], **kw)
    with pytest.raises(overlap.ConfigError, match="not one string"):
        overlap.dedup("a b c")
    with pytest.raises(overlap.InputError, match="duplicate document id"):
        overlap.dedup([Document("a", "x y z"), Document("a", "p q r")])


def test_rethreshold_from_a_saved_store_equals_a_fresh_run(corpus: list[Document], tmp_path: Path) -> None:
    opts = DedupOptions(threshold=0.9)
    store = SignatureStore.build((d.id, d.text, float("nan"), n) for n, d in enumerate(corpus))
    store.save(tmp_path / "sigs")
    loaded = SignatureStore.load(tmp_path / "sigs")
    for t, mode in [(0.9, "jaccard"), (0.5, "jaccard"), (0.8, "containment")]:
        fresh = overlap.dedup(corpus, threshold=t, mode=mode)
        again = dedup_store(loaded, opts, threshold=t, mode=mode)
        assert again.removed == fresh.removed and again.kept == fresh.kept
    (tmp_path / "sigs" / "offsets.npy").write_bytes(b"junk")
    with pytest.raises(overlap.InputError, match="damaged"):
        SignatureStore.load(tmp_path / "sigs")


def test_store_keeps_its_method_and_a_store_saved_without_one_reads_as_minmax(corpus: list[Document], tmp_path: Path) -> None:
    """Signatures of different schemes are not comparable: a store says which it holds,
    and deciding on it uses that scheme whatever the options ask for."""
    texts = [d.text for d in corpus]
    items = [(d.id, d.text, float("nan"), n) for n, d in enumerate(corpus)]
    for method in ("fss", "minmax"):
        store = SignatureStore.build(items, method=method)
        assert np.array_equal(store.signatures, overlap.minhash(texts, method=method))
        store.save(tmp_path / method)
        assert json.loads((tmp_path / method / "store.json").read_text(encoding="utf-8"))["method"] == method
        assert SignatureStore.load(tmp_path / method).method == method
    assert overlap.dedup(corpus).options.method == "fss"  # the default
    # A store saved before the method was recorded holds min-max signatures.
    info_path = tmp_path / "minmax" / "store.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    del info["method"]
    info_path.write_text(json.dumps(info), encoding="utf-8")
    old = SignatureStore.load(tmp_path / "minmax")
    assert old.method == "minmax"
    decided = dedup_store(old, DedupOptions(method="fss"), threshold=0.5)
    fresh = overlap.dedup(corpus, threshold=0.5, method="minmax")
    assert decided.options.method == "minmax"
    assert decided.removed == fresh.removed and decided.removed  # estimates from the same signatures
    info["method"] = "simhash"
    info_path.write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(overlap.InputError, match="unknown method 'simhash'"):
        SignatureStore.load(tmp_path / "minmax")


def test_store_spooled_over_many_batches_equals_one_batch(data_dir: Path, tmp_path: Path) -> None:
    """``from_batches`` appends each batch's signatures and shingle sets to a temporary
    file and maps it: over 40 small batches the arrays equal one ``sign_batch`` of all
    the documents, in input order, and survive a save and a (mapped) load."""
    from overlap.signature_store import batches, sign_batch

    files = sorted((data_dir / "baomoi").glob("*.txt"))[:300]
    items = [(f.stem, f.read_text(encoding="utf-8"), float("nan"), n) for n, f in enumerate(files)]
    settings = dict(num_perm=64, seed=3, shingle_size=4)
    one = sign_batch(items, **settings)
    store = SignatureStore.from_batches((sign_batch(b, **settings) for b in batches(items, 7)), **settings)
    assert len(store) == len(items) and len(list(batches(items, 7))) == 43
    assert np.array_equal(store.signatures, one["signatures"]) and store.signatures.dtype == np.uint32
    assert np.array_equal(store.shingles, one["shingles"]) and store.shingles.dtype == np.uint32
    assert np.array_equal(np.diff(store.offsets), one["counts"]) and list(store.ids) == [f.stem for f in files]
    store.save(tmp_path / "s")
    loaded = SignatureStore.load(tmp_path / "s")
    assert np.array_equal(loaded.shingles, store.shingles) and np.array_equal(loaded.signatures, store.signatures)
    assert dedup_store(loaded, threshold=0.7).removed == dedup_store(store, threshold=0.7).removed
    empty = SignatureStore.from_batches(iter(()), **settings)
    assert len(empty) == 0 and empty.signatures.shape == (0, 64) and len(empty.shingles) == 0


@pytest.mark.parametrize("budget", [0, 50_000, 1 << 40])
def test_store_spool_in_memory_on_disk_or_moved_gives_the_same_arrays(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    """The spools stay in memory under their budget, start on disk without one, and move
    to disk when a batch passes it (50 kB: after a few batches): same arrays each way."""
    from overlap import signature_store
    from overlap.signature_store import batches, sign_batch

    files = sorted((data_dir / "baomoi").glob("*.txt"))[:120]
    items = [(f.stem, f.read_text(encoding="utf-8"), float("nan"), n) for n, f in enumerate(files)]
    settings = dict(num_perm=64, seed=3, shingle_size=4)
    one = sign_batch(items, **settings)
    moved: list[bool] = []
    to_disk = signature_store._Spool._to_disk

    def spy(self: signature_store._Spool) -> None:
        moved.append(True)
        to_disk(self)

    monkeypatch.setattr(signature_store, "_memory_budget", lambda: budget)
    monkeypatch.setattr(signature_store._Spool, "_to_disk", spy)
    store = SignatureStore.from_batches((sign_batch(b, **settings) for b in batches(items, 10)), **settings)
    assert np.array_equal(store.signatures, one["signatures"]) and np.array_equal(store.shingles, one["shingles"])
    assert len(moved) == (2 if budget == 50_000 else 0)


def test_compiled_distinct_sets_equal_the_numpy_path(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sign_batch``'s shingle sets come from one sort per document when compiled
    (``kernels.distinct_sets_into``) and one sort of the whole batch in numpy: the same
    arrays, including documents without a shingle."""
    from overlap.signature_store import sign_batch

    files = sorted((data_dir / "baomoi").glob("*.txt"))[:400]
    items = [(f.stem, f.read_text(encoding="utf-8"), float("nan"), n) for n, f in enumerate(files)]
    items[5:5] = [("punct", "!!! ... ???", float("nan"), -1), ("one", "word", float("nan"), -2)]
    # one document over kernels_dedup._BIG_DOC shingles (sorted by quicksort, not buckets)
    items.append(("all", " ".join(x[1] for x in items), float("nan"), -3))
    got = {}
    for jit in ("1", "0"):
        monkeypatch.setenv("OVERLAP_JIT", jit)
        got[jit] = sign_batch(items, num_perm=32, seed=1, shingle_size=5)
    assert np.array_equal(got["1"]["counts"], got["0"]["counts"]) and got["1"]["counts"][5] == 0
    assert got["1"]["counts"][-1] > 65_536
    assert np.array_equal(got["1"]["shingles"], got["0"]["shingles"]) and got["1"]["shingles"].dtype == np.uint32
    assert len(got["1"]["shingles"]) == got["1"]["counts"].sum() > 100_000
    # exact keys (kernels.exact_keys_into or numpy): the same, one per distinct text
    keys = got["1"]["exact"]
    assert np.array_equal(keys, got["0"]["exact"]) and keys.dtype == np.uint64
    assert len(set(keys.tolist())) == len(set(x[1] for x in items)) == len(items)


def test_verification_bound_is_the_least_intersection_that_passes() -> None:
    # The bucket pass skips a candidate as soon as its intersection cannot reach
    # kernels_dedup._need(...): that must be the least intersection whose similarity,
    # computed as the kernel computes it, reaches the cut, or a duplicate could be missed.
    from overlap.jit import load_kernels

    if load_kernels() is None:
        pytest.skip("needs numba")
    from overlap.kernels_dedup import _need

    rng = np.random.default_rng(7)
    cuts = [0.8, 0.5, 0.9, 1.0, 0.7, 1 / 3] + rng.random(300).tolist()
    for cut in cuts:
        for na, nb in [(0, 0), (1, 0), (1, 1), (3, 7), (520, 515)] + rng.integers(0, 900, (20, 2)).tolist():
            for containment in (False, True):
                lo = min(na, nb)

                def sim(i: int) -> float:
                    if containment:
                        return i / (lo if lo > 1 else 1)
                    return i / (na + nb - i) if na + nb - i > 0 else 1.0

                want = next((i for i in range(lo + 1) if sim(i) >= cut), lo + 1)
                assert _need(na, nb, cut, containment) == want, (na, nb, cut, containment)


def test_baomoi_natural_republications(data_dir: Path) -> None:
    files = sorted((data_dir / "baomoi").glob("*.txt"))
    docs = [Document(f.stem, f.read_text(encoding="utf-8")) for f in files]
    r = overlap.dedup(docs, threshold=0.85)
    pairs = {(x.id, x.duplicate_of) for x in r.removed}
    # Republications found when this was written (about 17 pairs reach 0.85; several
    # share a kept original).  Each removal is checked against exact Jaccard below.
    assert len(r.removed) == 16
    assert {("21472733", "21472551"), ("21473781", "21473532"), ("21481171", "21479050")} <= pairs
    text = {d.id: d.text for d in docs}
    for x in r.removed:
        j, _ = _exact_jaccard(text[x.id], text[x.duplicate_of])
        assert j >= 0.85 and x.similarity == pytest.approx(j, abs=1e-6)
        assert abs(x.estimated - j) < 0.15
    # No two kept documents are duplicates: every pair at exact Jaccard >= 0.85 among
    # loose candidates (LSH tuned for Jaccard 0.5, a different search) lost one member.
    from overlap.lsh import band_keys, candidate_pairs, optimal_params

    sig = overlap.minhash([d.text for d in docs])
    found = 0
    for i, k in candidate_pairs(band_keys(sig, *optimal_params(0.5, 128))).tolist():
        if r.keep_mask[i] and r.keep_mask[k]:
            assert _exact_jaccard(docs[i].text, docs[k].text)[0] < 0.85, (docs[i].id, docs[k].id)
        elif _exact_jaccard(docs[i].text, docs[k].text)[0] >= 0.85:
            found += 1
    assert found >= 16
    # Lowering the threshold only adds removals for keep="first".
    lower = overlap.dedup(docs, threshold=0.7)
    assert {x.id for x in r.removed} <= {x.id for x in lower.removed}
    assert len(lower.removed) > len(r.removed)


def test_compiled_intersections_equal_the_numpy_path(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The exact step counts |A & B| with a compiled merge (kernels.intersections_into) or
    # np.intersect1d per pair: the same removals, similarities and estimates, both modes.
    files = sorted((data_dir / "baomoi").glob("*.txt"))[:1500]
    docs = [Document(f.stem, f.read_text(encoding="utf-8")) for f in files]
    docs += [Document(f"cut{n}", d.text[: len(d.text) // 2]) for n, d in enumerate(docs[:40])]  # contained copies
    for mode, t, least in (("jaccard", 0.7, 9), ("containment", 0.8, 49)):  # 9 natural + 40 cut copies
        got = {}
        for jit in ("1", "0"):
            monkeypatch.setenv("OVERLAP_JIT", jit)  # read on every call
            got[jit] = overlap.dedup(docs, threshold=t, mode=mode).to_dict()
        assert got["1"] == got["0"] and len(got["1"]["removed"]) >= least, mode


def _republished(seeds: dict[int, str], copies: int, seed: int) -> list[Document]:
    """Heavy republication: ``copies`` edited copies of every seed, shuffled together.

    Each copy drops, swaps and rewords at its own rate (0 to 25% of words), so its
    similarity to the seed and to the other copies spreads across the thresholds and
    many copies are near-duplicates of each other but not of the first one kept."""
    rng = np.random.default_rng(seed)
    words = [w for t in seeds.values() for w in t.split()]
    docs = []
    for n, text in sorted(seeds.items()):
        sents = _sentences(text)
        for c in range(copies):
            kept = [x for x in sents if rng.random() > 0.1] or sents[:1]
            if rng.random() < 0.3 and len(kept) > 1:
                i = int(rng.integers(len(kept) - 1))
                kept[i], kept[i + 1] = kept[i + 1], kept[i]
            toks = " ".join(kept).split()
            rate = float(rng.choice([0.0, 0.01, 0.03, 0.08, 0.15, 0.25]))
            for i in np.flatnonzero(rng.random(len(toks)) < rate).tolist():
                toks[i] = words[int(rng.integers(len(words)))]
            if rng.random() < 0.2:  # a short excerpt (for containment)
                toks = toks[: max(20, len(toks) // 3)]
            docs.append(Document(f"s{n}c{c}", " ".join(toks)))
    return [docs[i] for i in rng.permutation(len(docs))]


def test_bucket_pass_equals_the_all_pairs_reference(seeds: dict[int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The default near-duplicate step checks each document only against the kept members
    # of its LSH buckets (kernels.bucket_greedy_into); the reference lists every pair of
    # every bucket, verifies them all and then applies the keep rule.  On 5 x 120 copies
    # (clusters of 120 share most buckets) both must give the same kept set, the same
    # duplicate_of for every removal and the same similarities, in every mode and rule.
    docs = _republished(seeds, 120, seed=3)
    store = SignatureStore.build((d.id, d.text, float(n % 28), n) for n, d in enumerate(docs))
    checked = 0
    for mode, t, keep in (("jaccard", 0.8, "first"), ("jaccard", 0.5, "longest"),
                          ("containment", 0.7, "earliest"), ("jaccard", 0.65, "earliest")):
        monkeypatch.setenv("OVERLAP_JIT", "1")  # read on every call
        fast = dedup_store(store, threshold=t, mode=mode, keep=keep).to_dict()
        ref = dedup_store(store, threshold=t, mode=mode, keep=keep, all_pairs=True).to_dict()
        monkeypatch.setenv("OVERLAP_JIT", "0")  # the numpy path: all pairs, no kernels
        assert fast == ref == dedup_store(store, threshold=t, mode=mode, keep=keep).to_dict(), (mode, t, keep)
        near = [r for r in ref["removed"] if r["reason"] != "exact"]
        # Real work: many near removals, and clusters that keep several copies.
        assert len(near) > 50 and len(ref["clusters"]) > 10, (mode, t, keep)
        checked += 1
    assert checked == 4


def test_compiled_bucket_layout_equals_the_numpy_path(seeds: dict[int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # kernels.bucket_layout_into (band keys, a counting pass on their top bits, an
    # insertion sort) must give numpy's stable argsort layout array for array: on real
    # signatures (clusters of copies: buckets of many members), on 20 rows repeated (whole
    # bands equal) and on 30,000 uniform ones (many top-bit bins holding distinct keys).
    from overlap.dedup_buckets import bucket_layout

    monkeypatch.setenv("OVERLAP_JIT", "1")
    docs = _republished(seeds, 40, seed=2)
    store = SignatureStore.build((d.id, d.text, float("nan"), n) for n, d in enumerate(docs))
    rng = np.random.default_rng(11)
    cases = [(np.asarray(store.signatures), np.arange(0, len(store), 2, dtype=np.int64))]
    few = rng.integers(0, 3, size=(20, 64), dtype=np.uint32)[rng.integers(0, 20, 700)]  # 20 distinct rows
    cases.append((few, np.arange(700, dtype=np.int64)))
    cases.append((rng.integers(0, 2**32, size=(40_000, 16), dtype=np.uint64).astype(np.uint32),
                  np.sort(rng.choice(40_000, 30_000, replace=False)).astype(np.int64)))
    for c, (sig, alive) in enumerate(cases):
        for bands, rows in ((9, 7), (16, 1), (1, 16)):
            if bands * rows > sig.shape[1]:
                continue
            fast = bucket_layout(sig, alive, bands, rows)
            ref = bucket_layout(sig, alive, bands, rows, compiled=False)
            for a, b in zip(fast, ref):
                assert a.dtype == b.dtype == np.int32 and np.array_equal(a, b), (sig.shape, bands, rows)
            assert fast[3].max() > 1 or c == 2  # real buckets (uniform values: none)
    assert np.diff(bucket_layout(*cases[2], 1, 16, compiled=False)[0]).min() < 0  # sorting moved members


def test_bucket_pass_keeps_the_chain_of_oversized_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Over lsh.DEFAULT_MAX_BUCKET (1000) members a bucket is chained, not fully paired
    # (lsh.candidate_pairs); the bucket pass must see exactly those neighbour pairs.
    # 1,100 distinct texts that share a long common prefix fill one bucket per band.
    monkeypatch.setenv("OVERLAP_JIT", "1")
    rng = np.random.default_rng(5)
    common = " ".join(f"w{i}" for i in range(400))
    docs = [f"{common} " + " ".join(f"x{int(v)}" for v in rng.integers(0, 60, 12)) for _ in range(1100)]
    store = SignatureStore.build((str(n), d, float("nan"), n) for n, d in enumerate(docs))
    for t in (0.99, 0.9):
        fast = dedup_store(store, threshold=t).to_dict()
        assert fast == dedup_store(store, threshold=t, all_pairs=True).to_dict(), t
    assert len(fast["removed"]) > 100 and fast["kept"] > 0  # t = 0.9: real removals


# --------------------------------------------------------------------------- files and CLI


def _jsonl(path: Path, corpus: list[Document]) -> list[str]:
    lines = []
    for n, d in enumerate(corpus):
        rec = {"title": f"Tiêu đề {n}", "id": d.id, "text": d.text, "meta": {"n": n, "tags": ["a", None]},
               "date": f"2017-01-{10 - n:02d}"}
        lines.append(json.dumps(rec, ensure_ascii=n % 2 == 0))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def test_jsonl_round_trip_keeps_every_byte(corpus: list[Document], tmp_path: Path) -> None:
    lines = _jsonl(tmp_path / "in.jsonl", corpus)
    r = run("dedup", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"),
            "--removed", str(tmp_path / "removed.jsonl"), "--threshold", "0.8")
    assert r.returncode == 0, r.stderr
    assert "removed 2 (1 exact, 1 near)" in r.stderr
    kept = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert kept == [line for line, d in zip(lines, corpus) if d.id not in ("copy0", "near1")]
    removed = [json.loads(x) for x in (tmp_path / "removed.jsonl").read_text().splitlines()]
    assert [(x["id"], x["duplicate_of"], x["reason"]) for x in removed] == [
        ("copy0", "seed0", "exact"), ("near1", "seed1", "near-duplicate")]
    assert set(removed[1]) == {"id", "duplicate_of", "reason", "similarity", "estimated"}


def test_dash_writes_to_stdout_not_a_file_named_dash(corpus: list[Document], tmp_path: Path) -> None:
    # Regression: `--removed -` used to create a file called "-" in the working directory.
    lines = _jsonl(tmp_path / "in.jsonl", corpus)
    r = run("dedup", str(tmp_path / "in.jsonl"), "--removed", "-", "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "-").exists()
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["copy0", "near1"]
    r = run("dedup", str(tmp_path / "in.jsonl"), "-o", "-", "--removed", str(tmp_path / "rem.csv"), "-q", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert not (tmp_path / "-").exists()
    assert r.stdout.splitlines() == [line for line, d in zip(lines, corpus) if d.id not in ("copy0", "near1")]
    assert [x["id"] for x in csv.DictReader((tmp_path / "rem.csv").open(encoding="utf-8"))] == ["copy0", "near1"]
    r = run("dedup", str(tmp_path / "in.jsonl"), "--removed", "-", "--format", "csv", "-q")
    assert [x["duplicate_of"] for x in csv.DictReader(r.stdout.splitlines())] == ["seed0", "seed1"]


def test_stdin_and_keep_earliest_and_csv_removal_list(corpus: list[Document], tmp_path: Path) -> None:
    _jsonl(tmp_path / "in.jsonl", corpus)
    r = run("dedup", "-", "-o", str(tmp_path / "out.jsonl"), "--removed", str(tmp_path / "rem"), "--format", "csv",
            "--keep", "earliest", "--date-field", "date", stdin=(tmp_path / "in.jsonl").read_bytes())
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "rem").open(encoding="utf-8")))
    # Dates decrease along the input, so the later copies are the earlier publications.
    assert {(x["id"], x["duplicate_of"]) for x in rows} == {("seed0", "copy0"), ("seed1", "near1")}
    kept_ids = [json.loads(x)["id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert kept_ids == ["seed2", "seed3", "seed4", "copy0", "near1", "excerpt3"]


def test_keep_fields_and_first_published(corpus: list[Document], tmp_path: Path) -> None:
    # Issue 15: metadata fields of both documents in every removal, and, with a date
    # field, which copy was published first (dates decrease along the input here).
    _jsonl(tmp_path / "in.jsonl", corpus)
    r = run("dedup", str(tmp_path / "in.jsonl"), "--removed", "-", "--keep-fields", "title,meta,nosuch",
            "--date-field", "date", "-q")
    assert r.returncode == 0, r.stderr
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["id"], x["duplicate_of"], x["first_published"]) for x in got] == [
        ("copy0", "seed0", "copy0"), ("near1", "seed1", "near1")]
    assert got[0]["fields"] == {"title": "Tiêu đề 5", "meta": {"n": 5, "tags": ["a", None]}, "nosuch": None}
    assert got[0]["duplicate_of_fields"]["title"] == "Tiêu đề 0"
    # The CSV removal list spreads the fields into columns; re-thresholding keeps them.
    sigs = tmp_path / "sigs"
    r = run("dedup", str(tmp_path / "in.jsonl"), "--save-signatures", str(sigs), "--keep-fields", "title", "-q")
    assert r.returncode == 0, r.stderr
    r = run("dedup", "--from", str(sigs), "--removed", str(tmp_path / "r.csv"), "-q")
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert [(x["id"], x["fields.title"], x["duplicate_of_fields.title"]) for x in rows] == [
        ("copy0", "Tiêu đề 5", "Tiêu đề 0"), ("near1", "Tiêu đề 6", "Tiêu đề 1")]
    # The library: dicts and Documents carry fields the same way.
    recs = [{"id": d.id, "text": d.text, "url": f"https://x/{d.id}"} for d in corpus]
    lib = overlap.dedup(recs, keep_fields=["url"])
    assert [(x.id, x.fields, x.duplicate_of_fields) for x in lib.removed][0] == (
        "copy0", {"url": "https://x/copy0"}, {"url": "https://x/seed0"})
    docs = [Document(d.id, d.text, metadata={"url": f"https://x/{d.id}"}) for d in corpus]
    assert overlap.dedup(docs, keep_fields=["url"]).removed == lib.removed
    with pytest.raises(overlap.ConfigError, match="list of field names"):
        overlap.dedup(recs, keep_fields="url")


def test_csv_round_trip(corpus: list[Document], tmp_path: Path) -> None:
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["url", "id", "text", "views"])
        for n, d in enumerate(corpus):
            w.writerow([f"https://x/{n}", d.id, d.text, n * 10])
    r = run("dedup", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert r.returncode == 0, r.stderr
    out = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8", newline="")))
    src = {x["id"]: x for x in csv.DictReader((tmp_path / "in.csv").open(encoding="utf-8", newline=""))}
    assert [x["id"] for x in out] == ["seed0", "seed1", "seed2", "seed3", "seed4", "excerpt3"]
    assert all(x == src[x["id"]] for x in out)


def test_parquet_round_trip(corpus: list[Document], tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"id": [d.id for d in corpus], "body": [d.text for d in corpus],
                      "n": pa.array(range(len(corpus)), pa.int16()), "when": pa.array([None] * len(corpus), pa.date32())})
    pq.write_table(table, tmp_path / "in.parquet")
    r = run("dedup", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.parquet"), "--text-field", "body")
    assert r.returncode == 0, r.stderr
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.equals(table.schema)
    assert out.column("n").to_pylist() == [0, 1, 2, 3, 4, 7]
    assert out.column("body").to_pylist() == [corpus[i].text for i in (0, 1, 2, 3, 4, 7)]


def test_text_directory_round_trip_and_fail_on(corpus: list[Document], tmp_path: Path) -> None:
    src = tmp_path / "src"
    for d in corpus:
        sub = src / ("reprints" if d.id in ("copy0", "near1") else "orig")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    r = run("dedup", str(src), "-o", str(tmp_path / "out"), "--fail-on", "duplicate")
    assert r.returncode == 1, r.stderr
    kept = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt"))
    assert kept == sorted(f"orig/{d.id}.txt" for d in corpus if d.id not in ("copy0", "near1"))
    assert (tmp_path / "out/orig/seed3.txt").read_bytes() == (src / "orig/seed3.txt").read_bytes()
    clean = run("dedup", str(src / "orig"), "--fail-on", "duplicate", "-q")
    assert clean.returncode == 0 and clean.stderr == ""
    # --exclude leaves the reprints out of both passes: nothing removed, nothing of them copied.
    (src / "orig" / "seed0.info.txt").write_text("LINK: x", encoding="utf-8")
    r = run("dedup", str(src), "-o", str(tmp_path / "out2"), "--exclude", "reprints/*", "--exclude", "*.info.txt",
            "--removed", str(tmp_path / "rem.jsonl"), "--fail-on", "duplicate")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rem.jsonl").read_text() == ""
    kept = sorted(p.relative_to(tmp_path / "out2").as_posix() for p in (tmp_path / "out2").rglob("*.txt"))
    assert kept == sorted(f"orig/{d.id}.txt" for d in corpus if d.id not in ("copy0", "near1"))


def test_cli_save_signatures_then_rethreshold(corpus: list[Document], tmp_path: Path) -> None:
    _jsonl(tmp_path / "in.jsonl", corpus)
    sigs = tmp_path / "sigs"
    r = run("dedup", str(tmp_path / "in.jsonl"), "--save-signatures", str(sigs), "--threshold", "0.99", "--json", "-q")
    assert r.returncode == 0, r.stderr
    assert [x["id"] for x in json.loads(r.stdout)["removed"]] == ["copy0"]
    again = run("dedup", "--from", str(sigs), "--threshold", "0.8", "-o", str(tmp_path / "a.jsonl"), "--json", "-q")
    fresh = run("dedup", str(tmp_path / "in.jsonl"), "--threshold", "0.8", "-o", str(tmp_path / "b.jsonl"), "--json", "-q")
    assert again.returncode == fresh.returncode == 0, again.stderr + fresh.stderr
    assert json.loads(again.stdout) == json.loads(fresh.stdout)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


@pytest.mark.parametrize(
    "args, message",
    [
        (["{d}/in.jsonl", "--threshold", "1.5", "-o", "{d}/o.jsonl"], "--threshold"),
        (["{d}/in.jsonl", "--mode", "cosine", "-o", "{d}/o.jsonl"], "--mode"),
        (["{d}/in.jsonl", "--method", "simhash", "-o", "{d}/o.jsonl"], "--method"),
        (["{d}/in.jsonl", "--keep", "earliest", "-o", "{d}/o.jsonl"], "--date-field"),
        (["{d}/in.jsonl", "--keep", "earliest", "--date-field", "title", "-o", "{d}/o.jsonl"], "ISO 8601"),
        (["{d}/in.jsonl"], "nothing to write"),
        (["{d}/in.jsonl", "-o", "{d}/in.jsonl"], "over an input"),
        (["{d}/in.jsonl", "{d}/in.csv", "-o", "{d}/o.jsonl"], "mix formats"),
        (["{d}/missing.jsonl", "-o", "{d}/o.jsonl"], "no such file"),
        (["--from", "{d}/nosigs", "--removed", "{d}/r.jsonl"], "not a saved signature store"),
        (["{d}/in.jsonl", "--from", "{d}/nosigs", "-o", "{d}/o.jsonl"], "not both"),
        (["{d}/in.jsonl", "--format", "xml", "--removed", "{d}/r"], "--format"),
        (["{d}/in.jsonl", "--fail-on", "conflict"], "--fail-on"),
        (["{d}/in.jsonl", "--text-field", "body", "-o", "{d}/o.jsonl"], "no field 'body'"),
        (["{d}/in.jsonl", "--save-signatures", "{d}/in.jsonl"], "cannot save"),
        (["{d}/in.jsonl", "-o", "-", "--removed", "-"], "only one of -o and --removed"),
        (["{d}/in.jsonl", "--keep-fields", "title,,url", "--removed", "{d}/r.jsonl"], "--keep-fields"),
        (["{d}/in.csv", "--keep-fields", "url", "--removed", "{d}/r.jsonl"], "no column 'url'"),
        (["{d}/in.jsonl", "--removed", "-", "--json"], "both write to standard output"),
        (["{d}/txt", "-o", "-"], "needs JSONL or CSV"),
    ],
)
def test_bad_input_gets_one_line(args: list[str], message: str, corpus: list[Document], tmp_path: Path) -> None:
    _jsonl(tmp_path / "in.jsonl", corpus[:2])
    (tmp_path / "in.csv").write_text("id,text\na,b\n", encoding="utf-8")
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "a.txt").write_text(corpus[0].text, encoding="utf-8")
    r = run("dedup", *[a.format(d=tmp_path) for a in args])
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_compare_fail_on_exit_status(seeds: dict[int, str], tmp_path: Path) -> None:
    from conftest import seed_path

    a, b = str(seed_path(0)), str(seed_path(1))  # same event, one spelling conflict, not copies
    assert run("compare", a, b, "--json", "--fail-on", "conflict").returncode == 1
    assert run("compare", a, b, "--json", "--fail-on", "near-duplicate").returncode == 0
    assert run("compare", a, a, "--json", "--fail-on", "near-duplicate").returncode == 1
    assert run("compare", a, b, "--json").returncode == 0
    bad = run("compare", a, b, "--fail-on", "duplicate")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_removal_list_lines_equal_json_dumps_of_each_record(tmp_path: Path) -> None:
    """``write_removed`` formats the common record itself: every line must still be
    ``json.dumps(r.to_dict(), ensure_ascii=False)``, for awkward ids and values too."""
    from overlap.deduplication import DedupResult, Removal

    ids = ['a"b', "back\\slash", "tab\tnew\nline\x01", "Tiếng Việt", "\u2028sep\u2029", "😀", "", "plain"]
    values = [1.0, 0.8, 0.123456789, 0.99995, 1, 0.0, float("nan"), 1e-7]
    removed = tuple(Removal(ids[i], ids[-1 - i], ("exact", "near-duplicate", "contained")[i % 3], values[i], values[-1 - i])
                    for i in range(len(ids)))
    removed += (Removal("f", "g", "near-duplicate", 0.9, 0.91, fields={"title": "T"}, duplicate_of_fields={"title": "U"},
                        first_published="g"),)
    result = DedupResult(ids=np.array([r.id for r in removed]), keep_mask=np.zeros(len(removed), dtype=bool),
                         removed=removed, options=DedupOptions())
    result.write_removed(tmp_path / "r.jsonl")
    want = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in removed)
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8") == want
