"""The command line end to end: real processes, real files, every bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import seed_path


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overlap", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


A, B = str(seed_path(0)), str(seed_path(1))


def test_compare_json_schema() -> None:
    r = run("compare", A, B, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["schema"] == 1
    assert d["a"] == {"path": A, "length": len(Path(A).read_text(encoding="utf-8"))}
    assert d["near_duplicate"] is False
    (conf,) = d["conflicts"]
    assert conf["kind"] == "spelling"
    text_b = Path(B).read_text(encoding="utf-8")
    assert text_b[conf["b"]["start"] : conf["b"]["end"]] == conf["b"]["text"] == "Alexandr Fomin"
    for p in d["passages"]:
        assert set(p) >= {"a", "b", "score"}


def test_compare_report_is_readable_when_piped() -> None:
    r = run("compare", A, B, "--width", "100", env={"NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert "\x1b[" not in r.stdout
    assert "Alexander Fomin" in r.stdout and "Alexandr Fomin" in r.stdout
    assert "spelling" in r.stdout


def test_compare_reads_stdin() -> None:
    r = run("compare", A, "-", "--json", stdin=Path(B).read_bytes())
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["b"]["path"] == "-" and d["conflicts"][0]["b"]["text"] == "Alexandr Fomin"


def test_html_report_is_written(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = run("compare", A, B, "--html", str(out), "--json")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "Alexandr Fomin" in html


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp / "blank.txt"
    blank.write_bytes(b"  \n\n ")
    binary = tmp / "img.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    latin = tmp / "latin1.txt"
    latin.write_bytes("Thụy Sỹ café".encode("utf-8") + "caf\xe9".encode("latin-1"))
    return {
        "missing": (["compare", str(tmp / "nope.txt"), A], "no such file"),
        "directory": (["compare", str(tmp), A], "is a directory"),
        "empty": (["compare", A, str(empty)], "empty file"),
        "blank": (["compare", A, str(blank)], "empty file"),
        "binary": (["compare", str(binary), A], "binary file"),
        "invalid utf-8": (["compare", str(latin), A], "not valid utf-8 at byte"),
        "bad encoding name": (["compare", A, B, "--encoding", "klingon"], "unknown encoding"),
        "threshold out of range": (["compare", A, B, "--near-duplicate", "1.5"], "--near-duplicate"),
        "not a number": (["compare", A, B, "--min-tokens", "many"], "--min-tokens"),
        "zero tokens": (["compare", A, B, "--min-tokens", "0"], "--min-tokens"),
        "unknown flag": (["compare", A, B, "--frobnicate"], "--frobnicate"),
        "missing argument": (["compare", A], "required"),
        "two stdins": (["compare", "-", "-"], "only one of A and B"),
        "no command": ([], "required"),
    }


@pytest.mark.parametrize(
    "case",
    ["missing", "directory", "empty", "blank", "binary", "invalid utf-8", "bad encoding name",
     "threshold out of range", "not a number", "zero tokens", "unknown flag", "missing argument",
     "two stdins", "no command"],
)
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path: Path, case: str) -> None:
    args, expect = _bad_inputs(tmp_path)[case]
    r = run(*args)
    assert r.returncode != 0
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert expect in lines[0]
    assert "Traceback" not in r.stderr


def test_invalid_utf8_reads_with_declared_encoding(tmp_path: Path) -> None:
    p = tmp_path / "cp.txt"
    p.write_bytes(Path(A).read_text(encoding="utf-8").encode("utf-8")[:200] + " caf\xe9".encode("latin-1"))
    r = run("compare", str(p), str(p), "--encoding", "latin-1", "--json")
    assert r.returncode == 0, r.stderr


def test_html_write_failure_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "ro" / "r.html"
    r = run("compare", A, B, "--html", str(target))
    assert r.returncode == 1
    assert "cannot write HTML report" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_help_for_every_command() -> None:
    r = run("--help")
    assert r.returncode == 0 and "compare" in r.stdout
    r = run("compare", "--help")
    assert r.returncode == 0 and "--near-duplicate" in r.stdout and "--json" in r.stdout


def test_public_functions_are_not_shadowed_by_submodules() -> None:
    # Issue 12: once a submodule was imported it shadowed the function of the same name
    # (``overlap.compare(...); overlap.normalize('x')`` raised TypeError).  Every public
    # function must stay callable whatever was imported before it, in any order.
    code = (
        "import overlap; overlap.compare('a b c', 'a b c'); overlap.normalize('x');"
        "import overlap.cli, overlap.corpus, overlap.spark, overlap.signatures, overlap.normalization, overlap.segment;"
        "fs = ['compare', 'compare_files', 'normalize', 'minhash', 'scan', 'sentences', 'read_text',"
        " 'iter_documents', 'estimate_jaccard'];"
        "bad = [f for f in fs if not callable(getattr(overlap, f))]; assert not bad, bad;"
        "print(sorted(overlap.__all__) == overlap.__all__)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


def test_no_public_name_is_also_a_submodule() -> None:
    """A public function that shares its name with a submodule is shadowed once the
    submodule is imported; the package must have no such pair (issue 12)."""
    import pkgutil

    import overlap

    submodules = {m.name for m in pkgutil.iter_modules(overlap.__path__)}
    assert not submodules & set(overlap.__all__)
    assert "corpus" in submodules and callable(overlap.scan)


def test_compare_does_not_load_the_corpus_machinery() -> None:
    """A cold ``overlap compare`` imports neither numba, datasketch nor the scan stage:
    they cost 0.2-0.5 s and 25 ms of start-up and compare needs none of them."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "overlap", "compare", str(seed_path(0)), str(seed_path(1)), "--json"],
        capture_output=True, text=True, check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "overlap.pipeline" in imported and json.loads(out.stdout)["passages"]
    assert not {"numba", "datasketch", "overlap.corpus", "overlap.signatures"} & imported
