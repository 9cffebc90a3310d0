"""overlap.index: add, query, re-add policies, reopen, settings, bad files, two writers, kill -9."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from overlap.errors import ConfigError, InputError
from overlap.index import SCHEMA_VERSION, AddReport, Index, Match
from overlap.lsh import band_keys
from overlap.signatures import EMPTY
from overlap.records import Document

HERE = Path(__file__).resolve().parent
WRITER = HERE / "index_writer.py"
_spec = importlib.util.spec_from_file_location("index_writer", WRITER)
index_writer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index_writer)  # type: ignore[union-attr]
make_document = index_writer.make_document


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _seed_docs(seeds: dict[int, str]) -> list[Document]:
    return [Document(f"seed-{n}", seeds[n], f"seeds/{n:03d}") for n in range(5)]


def _light_edit(text: str) -> str:
    """What a republisher does: drop a sentence, respell a name, change a number."""
    s = _sentences(text)
    return " ".join(s[:5] + s[6:]).replace("Ryabkov", "Riabkov", 1).replace("7,5", "8", 1)


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def _check_consistent(path: Path, num_perm: int = 128, bands: int = 25, rows: int = 5) -> int:
    """integrity_check is ok and every document has exactly its band rows; returns the count."""
    con = _db(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        for table in ("bands", "passages"):
            orphans = con.execute(f"SELECT COUNT(*) FROM {table} WHERE doc NOT IN (SELECT num FROM docs)").fetchone()[0]
            assert orphans == 0, f"{orphans} {table} rows point at no document"
        expected = 0
        for num, sig, pkeys in con.execute("SELECT num, signature, passage_keys FROM docs"):
            sig = np.frombuffer(sig, dtype=np.uint32).reshape(1, num_perm)
            keys = band_keys(sig, bands, rows) if (sig != EMPTY).any() else np.zeros(0, dtype=np.uint64)
            stored = {k for (k,) in con.execute("SELECT key FROM bands WHERE doc = ?", (num,))}
            assert stored == set(keys.view(np.int64).ravel().tolist())  # empty texts have none
            p = {k for (k,) in con.execute("SELECT key FROM passages WHERE doc = ?", (num,))}
            assert p == set(np.frombuffer(pkeys, dtype=np.int64).tolist())
            expected += len(p)
        assert con.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == expected
        return n
    finally:
        con.close()


@pytest.fixture
def seeded(tmp_path: Path, seeds: dict[int, str]) -> Path:
    path = tmp_path / "news.db"
    with Index(path) as index:
        assert index.add(_seed_docs(seeds)) == AddReport(5, 0, 0)
    return path


# --------------------------------------------------------------------------- add / query


def test_each_seed_finds_itself_first_with_full_scores(seeded: Path, seeds: dict[int, str]) -> None:
    with Index(seeded) as index:
        assert len(index) == 5 and "seed-3" in index and "seed-9" not in index
        for n, text in seeds.items():
            matches = index.query(text)
            best = matches[0]
            assert (best.id, best.origin, best.jaccard, best.containment) == (f"seed-{n}", f"seeds/{n:03d}", 1.0, 1.0)
            # compare(text, text) is one passage covering the article on both sides.
            (p,) = best.passages
            assert p.a == p.b and p.score == 1.0 and len(p.a) > 0.9 * len(text)
            assert best.conflicts == ()
            assert all(m.jaccard < 0.2 for m in matches[1:])  # the seeds are separate articles


def test_stored_signatures_are_overlap_minhash(seeded: Path, seeds: dict[int, str]) -> None:
    """The index stores ``minhash(..., method=SCAN_METHOD)`` (min-max), not the default fss."""
    from overlap.signatures import SCAN_METHOD, minhash

    con = _db(seeded)
    stored = dict(con.execute("SELECT id, signature FROM docs"))
    con.close()
    expected = minhash([seeds[n] for n in range(5)], num_perm=128, seed=1, shingle_size=5, method=SCAN_METHOD)
    assert SCAN_METHOD == "minmax" and not np.array_equal(expected, minhash([seeds[n] for n in range(5)]))
    for n in range(5):
        assert np.array_equal(np.frombuffer(stored[f"seed-{n}"], dtype=np.uint32), expected[n])


def test_light_edit_finds_its_source_with_passages_and_conflicts(seeded: Path, seeds: dict[int, str]) -> None:
    query = _light_edit(seeds[1])
    with Index(seeded) as index:
        best = index.query(query, top=3)[0]
    assert best.id == "seed-1"
    assert 0.6 < best.jaccard < 1.0 and best.containment > 0.8
    stored = seeds[1]
    # Spans: a in the query, b in the stored text; the passages cover most of both.
    assert sum(len(p.a) for p in best.passages) > 0.8 * len(query)
    for p in best.passages:
        assert p.a.end <= len(query) and p.b.end <= len(stored)
    found = {(c.kind, c.a_text, c.b_text) for c in best.conflicts}
    assert ("number", "8 giờ", "7,5 giờ") in found, found
    assert any(kind == "spelling" and "Riabkov" in a and "Ryabkov" in b for kind, a, b in found), found
    # Exact scores, the same numbers as compare() on the pair.
    from overlap import compare

    sim = compare(query, stored).similarity
    assert best.jaccard == pytest.approx(sim.jaccard) and best.containment == pytest.approx(sim.containment_a)
    json.dumps(best.to_dict())


def test_reused_block_is_found_when_whole_text_jaccard_is_low(seeded: Path, seeds: dict[int, str]) -> None:
    # A new article (seed 4) that quotes six consecutive sentences of seed 3 at its end.
    reused = " ".join(_sentences(seeds[3])[8:14])
    query = seeds[4] + "\n" + reused
    with Index(seeded) as index:
        matches = {m.id: m for m in index.query(query)}
        qkeys = set(index._features([query]).doc_keys.view(np.int64).ravel().tolist())
    m3 = matches["seed-3"]
    assert m3.jaccard < 0.3  # far below the 0.5 threshold of the document-level LSH
    # ... and the document-level bands indeed share no key: the sentence blocks found it.
    con = _db(seeded)
    (num,) = con.execute("SELECT num FROM docs WHERE id = 'seed-3'").fetchone()
    doc3 = {k for (k,) in con.execute("SELECT key FROM bands WHERE doc = ?", (num,))}
    con.close()
    assert not qkeys & doc3
    start = query.index(reused)
    covered = [p for p in m3.passages if p.a.start >= start - 1]
    assert covered and sum(len(p.a) for p in covered) > 0.9 * len(reused)
    assert all(p.b.of(seeds[3]) in seeds[3] for p in m3.passages)


def test_query_options_and_unrelated_text(seeded: Path, seeds: dict[int, str]) -> None:
    with Index(seeded) as index:
        bare = index.query(seeds[2], passages=False)
        assert bare[0] == Match("seed-2", "seeds/002", 1.0, 1.0)
        assert [m.id for m in index.query(seeds[2], top=1)] == ["seed-2"]
        assert all(max(m.jaccard, m.containment) >= 0.5 for m in index.query(seeds[0], min_similarity=0.5))
        assert index.query("The quarterly report shows revenue growth in the retail segment of the company.") == ()
        assert index.query("") == ()
        with pytest.raises(ConfigError, match="top"):
            index.query(seeds[0], top=0)
        with pytest.raises(ConfigError, match="min_similarity"):
            index.query(seeds[0], min_similarity=1.5)


def test_reopen_reads_stored_settings_and_answers(tmp_path: Path, seeds: dict[int, str]) -> None:
    path = tmp_path / "small.db"
    with Index(path, num_perm=64, threshold=0.8, shingle_size=4) as index:
        index.add(_seed_docs(seeds))
        before = index.query(_light_edit(seeds[1]))
        bands, rows = index.bands, index.rows
    with Index(path, create=False) as index:
        assert (index.num_perm, index.shingle_size, index.threshold) == (64, 4, 0.8)
        assert (index.bands, index.rows) == (bands, rows)
        assert index.query(_light_edit(seeds[1])) == before
        st = index.stats()
        assert (st.documents, st.num_perm, st.schema_version) == (5, 64, SCHEMA_VERSION)
        assert st.file_bytes > 0 and json.loads(json.dumps(st.to_dict()))["bands"] == bands
    with Index(path, num_perm=64) as index:  # an explicit setting equal to the stored one is fine
        assert len(index) == 5
    with pytest.raises(ConfigError, match=r"num_perm=64, not 128"):
        Index(path, num_perm=128)
    with pytest.raises(ConfigError, match="threshold"):
        Index(path, threshold=0.5)
    _check_consistent(path, num_perm=64, bands=bands, rows=rows)


# --------------------------------------------------------------------------- re-add


def test_replace_swaps_text_and_band_rows(seeded: Path, seeds: dict[int, str]) -> None:
    with Index(seeded) as index:
        report = index.add([Document("seed-0", seeds[4], "rewrite")])
        assert report == AddReport(0, 1, 0) and len(index) == 5
        top = index.query(seeds[4], passages=False)
        assert {m.id for m in top if m.jaccard == 1.0} == {"seed-0", "seed-4"}
        assert all(m.id != "seed-0" or m.jaccard < 0.2 for m in index.query(seeds[0], passages=False))
    _check_consistent(seeded)


def test_skip_keeps_the_stored_text(seeded: Path, seeds: dict[int, str]) -> None:
    with Index(seeded) as index:
        report = index.add([Document("seed-0", seeds[4]), Document("new", seeds[4])], on_duplicate="skip")
        assert report == AddReport(1, 0, 1)
        assert index.query(seeds[0], top=1, passages=False)[0].id == "seed-0"
    _check_consistent(seeded)


def test_reject_commits_what_came_before_and_names_the_id(seeded: Path, seeds: dict[int, str]) -> None:
    docs = [Document("a", seeds[0] + " A."), Document("seed-2", seeds[1], "feed.jsonl:2"), Document("b", seeds[0])]
    with Index(seeded) as index:
        with pytest.raises(InputError, match=r"feed.jsonl:2: id 'seed-2' is already in the index"):
            index.add(docs, on_duplicate="reject", batch_size=10)
        assert "a" in index and "b" not in index and len(index) == 6
        assert index.query(seeds[2], top=1, passages=False)[0].id == "seed-2"  # unchanged
        with pytest.raises(ConfigError, match="on_duplicate"):
            index.add(docs, on_duplicate="overwrite")
    _check_consistent(seeded)


def test_repeated_id_within_one_call(tmp_path: Path, seeds: dict[int, str]) -> None:
    with Index(tmp_path / "x.db") as index:
        assert index.add([Document("x", seeds[0]), Document("x", seeds[1])]) == AddReport(1, 1, 0)
        assert index.query(seeds[1], top=1, passages=False)[0] == Match("x", "", 1.0, 1.0)
        assert index.add([Document("y", seeds[0]), Document("y", seeds[1])], on_duplicate="skip") == AddReport(1, 0, 1)
        assert index.query(seeds[0], top=1, passages=False)[0].id == "y"
        # An empty text is stored (findable by id) but has no band keys.
        assert index.add([Document("empty", "")]) == AddReport(1, 0, 0)
        assert "empty" in index
    _check_consistent(tmp_path / "x.db")


# --------------------------------------------------------------------------- files


def test_missing_index_and_files_that_are_not_indexes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.db: no such index"):
        Index(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()
    text = tmp_path / "notes.txt"
    text.write_text("Hà Nội, ngày 10/1. Not a database at all.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an overlap index"):
        Index(text)
    assert text.read_text(encoding="utf-8").startswith("Hà Nội")  # untouched
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="not an overlap index"):
        Index(other)
    with pytest.raises(InputError, match="is a directory"):
        Index(tmp_path)
    with pytest.raises(ConfigError, match="num_perm"):
        Index(tmp_path / "bad.db", num_perm=0)
    with pytest.raises(ConfigError, match="Document"):
        Index(tmp_path / "ok.db").add(["just a string"])  # type: ignore[list-item]


# --------------------------------------------------------------------------- processes


def _spawn(path: Path, prefix: str, batch: int, n: int | None = None, *extra: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(WRITER), str(path), prefix, str(batch)] + ([] if n is None else [str(n)])
    return subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_adding_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"  # does not exist yet: both processes race to create it
    procs = [_spawn(path, prefix, 10, 150) for prefix in ("left", "right")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert _check_consistent(path) == 300
    with Index(path, create=False) as index:
        for prefix in ("left", "right"):
            doc = make_document(prefix, 77)
            assert index.query(doc.text, top=1, passages=False)[0].id == doc.id


def _count(path: Path) -> int:
    try:
        con = _db(path)
        try:
            return con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0  # not created yet


def _add_until_killed(path: Path, prefix: str, batch: int, at_least: int) -> int:
    """Run a writer that adds without end; SIGKILL it once ``at_least`` more documents are
    committed (polled from this process).  Returns the count seen just before the kill."""
    start = _count(path)
    proc = _spawn(path, prefix, batch)
    try:
        deadline = time.monotonic() + 60
        seen = start
        while seen < start + at_least:
            assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "writer committed nothing in 60 s"
            time.sleep(0.01)
            seen = _count(path)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return seen


def test_kill_during_add_leaves_whole_committed_batches(tmp_path: Path) -> None:
    import zlib

    path = tmp_path / "killed.db"
    batch = 10
    # Three writers in turn, each killed wherever it is once some batches are committed
    # (inside a write transaction about 1 time in 6) ...
    prefixes = ("feed0", "feed1", "feed2", "stall")
    for k, prefix in enumerate(prefixes[:3]):
        seen = _add_until_killed(path, prefix, batch, at_least=(k + 2) * batch)
        n = _check_consistent(path)  # integrity_check ok, every document with all its band rows
        assert n >= seen
    # ... and one killed for certain inside the open transaction of its fourth batch, after
    # its documents and band rows were written but before COMMIT: none of them survive.
    proc = _spawn(path, "stall", batch, None, "--stall-after", "3")
    try:
        assert proc.stdout.readline() == b"STALLED\n", proc.stderr.read().decode()  # type: ignore[union-attr]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _check_consistent(path) == n + 3 * batch
    with Index(path, create=False) as index:
        con = _db(path)
        by_prefix: dict[str, list[int]] = {p: [] for p in prefixes}
        for id_, origin, length, blob in con.execute("SELECT id, origin, length, text FROM docs"):
            prefix, i = id_.rsplit("-", 1)
            expected = make_document(prefix, int(i))
            assert (origin, zlib.decompress(blob).decode("utf-8")) == (expected.origin, expected.text)
            assert length == len(expected.text)
            by_prefix[prefix].append(int(i))
        con.close()
        for prefix, ids in by_prefix.items():
            # Whole batches, committed in order: no partial batch and no gap.
            assert len(ids) % batch == 0 and len(ids) >= 2 * batch, (prefix, len(ids))
            assert prefix != "stall" or len(ids) == 3 * batch
            assert sorted(ids) == list(range(len(ids)))
        n = len(index)
        last = make_document("feed2", len(by_prefix["feed2"]) - 1)
        assert index.query(last.text, top=1)[0].id == last.id
        # The index keeps working: the next add continues where the killed one stopped.
        more = (make_document("feed2", i) for i in range(len(by_prefix["feed2"]), len(by_prefix["feed2"]) + 5))
        assert index.add(more) == AddReport(5, 0, 0)
    assert _check_consistent(path) == n + 5


def test_one_reused_sentence_finds_its_source(tmp_path: Path) -> None:
    # Seed 000 shares only the delegation sentence with 001 (one name spelled differently)
    # and three short passages with 002: whole-text Jaccard is 0.01 and 0.07.
    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    with Index(tmp_path / "s.idx") as index:
        index.add(Document(p.name, p.read_text(encoding="utf-8")) for p in seeds[1:])
        matches = index.query(seeds[0].read_text(encoding="utf-8"))
    assert [m.id for m in matches][:2] == [seeds[2].name, seeds[1].name]
    fomin = matches[1]
    assert [c.kind for c in fomin.conflicts] == ["spelling"]
    assert fomin.conflicts[0].b_text == "Alexandr Fomin"
