"""``overlap scan`` and ``overlap index`` end to end: real processes, every bad input one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overlap", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )


def one_line_error(r: subprocess.CompletedProcess[str], code: int, pattern: str) -> None:
    import re

    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr  # one line, no traceback
    assert re.search(pattern, lines[0]), lines[0]


def seeds_jsonl(path: Path) -> Path:
    rows = [{"id": p.name[:3], "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_scan_seeds_report_shows_story_passages_and_variant() -> None:
    r = run("scan", str(SEEDS), "--width", "140", "--workers", "1")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "story 1: 3 documents" in out and "002_" in out
    assert "Alexander Fomin" in out and "Alexandr Fomin" in out
    assert "Sergei Ryabkov" in out  # the most reused passage
    assert "\x1b[" not in out and "\x1b[" not in r.stderr  # no bar, no colour when piped
    assert r.stderr.startswith("overlap: scanned 5 documents")


def test_scan_quiet_json_matches_library() -> None:
    r = run("scan", str(SEEDS), "--json", "--quiet", "--workers", "2")
    assert r.returncode == 0 and r.stderr == ""
    d = json.loads(r.stdout)
    stories = [sorted(Path(m).name[:3] for m in c["members"]) for c in d["story_clusters"]]
    assert stories == [["000", "001", "002"]]
    (v,) = d["name_variants"]
    assert {s["text"]: len(s["docs"]) for s in v["spellings"]} == {"Alexander Fomin": 2, "Alexandr Fomin": 1}
    again = run("scan", str(SEEDS), "--json", "--quiet", "--workers", "1")
    assert again.stdout == r.stdout  # deterministic, whatever the number of workers


def test_scan_jsonl_from_stdin(tmp_path: Path) -> None:
    text = seeds_jsonl(tmp_path / "seeds.jsonl").read_text(encoding="utf-8")
    r = run("scan", "-", "--jsonl", "-q", "--workers", "1", stdin=text)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert recs[0]["type"] == "summary" and recs[0]["stats"]["documents"] == 5
    clusters = [x for x in recs if x["type"] == "cluster"]
    assert [c["members"] for c in clusters] == [["000", "001", "002"]]
    docs = [x for x in recs if x["type"] == "document"]
    assert docs[0]["origin"] == "<stdin>:1"


def test_scan_csv_and_custom_fields(tmp_path: Path) -> None:
    import csv

    p = tmp_path / "seeds.csv"
    with p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "body"])
        for s in sorted(SEEDS.glob("*.txt")):
            w.writerow([s.name[:3], s.read_text(encoding="utf-8")])
    r = run("scan", str(p), "--text-field", "body", "--id-field", "key", "--json", "-q", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["story_clusters"][0]["members"] == ["000", "001", "002"]


def test_scan_html_report(tmp_path: Path) -> None:
    out = tmp_path / "scan.html"
    r = run("scan", str(SEEDS), "--html", str(out), "-q", "--workers", "1")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html") or html.lower().startswith("<!doctype html")
    assert "Alexandr Fomin" in html


# --------------------------------------------------------------------------- bad input


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    p = seeds_jsonl(tmp_path / "feed.jsonl")
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:-1]  # drop the closing brace of record 3
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_line_error(run("scan", str(p), "-q"), 1, rf"^overlap: {p}:3: not valid JSON")


def test_skip_bad_warns_and_goes_on(tmp_path: Path) -> None:
    p = seeds_jsonl(tmp_path / "feed.jsonl")
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[4] = "{broken"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("scan", str(p), "--skip-bad", "--json", "-q", "--workers", "1")
    assert r.returncode == 0
    assert r.stderr.strip() == f"overlap: skipped {p}:5: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    assert json.loads(r.stdout)["stats"]["documents"] == 4


def test_missing_field(tmp_path: Path) -> None:
    p = seeds_jsonl(tmp_path / "feed.jsonl")
    one_line_error(run("scan", str(p), "--text-field", "body", "-q"), 1, rf"{p}:1: no field 'body' \(fields: id, text\)")


def test_empty_directory(tmp_path: Path) -> None:
    one_line_error(run("scan", str(tmp_path), "-q"), 1, r"no \.txt files in this directory")


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEEDS.joinpath(next(iter(sorted(os.listdir(SEEDS))))).read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")  # unreadable as a text file whoever runs the test (root ignores chmod 000)
    one_line_error(run("scan", str(tmp_path), "-q"), 1, r"b\.txt: not a regular file")


def test_binary_file_in_directory(tmp_path: Path) -> None:
    for s in sorted(SEEDS.glob("*.txt"))[:2]:
        (tmp_path / s.name).write_text(s.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(bytes(range(256)) * 4)
    one_line_error(run("scan", str(tmp_path), "-q"), 1, r"photo\.txt: binary file")
    r = run("scan", str(tmp_path), "--skip-bad", "--json", "-q", "--workers", "1")
    assert r.returncode == 0 and "skipped" in r.stderr and "photo.txt" in r.stderr
    assert json.loads(r.stdout)["stats"]["documents"] == 2


def test_duplicate_ids(tmp_path: Path) -> None:
    p = tmp_path / "feed.jsonl"
    p.write_text('{"id": 1, "text": "một hai ba"}\n{"id": 1, "text": "bốn năm sáu"}\n', encoding="utf-8")
    one_line_error(run("scan", str(p), "-q"), 1, rf"{p}:2: duplicate document id '1' \(first seen at {p}:1\)")


def test_bad_options_are_usage_errors() -> None:
    one_line_error(run("scan", str(SEEDS), "--threshold", "2"), 2, r"--threshold must be in \[0, 1\]")
    one_line_error(run("scan", str(SEEDS), "--json", "--jsonl"), 2, r"not allowed with argument")
    one_line_error(run("scan", "nope.docx"), 1, r"nope\.docx: no such file")


# --------------------------------------------------------------------------- index


def test_index_add_query_stats(tmp_path: Path) -> None:
    pytest.importorskip("overlap.index")
    idx = str(tmp_path / "news.idx")
    files = sorted(SEEDS.glob("*.txt"))
    r = run("index", "add", idx, *[str(f) for f in files[1:]])
    assert r.returncode == 0, r.stderr
    assert "added 4" in r.stdout
    r = run("index", "add", idx, str(files[1]), "--on-duplicate", "skip", "--json")
    assert json.loads(r.stdout)["skipped"] == 1
    # A republication of 001 with one detail changed.
    query = tmp_path / "copy.txt"
    query.write_text(files[1].read_text(encoding="utf-8").replace("7,5 giờ", "8 giờ"), encoding="utf-8")
    r = run("index", "query", idx, str(query), "--json", "--top", "3")
    assert r.returncode == 0, r.stderr
    (q,) = json.loads(r.stdout)["queries"]
    best = q["matches"][0]
    assert best["id"] == str(files[1]) and best["jaccard"] > 0.8 and best["passages"]
    assert any(c["kind"] == "number" and c["a"]["text"].startswith("8") for c in best["conflicts"])
    r = run("index", "query", idx, str(query))
    assert r.returncode == 0 and "jaccard" in r.stdout and "001_" in r.stdout
    r = run("index", "stats", idx, "--json")
    assert json.loads(r.stdout)["documents"] == 4


def test_index_errors(tmp_path: Path) -> None:
    pytest.importorskip("overlap.index")
    one_line_error(run("index", "stats", str(tmp_path / "missing.idx")), 1, r"missing\.idx: no such index")
    junk = tmp_path / "junk.idx"
    junk.write_text("not a database", encoding="utf-8")
    one_line_error(run("index", "query", str(junk), str(next(SEEDS.glob("000_*")))), 1, r"not an overlap index")
    idx = str(tmp_path / "a.idx")
    f = str(next(SEEDS.glob("000_*")))
    assert run("index", "add", idx, f).returncode == 0
    one_line_error(run("index", "add", idx, f, "--on-duplicate", "reject"), 1, r"000_")


def test_scan_keep_fields_and_first_published(tmp_path: Path) -> None:
    """Issue 15: ``--keep-fields`` carries record fields into the document and cluster
    records, and ``--date-field`` names each cluster's earliest member, as dedup does."""
    seeds = sorted(SEEDS.glob("*.txt"))
    # Dates run backwards, so the earliest member of a cluster is its last in input order.
    rows = [{"id": p.name[:3], "text": p.read_text(encoding="utf-8"), "title": f"T{k}", "url": f"https://x.test/{k}",
             "date": f"2017-01-{20 - k:02d}T08:00:00+07:00"} for k, p in enumerate(seeds)]
    rows[0]["date"] = None  # an undated member is never first
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    by_id = {r["id"]: r for r in rows}
    r = run("scan", str(feed), "--keep-fields", "title,url", "--date-field", "date", "--json", "-q", "--workers", "1")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["options"]["date_field"] == "date"
    assert [d["fields"] for d in got["documents"]] == [
        {"title": x["title"], "url": x["url"], "date": x["date"]} for x in rows]
    clusters = got["near_duplicate_clusters"] + got["story_clusters"]
    assert got["story_clusters"]
    for c in clusters:
        assert [f["title"] for f in c["fields"]] == [by_id[m]["title"] for m in c["members"]]
        dated = [m for m in c["members"] if by_id[m]["date"]]
        assert c["first_published"] == min(dated, key=lambda m: by_id[m]["date"])
    # The same in the JSON lines and in the report.
    r = run("scan", str(feed), "--keep-fields", "title,url", "--date-field", "date", "--jsonl", "-q", "--workers", "1")
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["fields"] for x in recs if x["type"] == "document"] == [d["fields"] for d in got["documents"]]
    assert [x["first_published"] for x in recs if x["type"] == "cluster"] == [c["first_published"] for c in clusters]
    r = run("scan", str(feed), "--date-field", "date", "--width", "160", "-q", "--workers", "1")
    story = got["story_clusters"][0]
    assert f"first published: {story['first_published']} ({by_id[story['first_published']]['date']})" in r.stdout
    # Without the options the records are as before: no fields, no first_published.
    plain = json.loads(run("scan", str(feed), "--json", "-q", "--workers", "1").stdout)
    assert "fields" not in plain["documents"][0] and "date_field" not in plain["options"]
    assert all("fields" not in c and "first_published" not in c for c in plain["story_clusters"])
    assert plain["story_clusters"][0]["members"] == story["members"]
    # A value that is not a date: one line naming the record, non-zero exit.
    rows[2]["date"] = "yesterday"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    one_line_error(run("scan", str(feed), "--date-field", "date", "-q", "--workers", "1"), 1,
                   r"feed\.jsonl:3: date 'yesterday' is not an ISO 8601 date")
