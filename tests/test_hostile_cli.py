"""Issue 16, hostile input through the real command line: injection, overwriting,
tracebacks, encodings.  One test (or parametrised case) per bullet of the issue; every
input is small so each case runs in a second or two (growth is measured in benchmarks/)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import seed_path

from overlap import cli

A, B = seed_path(0), seed_path(1)  # A and B share a passage with one spelling conflict
ESC = "\x1b"
HOSTILE_CTRL = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overlap", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd, input=stdin,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def one_line_error(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Non-zero exit, exactly one line on stderr, no traceback, naming each needle."""
    assert r.returncode != 0, (r.stdout[-500:], r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


def jsonl(path: Path, records: list[dict[str, Any]] | list[str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def seed_records(n: int = 4) -> list[dict[str, Any]]:
    return [{"id": f"s{i}", "text": seed_path(i).read_text(encoding="utf-8")} for i in range(n)]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    idx = tmp_path / "idx.db"
    r = run("index", "add", str(idx), str(jsonl(tmp_path / "docs.jsonl", seed_records())))
    assert r.returncode == 0, r.stderr
    return idx


# --------------------------------------------------------------------------- injection


@pytest.mark.parametrize("name", ["{x}.txt", "w{cls:x^40000000}.txt", "{cls.__class__.__dict__}\".txt"])
def test_compare_html_never_formats_the_file_name(tmp_path: Path, name: str) -> None:
    a = tmp_path / name
    shutil.copy(A, a)
    out = tmp_path / "r.html"
    r = run("compare", name, str(B), "--html", str(out), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["conflicts"], "the pair must have a conflict for the tip to hold the name"
    page = out.read_text(encoding="utf-8")
    assert len(page) < 2_000_000  # the ^40000000 fill would make it 120 MB
    assert "mappingproxy" not in page and "__module__" not in page
    assert name.split(".txt")[0].replace('"', "&quot;") in page  # the name, escaped, as given


def test_scan_html_escapes_hostile_ids(tmp_path: Path) -> None:
    recs = seed_records(2)
    recs[0]["id"] = '{x}"><img src=x onerror=alert(1)>'
    recs[1]["id"] = "{cls.__class__.__dict__}"
    recs.append({"id": "copy", "text": recs[0]["text"]})
    out = tmp_path / "scan.html"
    r = run("scan", str(jsonl(tmp_path / "d.jsonl", recs)), "--html", str(out), "-q", "--json")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "mappingproxy" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


# --------------------------------------------------------------------------- terminal escapes


def _ctrl_pair(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / f"a{ESC}[2J.txt", tmp_path / "b.txt"
    body = "The minister {c} said {n} people died in the fire on Monday in the centre of Hanoi today.\n"
    a.write_text(body.format(c=HOSTILE_CTRL, n=5), encoding="utf-8")
    b.write_text(body.format(c=HOSTILE_CTRL, n=7), encoding="utf-8")
    return a, b


@pytest.mark.parametrize("flags", [(), ("--no-color",), ("--color",)])
def test_compare_report_shows_control_characters_visibly(tmp_path: Path, flags: tuple[str, ...]) -> None:
    a, b = _ctrl_pair(tmp_path)
    r = run("compare", str(a), str(b), "--min-tokens", "3", *flags)
    assert r.returncode == 0, r.stderr
    for raw in ("\x1b]0;", "\x1b[2J", "\x07", "\x9b"):
        assert raw not in r.stdout
    assert "\u241b]0;pwned\u2407" in r.stdout and "a\u241b[2J.txt" in r.stdout  # shown, as ␛ and ␇
    if "--color" not in flags:
        assert ESC not in r.stdout


def test_scan_and_index_reports_show_control_characters_visibly(tmp_path: Path) -> None:
    recs = seed_records(2)
    recs[0]["id"] = f"evil{HOSTILE_CTRL}"
    recs.append({"id": f"copy{ESC}[2J", "text": recs[0]["text"]})
    src = jsonl(tmp_path / "d.jsonl", recs)
    r = run("scan", str(src), "-q")
    assert r.returncode == 0, r.stderr
    assert ESC not in r.stdout and "\x9b" not in r.stdout and "evil\u241b" in r.stdout
    idx = tmp_path / "i.db"
    assert run("index", "add", str(idx), str(src)).returncode == 0
    q = tmp_path / "q.txt"
    q.write_text(recs[0]["text"], encoding="utf-8")
    r = run("index", "query", str(idx), str(q))
    assert r.returncode == 0, r.stderr
    assert ESC not in r.stdout and "evil\u241b" in r.stdout


def test_error_line_shows_control_characters_in_file_names(tmp_path: Path) -> None:
    r = run("compare", str(tmp_path / f"missing{ESC}]0;x\x07.txt"), str(A))
    one_line_error(r, "no such file", "missing\u241b]0;x\u2407")
    assert ESC not in r.stderr


# --------------------------------------------------------------------------- --html overwriting


def test_html_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    shutil.copy(A, a)
    before = a.read_bytes()
    one_line_error(run("compare", str(a), str(B), "--html", str(a)), "input")
    src = jsonl(tmp_path / "d.jsonl", seed_records(2))
    one_line_error(run("scan", str(src), "--html", str(src), "-q"), "input")
    assert a.read_bytes() == before and json.loads(src.read_text().splitlines()[0])["id"] == "s0"


def test_html_refuses_a_file_inside_a_scanned_directory(tmp_path: Path) -> None:
    d = tmp_path / "docs"
    d.mkdir()
    for i in range(2):
        shutil.copy(seed_path(i), d / f"{i}.txt")
    before = (d / "0.txt").read_bytes()
    one_line_error(run("scan", str(d), "--html", str(d / "0.txt"), "-q"), "input directory")
    assert (d / "0.txt").read_bytes() == before


def test_html_refuses_to_overwrite_an_index(index: Path) -> None:
    before = index.read_bytes()
    one_line_error(run("compare", str(A), str(B), "--html", str(index)), "database")
    assert index.read_bytes() == before
    assert run("index", "stats", str(index)).returncode == 0


def test_html_refuses_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "r.html"
    link.symlink_to(target)
    one_line_error(run("compare", str(A), str(B), "--html", str(link)), "symbolic link")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me"


def test_html_empty_name_is_an_error() -> None:
    one_line_error(run("compare", str(A), str(B), "--html", ""), "empty file name")


def test_html_replaces_an_old_report_atomically(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    r = run("compare", str(A), str(B), "--html", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temporary file left


# --------------------------------------------------------------------------- tracebacks


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib_codec"])
def test_non_text_codecs_are_one_line(tmp_path: Path, codec: str) -> None:
    one_line_error(run("compare", str(A), str(B), "--encoding", codec), "not a text encoding", codec)
    src = jsonl(tmp_path / "d.jsonl", seed_records(2))
    one_line_error(run("scan", str(src), "--encoding", codec, "-q"), "not a text encoding")


def _surrogate_jsonl(tmp_path: Path) -> Path:
    recs = seed_records(3)
    bad = json.dumps({"id": "bad", "text": "x"}).replace('"x"', '"broken \\ud800 text"')
    return jsonl(tmp_path / "s.jsonl", [json.dumps(recs[0]), json.dumps(recs[1]), bad, json.dumps(recs[2])])


@pytest.mark.parametrize("flag", ["--json", "--jsonl", "--html"])
def test_lone_surrogate_in_scan_is_one_line_and_leaves_no_partial_output(tmp_path: Path, flag: str) -> None:
    src = _surrogate_jsonl(tmp_path)
    args = [flag, str(tmp_path / "r.html")] if flag == "--html" else [flag]
    r = run("scan", str(src), *args, "-q")
    one_line_error(r, f"{src}:3", "lone surrogate")
    assert r.stdout == "" and not (tmp_path / "r.html").exists()
    ok = run("scan", str(src), *args, "-q", "--skip-bad")
    assert ok.returncode == 0 and "skipped" in ok.stderr
    if flag == "--json":
        assert len(json.loads(ok.stdout)["documents"]) == 3


def test_index_add_commits_the_good_records_before_a_bad_one(tmp_path: Path) -> None:
    idx = tmp_path / "i.db"
    r = run("index", "add", str(idx), str(_surrogate_jsonl(tmp_path)))
    one_line_error(r, "lone surrogate", "2 documents before it were committed")
    st = run("index", "stats", str(idx), "--json")
    assert json.loads(st.stdout)["documents"] == 2
    recs = seed_records(3)
    src = jsonl(tmp_path / "m.jsonl", [json.dumps(recs[0]), json.dumps({"id": "no text"}), json.dumps(recs[1])])
    one_line_error(run("index", "add", str(tmp_path / "j.db"), str(src)), "no field 'text'", "1 documents")


@pytest.mark.parametrize(
    "line, needle",
    [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ('{"id": "n", "text": "t", "n": ' + "9" * 5000 + "}", "digits")],
)
def test_hostile_json_lines_are_one_line_even_with_skip_bad(tmp_path: Path, line: str, needle: str) -> None:
    recs = seed_records(2)
    src = jsonl(tmp_path / "d.jsonl", [json.dumps(recs[0]), line, json.dumps(recs[1])])
    one_line_error(run("scan", str(src), "-q", "--json"), f"{src}:2", needle)
    r = run("scan", str(src), "-q", "--json", "--skip-bad")
    assert r.returncode == 0 and "Traceback" not in r.stderr and needle in r.stderr
    assert len(json.loads(r.stdout)["documents"]) == 2


def _parquet(path: Path, texts: list[Any]) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    col = pa.array([t if isinstance(t, bytes) else t.encode("utf-8") for t in texts], pa.binary()).view(pa.string())
    pq.write_table(pa.table({"id": [f"r{i}" for i in range(len(texts))], "text": col}), path)
    return path


def test_parquet_with_invalid_utf8_is_one_line(tmp_path: Path) -> None:
    texts = [r["text"] for r in seed_records(2)]
    src = _parquet(tmp_path / "d.parquet", [texts[0], b"bad \xff\xfe bytes", texts[1]])
    one_line_error(run("scan", str(src), "-q", "--json"), "row2")
    r = run("scan", str(src), "-q", "--json", "--skip-bad")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["documents"]) == 2


def test_parquet_with_a_corrupt_page_is_one_line(tmp_path: Path) -> None:
    src = _parquet(tmp_path / "d.parquet", [r["text"] for r in seed_records(3)])
    data = bytearray(src.read_bytes())
    for i in range(8, 200):  # the first page header sits right after the magic
        data[i] = 0xFF
    src.write_bytes(bytes(data))
    one_line_error(run("scan", str(src), "-q", "--json"), str(src))


# --------------------------------------------------------------------------- the index file


def _chattr(flag: str, *paths: Path) -> None:
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr to make a file read-only for root")
    r = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"chattr unsupported here: {r.stderr!r}")


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    held: list[Path] = []
    yield held
    if held:
        subprocess.run(["chattr", "-i", *map(str, held)], capture_output=True)


def test_read_only_index_file_answers_queries_and_refuses_adds(index: Path, immutable: list[Path]) -> None:
    if os.geteuid() == 0:
        _chattr("+i", index)
        immutable.append(index)
    else:
        index.chmod(0o444)
    assert run("index", "stats", str(index)).returncode == 0
    q = run("index", "query", str(index), str(seed_path(0)), "--json")
    assert q.returncode == 0, q.stderr
    assert json.loads(q.stdout)["queries"][0]["matches"][0]["id"] == "s0"
    one_line_error(run("index", "add", str(index), str(seed_path(4))), str(index), "readonly")


def test_index_in_a_read_only_directory_answers_stats_and_query(index: Path, immutable: list[Path]) -> None:
    _chattr("+i", index.parent)
    immutable.append(index.parent)
    st = run("index", "stats", str(index), "--json")
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout)["documents"] == 4
    q = run("index", "query", str(index), str(seed_path(1)), "--json")
    assert q.returncode == 0, q.stderr


def test_index_add_on_a_full_disk_keeps_the_committed_batches(tmp_path: Path) -> None:
    resource = pytest.importorskip("resource")
    texts = [r["text"] for r in seed_records(5)]
    src = jsonl(tmp_path / "many.jsonl", [{"id": f"d{i}", "text": f"{texts[i % 5]} variant {i}"} for i in range(600)])
    idx = tmp_path / "full.db"

    def limit() -> None:  # a 4 MB file-size limit: the first batch of 500 fits, the second not
        resource.setrlimit(resource.RLIMIT_FSIZE, (4_000_000, 4_000_000))

    r = subprocess.run([sys.executable, "-m", "overlap", "index", "add", str(idx), str(src)],
                       capture_output=True, text=True, timeout=120, preexec_fn=limit)
    one_line_error(r, "cannot write the index", "500 documents before it were committed")
    st = run("index", "stats", str(idx), "--json")
    assert json.loads(st.stdout)["documents"] == 500


def test_corrupted_index_pages_are_one_line(index: Path) -> None:
    data = bytearray(index.read_bytes())
    page = 4096
    for i in range(page * 2, min(len(data), page * 6)):
        data[i] = 0xA5
    index.write_bytes(bytes(data))
    r = run("index", "query", str(index), str(seed_path(0)))
    one_line_error(r, str(index))


def test_tampered_index_metadata_is_one_line(index: Path) -> None:
    with sqlite3.connect(index) as con:
        con.execute("UPDATE meta SET value = 'many' WHERE key = 'num_perm'")
    con.close()
    one_line_error(run("index", "stats", str(index)), str(index), "damaged")


def test_tampered_index_text_blob_is_one_line(index: Path) -> None:
    with sqlite3.connect(index) as con:
        con.execute("UPDATE docs SET text = ?", (b"not zlib at all",))
    con.close()
    one_line_error(run("index", "query", str(index), str(seed_path(0))), str(index), "damaged")
    with sqlite3.connect(index) as con:
        con.execute("UPDATE docs SET text = ?", (zlib.compress(b"\xff\xfe bad utf-8"),))
    con.close()
    one_line_error(run("index", "query", str(index), str(seed_path(0))), str(index), "damaged")


# --------------------------------------------------------------------------- process-level failures


def test_stdout_on_a_full_disk_is_one_line() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "overlap", "compare", str(A), str(B), "--json"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    one_line_error(r, "No space left")


def test_memory_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import overlap.pipeline

    def boom(*a: Any, **k: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(overlap.pipeline, "compare", boom)
    assert cli.main(["compare", str(A), str(B)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "overlap: out of memory; split the input or use fewer --workers"


def test_killed_worker_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from concurrent.futures.process import BrokenProcessPool

    import importlib

    scan_module = importlib.import_module("overlap.corpus")  # the CLI imports scan from here

    def boom(*a: Any, **k: Any) -> Any:
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(scan_module, "scan", boom)
    assert cli.main(["scan", str(A), str(B), "-q"]) == 1
    assert "worker process died" in capsys.readouterr().err


def test_scan_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "d.jsonl", seed_records(5))
    p = subprocess.Popen([sys.executable, "-m", "overlap", "scan", str(src), "--jsonl", "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # like `| head` that has already exited
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141 and err == ""


# --------------------------------------------------------------------------- also


def test_utf16_without_bom_reads_with_explicit_encoding(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(A.read_text(encoding="utf-8").encode("utf-16-le"))
    b.write_bytes(B.read_text(encoding="utf-8").encode("utf-16-le"))
    one_line_error(run("compare", str(a), str(b)), "binary")  # without the encoding: refused
    r = run("compare", str(a), str(b), "--encoding", "utf-16-le", "--json")
    assert r.returncode == 0, r.stderr
    utf8 = json.loads(run("compare", str(A), str(B), "--json").stdout)
    assert json.loads(r.stdout)["conflicts"] == utf8["conflicts"]


def test_small_file_is_read_without_reserving_the_size_cap(tmp_path: Path) -> None:
    import tracemalloc

    from overlap.textio import read_text

    p = tmp_path / "small.txt"
    p.write_text("A short article. " * 100, encoding="utf-8")
    tracemalloc.start()
    try:
        read_text(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak  # f.read(MAX_BYTES + 1) reserved 64 MB


def test_workers_are_capped_at_the_cores(tmp_path: Path) -> None:
    r = run("scan", str(A), str(B), "--workers", "1024", "-q", "--json")
    assert r.returncode == 0, r.stderr
    assert "--workers 1024 capped at" in r.stderr
    assert json.loads(r.stdout)["stats"]["documents"] == 2
