"""CSV reports are safe to open in a spreadsheet; dedup's kept CSV is the user's data, untouched.

``overlap scan --csv`` and ``overlap dedup --removed --format csv`` guard text cells that a
spreadsheet would run as a formula (``overlap.outputs.spreadsheet_safe``), never numbers;
``overlap dedup -o kept.csv`` copies the kept rows as they were.  Inputs are the seed
articles with ids and fields that start like formulas.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import SEEDS
from overlap.corpus import scan
from overlap.outputs import spreadsheet_safe
from overlap.sources import iter_documents

# Ids and titles as a hostile or careless feed might have them: each starts with a
# character a spreadsheet runs (=, @, -, +, tab), one is plain.
IDS = ("=000", "@001", "002", "-003", "+004")
TITLES = ('=HYPERLINK("http://evil.test","click")', "@SUM(1+1)*cmd|' /C calc'!A0", "Plain title",
          "-2+3+cmd|' /C calc'!A0", "\tTabbed title")
FORMULA_START = "=+-@\t\r"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "overlap", *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "NO_COLOR": "1"})


def guarded(text: str) -> str:
    """What a report cell must read back as: a leading quote before a formula start,
    except on a plain signed number (the reference the helper is checked against)."""
    plain_number = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, re.I | re.A) is not None
    return "'" + text if text[:1] and text[0] in FORMULA_START and not plain_number else text


def seed_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for k, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        rows.append({"id": IDS[k], "text": p.read_text(encoding="utf-8"), "title": TITLES[k],
                     "views": -7 * k, "delta": f"-{k}.5", "date": f"2017-01-{20 - k:02d}"})
    return rows


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    rows = seed_rows()
    path = tmp_path_factory.mktemp("csvsafe") / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path, {r["id"]: r for r in rows}


@pytest.mark.parametrize(("value", "want"), [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"), ("--1", "'--1"), ("-1,5", "'-1,5"), ("- 1", "'- 1"),
    ("-1", "-1"), ("+0.25", "+0.25"), ("-.5", "-.5"), ("-1e5", "-1e5"), ("-3.", "-3."),
    ("", ""), ("a=1", "a=1"), ("2017-01-20", "2017-01-20"), (" =1", " =1"),
    (-3, -3), (-0.25, -0.25), (None, None),
])
def test_spreadsheet_safe_guards_formula_starts_but_not_numbers(value: Any, want: Any) -> None:
    got = spreadsheet_safe(value)
    assert got == want and type(got) is type(want)
    if isinstance(value, str):
        assert got == guarded(value)


def test_scan_csv_tables_guard_text_cells_and_keep_numbers(feed: Any) -> None:
    path, by_id = feed
    args = ("scan", str(path), "--keep-fields", "title,views,delta", "--date-field", "date", "-q", "--workers", "1")
    got = json.loads(run(*args, "--json").stdout)
    assert len(got["pairs"]) >= 3
    r = run(*args, "--csv", "pairs")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["a"], x["b"]) for x in rows] == [(guarded(p["a"]), guarded(p["b"])) for p in got["pairs"]]
    hits = 0
    for x, p in zip(rows, got["pairs"]):
        for side in "ab":
            src = by_id[p[side]]
            assert x[f"fields_{side}.title"] == guarded(src["title"])
            hits += x[f"fields_{side}.title"] != src["title"]
            # Numbers stay numbers: a JSON -7 and a text "-1.5" are written as they are.
            assert x[f"fields_{side}.views"] == str(src["views"]) and x[f"fields_{side}.delta"] == src["delta"]
        assert x["first_published"] == guarded(p["first_published"] or "")
        for k in ("confidence", "jaccard", "containment_a", "containment_b"):
            assert float(x[k]) == (p[k] if k == "confidence" else p["similarity"][k])
        assert int(x["passages"]) == len(p["passages"]) and int(x["conflicts"]) == len(p["conflicts"])
    assert hits >= 2  # the guard really ran on this input
    assert any(f",{-7 * k}," in r.stdout for k in range(1, 5))  # a negative number is a bare cell, not '-7
    r = run(*args, "--csv", "conflicts")
    assert r.returncode == 0, r.stderr
    conflicts = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(conflicts) == sum(len(p["conflicts"]) for p in got["pairs"]) > 0
    ids = {guarded(i): i for i in by_id}
    for c in conflicts:
        a, b = by_id[ids[c["a"]]], by_id[ids[c["b"]]]
        assert c["fields_a.title"] == guarded(a["title"]) and c["fields_b.title"] == guarded(b["title"])
        # Offsets are still integers into the texts, and the quoted values follow the rule.
        assert c["a_text"] == guarded(a["text"][int(c["a_start"]):int(c["a_end"])])
        assert c["b_text"] == guarded(b["text"][int(c["b_start"]):int(c["b_end"])])
        assert 0 <= float(c["confidence"]) <= 1


def test_library_rows_are_unguarded_only_the_file_is(feed: Any, tmp_path: Path) -> None:
    path, by_id = feed
    result = scan(iter_documents([path], keep_fields=["title"]), workers=1)
    rows = list(result.pair_rows())
    assert rows and all(x["fields_a.title"] == by_id[x["a"]]["title"] for x in rows)
    result.write_csv(tmp_path / "pairs.csv")
    with (tmp_path / "pairs.csv").open(encoding="utf-8", newline="") as f:
        back = list(csv.DictReader(f))
    assert [x["fields_a.title"] for x in back] == [guarded(x["fields_a.title"]) for x in rows]
    assert [x["a"] for x in back] == [guarded(x["a"]) for x in rows]


def _dedup_rows() -> list[dict[str, Any]]:
    """The seeds plus two republications (an exact copy of seed 0 after normalisation,
    seed 1 without its last sentence), all with formula-like ids and titles."""
    rows = seed_rows()
    s0, s1 = rows[0]["text"], rows[1]["text"]
    near = " ".join(re.split(r"(?<=[.!?])\s+", s1.strip())[:-1])
    rows.append({"id": "=copy0", "text": "  " + s0.upper() + " ", "title": "=1+1", "views": -1, "delta": "-0.5",
                 "date": "2017-01-01"})
    rows.append({"id": "-near1", "text": near, "title": "+near", "views": 3, "delta": "+2", "date": "2017-01-02"})
    return rows


def test_dedup_removal_list_csv_is_guarded(tmp_path: Path) -> None:
    rows = _dedup_rows()
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    common = (str(path), "--keep-fields", "title,views,delta", "-q")
    r = run("dedup", *common, "--removed", "-")
    assert r.returncode == 0, r.stderr
    want = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["id"], x["duplicate_of"]) for x in want] == [("=copy0", "=000"), ("-near1", "@001")]
    r = run("dedup", *common, "--removed", str(tmp_path / "removed.csv"))
    assert r.returncode == 0, r.stderr
    with (tmp_path / "removed.csv").open(encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f))
    assert len(got) == len(want)
    for x, w in zip(got, want):
        assert (x["id"], x["duplicate_of"], x["reason"]) == (guarded(w["id"]), guarded(w["duplicate_of"]), w["reason"])
        assert x["id"].startswith("'") and x["duplicate_of"].startswith("'")
        assert float(x["similarity"]) == w["similarity"] and float(x["estimated"]) == w["estimated"]
        for side in ("fields", "duplicate_of_fields"):
            assert x[f"{side}.title"] == guarded(w[side]["title"])
            assert x[f"{side}.views"] == str(w[side]["views"]) and x[f"{side}.delta"] == w[side]["delta"]
    assert got[0]["fields.views"] == "-1" and got[0]["fields.title"] == "'=1+1"


def test_dedup_kept_csv_is_the_input_rows_byte_for_byte(tmp_path: Path) -> None:
    # The kept documents are the user's data: no guard, every byte of each kept row as read.
    rows = _dedup_rows()
    cols = ["id", "title", "views", "delta", "text"]
    lines = []
    for rec in [dict(zip(cols, cols)), *rows]:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([rec[c] for c in cols])
        lines.append(buf.getvalue().encode("utf-8"))
    (tmp_path / "in.csv").write_bytes(b"".join(lines))
    r = run("dedup", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"), "--removed", str(tmp_path / "r.csv"))
    assert r.returncode == 0, r.stderr
    kept = [line for line, rec in zip(lines[1:], rows) if rec["id"] not in ("=copy0", "-near1")]
    assert len(kept) == 5
    assert (tmp_path / "out.csv").read_bytes() == lines[0] + b"".join(kept)
    assert b"\n=000," in (tmp_path / "out.csv").read_bytes()  # a formula-like cell, as the user had it
    r = run("dedup", str(tmp_path / "in.csv"), "-o", "-", "-q")
    assert r.returncode == 0 and r.stdout.encode("utf-8") == lines[0] + b"".join(kept)
