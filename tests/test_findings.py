"""Findings that say why: near-duplicate reasons, ``--threshold`` meaning what it says,
scan taking compare's options, and the report details (numbering, headlines, ids,
singular nouns, passage text in ``compare --json``, HTML views for the top rows)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import overlap
from overlap.records import Document
from overlap.corpus import scan

from conftest import SEEDS, seed_path


def _edited(text: str) -> str:
    """A light rewrite of every sentence (a few words changed): shingle Jaccard falls well
    below 0.85 while the aligned passages still cover the whole text."""
    sents = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(s.replace(" và ", " cùng ", 1).replace(" của ", " thuộc ", 1) for s in sents)


@pytest.fixture(scope="module")
def dup_docs() -> list[Document]:
    t0 = seed_path(0).read_text(encoding="utf-8")
    t3 = seed_path(3).read_text(encoding="utf-8")
    return [
        Document("orig", t0), Document("copy", t0 + "\n"), Document("edited", _edited(t0)),
        Document("other", t3),
    ]


def test_near_duplicate_reason_names_the_rule_and_values(seeds: dict[int, str]) -> None:
    same = overlap.compare(seeds[0], seeds[0])
    assert same.duplicate is not None and same.duplicate.rule == "jaccard"
    assert same.duplicate.jaccard == 1.0 and same.duplicate.confidence == 1.0
    edited = overlap.compare(seeds[0], _edited(seeds[0]), near_duplicate=0.85)
    r = edited.duplicate
    assert r is not None and r.rule == "coverage" and r.threshold == 0.8
    assert r.jaccard < 0.85 <= r.coverage
    assert edited.to_dict()["near_duplicate_reason"]["rule"] == "coverage"
    other = overlap.compare(seeds[0], seeds[3])
    assert not other.near_duplicate and other.duplicate is None
    assert other.to_dict()["near_duplicate_reason"] is None


def test_threshold_085_gives_no_jaccard_near_duplicate_below_it(dup_docs: list[Document]) -> None:
    r = scan(dup_docs, workers=1, near_duplicate=0.85)
    near = [p for p in r.pairs if p.near_duplicate]
    assert {(p.a, p.b) for p in near} == {("orig", "copy"), ("orig", "edited"), ("copy", "edited")}
    for p in near:
        assert p.duplicate is not None
        if p.similarity.jaccard < 0.85:
            assert p.duplicate.rule == "coverage" and p.duplicate.coverage >= 0.8
        else:
            assert p.duplicate.rule == "jaccard"
    # The coverage rule takes scan's --duplicate-coverage: at 1.0 only wholly shared texts pass it.
    from overlap.pipeline import CompareOptions

    strict = scan(dup_docs, workers=1, near_duplicate=0.85,
                  compare=CompareOptions(near_duplicate=0.85, duplicate_coverage=1.0))
    for p in strict.pairs:
        if p.near_duplicate and p.similarity.jaccard < 0.85:
            assert p.duplicate is not None and p.duplicate.rule == "coverage" and p.duplicate.coverage == 1.0


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "overlap", *args], capture_output=True, text=True, input=stdin,
                          encoding="utf-8")


def test_cli_threshold_and_duplicate_coverage_reach_the_scan(tmp_path: Path, dup_docs: list[Document]) -> None:
    feed = tmp_path / "docs.jsonl"
    feed.write_text("".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in dup_docs),
                    encoding="utf-8")
    r = _run("scan", str(feed), "--threshold", "0.85", "--json", "-q", "--workers", "1")
    assert r.returncode == 0, r.stderr
    pairs = [p for p in json.loads(r.stdout)["pairs"] if p["near_duplicate"]]
    assert pairs
    for p in pairs:
        why = p["near_duplicate_reason"]
        assert why["rule"] == "coverage" or p["similarity"]["jaccard"] >= 0.85
        assert 0.0 <= why["confidence"] <= 1.0 and 0.0 <= p["confidence"] <= 1.0
    off = _run("scan", str(feed), "--threshold", "0.85", "--duplicate-coverage", "1", "--json", "-q", "--workers", "1")
    d = json.loads(off.stdout)
    assert d["options"]["compare"]["duplicate_coverage"] == 1.0
    for p in d["pairs"]:
        if p["near_duplicate"] and p["similarity"]["jaccard"] < 0.85:
            assert p["near_duplicate_reason"]["coverage"] == 1.0
    few = _run("scan", str(feed), "--max-compares", "1", "--min-tokens", "40", "--json", "-q", "--workers", "1")
    assert few.returncode == 0, few.stderr
    d = json.loads(few.stdout)
    assert d["options"]["max_compares"] == 1 and d["options"]["compare"]["min_tokens"] == 40
    every = json.loads(_run("scan", str(feed), "--max-compares", "0", "--json", "-q", "--workers", "1").stdout)
    assert every["options"]["max_compares"] is None


def test_compare_json_passages_carry_their_text() -> None:
    a, b = seed_path(0), seed_path(2)
    r = _run("compare", str(a), str(b), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    text = a.read_text(encoding="utf-8")
    assert d["passages"]
    for p in d["passages"]:
        assert p["text"] == text[p["a"]["start"] : p["a"]["end"]]


def test_scan_report_numbers_stories_from_1_with_headline_and_short_ids(tmp_path: Path) -> None:
    from overlap.report import make_console, render_scan

    long_dir = tmp_path / ("a-very-long-directory-name-for-the-feed-" * 2) / "more"
    long_dir.mkdir(parents=True)
    for s in sorted(SEEDS.glob("*.txt")):
        (long_dir / s.name).write_text(s.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "single.txt").write_text("Một dòng.", encoding="utf-8")
    res = scan(overlap.iter_documents([str(long_dir), str(tmp_path / "single.txt")]), workers=1)
    buf = io.StringIO()
    render_scan(res, console=make_console(file=buf, width=100))
    out = buf.getvalue()
    (story,) = res.story_clusters
    assert f"story 1: 3 documents  {story.headline[:20]}" in out
    # Every id in the evidence tables is on one line, whole or shortened with "…".
    names = [Path(m).name for m in story.members]
    for line in out.splitlines():
        for n in names:
            stem = n[:8]
            if stem in line and ".txt" not in line.split(stem, 1)[1][:40]:
                pytest.fail(f"id cut mid-name: {line!r}")
    assert "1 document" not in out.replace("1 documents", "")  # no "1 documents" either
    from overlap.report_scan import _count

    assert _count(1, "document") == "1 document" and _count(2, "document") == "2 documents"


def test_scan_html_gives_the_top_rows_a_view_or_says_why(seeds: dict[int, str]) -> None:
    from overlap.html import scan_html

    res = scan(overlap.iter_documents([str(SEEDS)]), workers=1)
    page = scan_html(res, max_pairs=1)
    (story,) = res.story_clusters
    top = story.evidence[0]
    assert 'class="open"' in page
    # The first link of the first story has the one embedded view ...
    assert f'id="story-1"' in page
    assert "no view: beyond the 1 embedded views (max_pairs)" in page  # ... the rest say why
    assert "no view</span>" not in page
    full = scan_html(res)
    assert "no view" not in full
    assert top.pair is not None
