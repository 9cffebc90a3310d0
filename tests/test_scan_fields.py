"""Issue 15: kept metadata fields on ``overlap scan``'s pair records, CSV tables and HTML.

Seeds written as JSONL with title, url and date fields, and VietnameseMDS articles with
their real titles, links and times (from the ``.info.txt`` files; skipped when absent).
Every expected value is computed here from the input rows, never from the scan.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, SEEDS
from overlap.corpus import scan
from overlap.html import scan_html
from overlap.sources import iter_documents

FIELDS = ("title", "url", "date")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "overlap", *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "NO_COLOR": "1"})


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def seed_rows() -> list[dict[str, Any]]:
    """The five seeds with fields: titles that need escaping, one unsafe url, dates that
    run backwards, one undated seed and two seeds with the same date."""
    rows: list[dict[str, Any]] = []
    for k, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        rows.append({"id": p.name[:3], "text": p.read_text(encoding="utf-8"),
                     "title": f'Seed {k} <script>alert("{k}")</script> & co', "url": f"https://news.test/{k}?a=1&b=2",
                     "date": f"2017-01-{20 - k:02d}T08:00:00+07:00"})
    rows[0]["date"] = None  # undated: never first published
    rows[4]["date"] = rows[2]["date"]  # same date as seed 2: neither is first
    rows[1]["url"] = "javascript:alert(1)"  # never linked
    return rows


def expected_first(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Who published first, from the rows: the earlier date, None unless both are dated
    and differ."""
    if not a["date"] or not b["date"]:
        return None
    da, db = datetime.fromisoformat(a["date"]), datetime.fromisoformat(b["date"])
    return None if da == db else (a["id"] if da < db else b["id"])


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    rows = seed_rows()
    return write_jsonl(tmp_path_factory.mktemp("fields") / "feed.jsonl", rows), {r["id"]: r for r in rows}


@pytest.fixture(scope="module")
def result(feed: tuple[Path, dict[str, dict[str, Any]]]) -> Any:
    return scan(iter_documents([feed[0]], keep_fields=FIELDS), workers=1, date_field="date")


def test_pair_records_carry_both_sides_fields_and_first_published(result: Any, feed: Any) -> None:
    _, by_id = feed
    pairs = result.to_dict()["pairs"]
    assert len(pairs) >= 3
    firsts = []
    for p in pairs:
        a, b = by_id[p["a"]], by_id[p["b"]]
        assert list(p)[:5] == ["a", "b", "fields_a", "fields_b", "first_published"]  # read first, beside the ids
        assert p["fields_a"] == {k: a[k] for k in FIELDS} and p["fields_b"] == {k: b[k] for k in FIELDS}
        assert p["first_published"] == expected_first(a, b)
        firsts.append(p["first_published"])
    # The three cases are exercised: a dated winner, an undated side, the same date.
    assert any(f is not None for f in firsts)
    assert any(p["a"] == "000" for p in pairs) and any({p["a"], p["b"]} == {"002", "004"} for p in pairs)
    # The JSON lines carry the same pair records; the library says the same per pair.
    assert [{k: v for k, v in r.items() if k != "type"} for r in result.records() if r["type"] == "pair"] == pairs
    assert [result.first_published(p) for p in result.pairs] == firsts
    assert result.document("003").fields == {k: by_id["003"][k] for k in FIELDS}
    with pytest.raises(KeyError):
        result.document("nope")


def test_csv_tables_carry_fields_and_quote_real_offsets(feed: Any) -> None:
    path, by_id = feed
    args = ("scan", str(path), "--keep-fields", "title,url", "--date-field", "date", "-q", "--workers", "1")
    got = json.loads(run(*args, "--json").stdout)
    r = run(*args, "--csv", "pairs")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    head = r.stdout.splitlines()[0].split(",")
    assert head[:9] == ["a", "b", "fields_a.title", "fields_a.url", "fields_a.date",
                        "fields_b.title", "fields_b.url", "fields_b.date", "first_published"]
    assert [(x["a"], x["b"]) for x in rows] == [(p["a"], p["b"]) for p in got["pairs"]]
    for x, p in zip(rows, got["pairs"]):
        for side in "ab":
            src = by_id[x[side]]
            assert x[f"fields_{side}.title"] == src["title"] and x[f"fields_{side}.url"] == src["url"]
            assert x[f"fields_{side}.date"] == (src["date"] or "")
        assert x["first_published"] == (expected_first(by_id[x["a"]], by_id[x["b"]]) or "")
        assert float(x["jaccard"]) == p["similarity"]["jaccard"] and x["link"] == p["link"]
        assert int(x["passages"]) == len(p["passages"]) and int(x["conflicts"]) == len(p["conflicts"])
        assert x["near_duplicate"] == ("true" if p["near_duplicate"] else "false")
    r = run(*args, "--csv", "conflicts")
    assert r.returncode == 0, r.stderr
    conflicts = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(conflicts) == sum(len(p["conflicts"]) for p in got["pairs"]) > 0
    for c in conflicts:
        assert c["fields_a.title"] == by_id[c["a"]]["title"] and c["fields_b.url"] == by_id[c["b"]]["url"]
        # Offsets are characters of the texts as given: they quote the conflicting values.
        assert by_id[c["a"]]["text"][int(c["a_start"]):int(c["a_end"])] == c["a_text"]
        assert by_id[c["b"]]["text"][int(c["b_start"]):int(c["b_end"])] == c["b_text"]


def test_html_names_documents_by_escaped_title_and_links_only_web_urls(result: Any, feed: Any) -> None:
    _, by_id = feed
    page = scan_html(result)
    linked = {d for p in result.pairs for d in (p.a, p.b)}
    for d in linked:
        escaped = f'Seed {int(d)} &lt;script&gt;alert(&quot;{int(d)}&quot;)&lt;/script&gt; &amp; co'
        assert f'<span title="{d}">{escaped}</span>' in page
    assert "<script>alert(" not in page
    assert 'href="https://news.test/2?a=1&amp;b=2"' in page
    assert "javascript:alert(1)" not in page  # seed 1's url is not a web url: its title is not linked
    # Each pair view with a dated winner names it, with its date (seed 1's title is unlinked).
    firsts = {f for p in result.pairs if (f := result.first_published(p)) is not None}
    assert firsts
    for f in firsts:
        d = int(f)
        name = f'<span title="{f}">Seed {d} &lt;script&gt;alert(&quot;{d}&quot;)&lt;/script&gt; &amp; co</span>'
        if f != "001":
            name = f'<a href="https://news.test/{d}?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">{name}</a>'
        assert f'first published: {name} ({by_id[f]["date"]})</p>' in page
    # Other field names, and a page without titles falls back to ids.
    assert "&lt;script&gt;" not in scan_html(result, title_field="headline", url_field="link")
    with pytest.raises(TypeError, match="title_field"):
        scan_html(result, title_field=None)  # type: ignore[arg-type]


def test_without_kept_fields_pair_records_and_tables_are_unchanged(feed: Any, result: Any) -> None:
    path, _ = feed
    plain = scan(iter_documents([path]), workers=1)
    assert [p.to_dict(plain.text(p.a)) for p in plain.pairs] == plain.to_dict()["pairs"]
    assert plain.csv_columns("pairs")[:3] == ["a", "b", "link"]
    assert plain.csv_columns("conflicts")[:3] == ["a", "b", "kind"]
    # The same findings as with fields: only the added keys differ.
    extra = ("fields_a", "fields_b", "first_published")
    assert [{k: v for k, v in p.items() if k not in extra} for p in result.to_dict()["pairs"]] == \
        plain.to_dict()["pairs"]
    assert 'href="http' not in scan_html(plain) and "<span title=" not in scan_html(plain)


def test_bad_csv_table_is_one_line() -> None:
    r = run("scan", str(SEEDS), "--csv", "authors", "-q")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--csv" in r.stderr


def _mds_rows(clusters: int) -> list[dict[str, Any]]:
    """The articles of the first ``clusters`` VietnameseMDS clusters, with the title, link
    and time (as ISO 8601) of their ``.info.txt``."""
    folder = DATA / "vietnamese_mds"
    if not folder.is_dir():
        pytest.skip(f"VietnameseMDS not found at {folder} (../shared/data); skipping")
    rows = []
    dirs = sorted((d for d in folder.iterdir() if d.is_dir()), key=lambda d: int(d.name.split("_")[1]))[:clusters]
    for d in dirs:
        for body in sorted(d.glob("*.body.txt")):
            info = dict(line.split(": ", 1) for line in body.with_name(body.name.replace(".body.", ".info."))
                        .read_text(encoding="utf-8").splitlines() if ": " in line)
            when = datetime.strptime(info["TIME"].strip(), "%d/%m/%Y %H:%M").isoformat()
            rows.append({"id": f"{d.name}/{body.name.split('.')[0]}", "text": body.read_text(encoding="utf-8"),
                         "title": info["TITLE"].strip(), "url": info["LINK"].strip(), "date": when})
    return rows


def test_real_articles_pairs_name_their_titles_and_who_published_first(tmp_path: Path) -> None:
    """Real news: every pair names both articles' titles and links, and the earlier one."""
    rows = _mds_rows(80)
    by_id = {r["id"]: r for r in rows}
    feed = write_jsonl(tmp_path / "mds.jsonl", rows)
    r = run("scan", str(feed), "--keep-fields", "title,url", "--date-field", "date", "--jsonl", "-q",
            "--html", str(tmp_path / "mds.html"))
    assert r.returncode == 0, r.stderr
    pairs = [json.loads(x) for x in r.stdout.splitlines() if '"type": "pair"' in x]
    assert len(pairs) >= 60
    for p in pairs:
        for side in "ab":
            src = by_id[p[side]]
            assert p[f"fields_{side}"] == {"title": src["title"], "url": src["url"], "date": src["date"]}
        assert p["first_published"] == expected_first(by_id[p["a"]], by_id[p["b"]])
    assert sum(p["first_published"] is not None for p in pairs) >= len(pairs) // 2
    page = (tmp_path / "mds.html").read_text(encoding="utf-8")
    from overlap.html_page import esc

    for p in pairs[:20]:
        assert f'<a href="{esc(by_id[p["a"]]["url"])}" target="_blank" rel="noopener noreferrer">' in page
