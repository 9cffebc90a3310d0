"""Index lifecycle: remove, list, export, vacuum, query from records; a kill during remove."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from overlap import ConfigError, InputError
from overlap.index import Index
from overlap.records import Document


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "overlap", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture()
def index(seeds: dict[int, str], tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    with Index(str(path)) as ix:
        ix.add([Document(f"seed{n}", t, f"seeds/{n}.txt") for n, t in seeds.items()])
    return path


def _orphans(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(
            "SELECT (SELECT COUNT(*) FROM bands WHERE doc NOT IN (SELECT num FROM docs))"
            " + (SELECT COUNT(*) FROM passages WHERE doc NOT IN (SELECT num FROM docs))").fetchone()[0])
    finally:
        con.close()


def test_remove_deletes_documents_and_their_keys(index: Path, seeds: dict[int, str]) -> None:
    with Index(str(index)) as ix:
        assert [m.id for m in ix.query(seeds[2], passages=False)][:1] == ["seed2"]
        rep = ix.remove(["seed2", "nosuch", "seed2"])
        assert (rep.removed, rep.missing) == (1, ("nosuch",))
        assert len(ix) == 4 and "seed2" not in ix
        assert "seed2" not in [m.id for m in ix.query(seeds[2], passages=False)]
        assert [e.id for e in ix.entries()] == ["seed0", "seed1", "seed3", "seed4"]
        with pytest.raises(ConfigError, match="not one string"):
            ix.remove("seed1")
    assert _orphans(index) == 0


def test_export_reads_back_and_vacuum_shrinks(index: Path, seeds: dict[int, str], tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    with Index(str(index)) as ix:
        assert ix.export(str(out)) == 5
        recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert [(r["id"], r["text"], r["origin"]) for r in recs] == [(f"seed{n}", seeds[n], f"seeds/{n}.txt") for n in range(5)]
        with pytest.raises(InputError, match="over an input"):
            ix.export(str(index))
        ix.remove([f"seed{n}" for n in range(4)])
        before, after = ix.vacuum()
        assert after < before
        assert [m.id for m in ix.query(seeds[4], passages=False)] == ["seed4"]
    copy = tmp_path / "copy.db"
    r = run("index", "add", str(copy), str(out))
    assert r.returncode == 0, r.stderr
    with Index(str(copy)) as ix:
        assert [e.id for e in ix.entries()] == [f"seed{n}" for n in range(5)]


def test_cli_lifecycle_and_record_queries(index: Path, seeds: dict[int, str], tmp_path: Path) -> None:
    listed = run("index", "list", str(index), "--json")
    assert listed.returncode == 0 and [json.loads(x)["id"] for x in listed.stdout.splitlines()] == [f"seed{n}" for n in range(5)]
    q = tmp_path / "q.jsonl"
    q.write_text("".join(json.dumps({"id": f"q{n}", "body": seeds[n]}, ensure_ascii=False) + "\n" for n in (1, 3)),
                 encoding="utf-8")
    r = run("index", "query", str(index), str(q), "--text-field", "body", "--json", "--top", "1")
    assert r.returncode == 0, r.stderr
    got = [(x["file"], x["matches"][0]["id"]) for x in json.loads(r.stdout)["queries"]]
    assert got == [("q1", "seed1"), ("q3", "seed3")]
    ids = tmp_path / "ids.txt"
    ids.write_text("seed1\nseed3\n", encoding="utf-8")
    r = run("index", "remove", str(index), "seed0", "nosuch", "--ids-from", str(ids), "--strict")
    assert r.returncode == 1 and "removed 3" in r.stdout and "'nosuch'" in r.stderr
    assert run("index", "vacuum", str(index)).returncode == 0
    assert run("index", "list", str(index)).stdout.split() [::3] == ["seed2", "seed4"]


def test_ids_do_not_depend_on_where_add_ran(seeds: dict[int, str], tmp_path: Path) -> None:
    # Issue 15: the same directory added from two working directories, typed two ways,
    # gives the same ids; the absolute origin is stored beside each id.
    root = tmp_path / "news"
    (root / "day2").mkdir(parents=True)
    for n, t in seeds.items():
        (root / ("day2" if n % 2 else "") / f"{n}.txt").write_text(t, encoding="utf-8")
    (root / "day2" / "0.info.txt").write_text("LINK: x", encoding="utf-8")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert run("index", "add", str(a), "news", "--exclude", "*.info.txt", cwd=tmp_path).returncode == 0
    r = run("index", "add", str(b), "..", "--exclude", "*.info.txt", cwd=root / "day2")
    assert r.returncode == 0, r.stderr
    lists = [[json.loads(x) for x in run("index", "list", str(p), "--json").stdout.splitlines()] for p in (a, b)]
    assert [(e["id"], e["origin"]) for e in lists[0]] == [(e["id"], e["origin"]) for e in lists[1]]
    assert sorted(e["id"] for e in lists[0]) == sorted(f"news/{'day2/' if n % 2 else ''}{n}.txt" for n in seeds)
    assert all(e["origin"] == str(root / e["id"].split("/", 1)[1]) for e in lists[0])
    q = run("index", "query", str(a), str(root / "day2" / "1.txt"), "--json", "--top", "1")
    assert json.loads(q.stdout)["queries"][0]["matches"][0]["id"] == "news/day2/1.txt"


def test_keep_fields_are_stored_listed_exported_and_returned(seeds: dict[int, str], tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"s{n}", "text": t, "title": f"Tin {n}", "url": f"https://x/{n}",
                                        "views": n}, ensure_ascii=False) + "\n" for n, t in seeds.items()),
                    encoding="utf-8")
    idx = tmp_path / "m.db"
    r = run("index", "add", str(idx), str(feed), "--keep-fields", "title,url")
    assert r.returncode == 0, r.stderr
    listed = [json.loads(x) for x in run("index", "list", str(idx), "--json").stdout.splitlines()]
    assert [e["metadata"] for e in listed] == [{"title": f"Tin {n}", "url": f"https://x/{n}"} for n in seeds]
    with Index(str(idx), read_only=True) as ix:
        (m,) = ix.query(seeds[2], top=1, passages=False)
        assert (m.id, m.metadata) == ("s2", {"title": "Tin 2", "url": "https://x/2"})
    out = tmp_path / "all.jsonl"
    assert run("index", "export", str(idx), "-o", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[3])["metadata"]["title"] == "Tin 3"


def test_an_index_made_before_the_metadata_column_still_opens(seeds: dict[int, str], tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Index(str(path)) as ix:
        ix.add([Document("a", seeds[0])])
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE docs DROP COLUMN metadata")  # the layout of files written before it
    con.commit()
    con.close()
    with Index(str(path), read_only=True) as ix:  # read-only: no column, no metadata, no write
        assert [e.metadata for e in ix.entries()] == [{}] and ix.query(seeds[0], passages=False)[0].id == "a"
    with Index(str(path)) as ix:  # writable: the column is added, old rows read as empty
        ix.add([Document("b", seeds[1], metadata={"title": "B"})])
        assert [e.metadata for e in ix.entries()] == [{}, {"title": "B"}]


@pytest.mark.parametrize("args, message", [
    (["add", "{i}", "{d}", "--include", ""], "--include"),
    (["remove", "{i}"], "no ids given"),
    (["remove", "{d}/missing.db", "x"], "missing.db"),
    (["export", "{i}", "-o", "{i}"], "over an input"),
    (["export", "{i}"], "-o/--output"),
    (["list", "{d}/q.jsonl"], "not an overlap index"),
    (["query", "{i}", "{d}/q.jsonl", "--text-field", "nope"], "no field 'nope'"),
])
def test_bad_lifecycle_input_gets_one_line(args: list[str], message: str, index: Path, tmp_path: Path) -> None:
    (tmp_path / "q.jsonl").write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    r = run("index", *[a.format(i=index, d=tmp_path) for a in args])
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr


def test_kill_during_remove_leaves_all_or_nothing(data_dir: Path, tmp_path: Path) -> None:
    files = sorted((data_dir / "baomoi").glob("*.txt"))[:1500]
    path = tmp_path / "big.db"
    with Index(str(path)) as ix:
        ix.add(Document(f.stem, f.read_text(encoding="utf-8")) for f in files)
    code = (
        "import sys; from overlap.index import Index; ix = Index(sys.argv[1], create=False); "
        "print('go', flush=True); ix.remove([l.strip() for l in open(sys.argv[2])])"
    )
    (tmp_path / "ids").write_text("\n".join(f.stem for f in files), encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-c", code, str(path), str(tmp_path / "ids")], stdout=subprocess.PIPE)
    assert p.stdout is not None and p.stdout.readline().strip() == b"go"
    time.sleep(0.3)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    with Index(str(path)) as ix:
        assert len(ix) in (0, 1500)  # one transaction: all of them or none
        if len(ix):
            text = files[7].read_text(encoding="utf-8")
            assert ix.query(text, passages=False)[0].id == files[7].stem
    assert _orphans(path) == 0
