"""``render_scan`` names documents by their kept title, short and aligned; without one, by id as before.

The seeds go through a JSONL feed built here with invented titles: seeds 000 and 002 (in
the same story) share a long title, seed 001's is long and in wide (CJK) characters with
a terminal escape in it, and every seed has a short ``headline``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import SEEDS
from overlap.corpus import scan
from overlap.report import make_console, render_scan
from overlap.sources import iter_documents

SHARED = "Talks in Geneva end without a breakthrough after eight hours"
WIDE = "日内瓦会谈结束双方同意继续对话并交换安全提案\x1b[2J"


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows: list[dict[str, Any]] = []
    for k, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        title = {0: SHARED, 1: WIDE, 2: SHARED}.get(k, f"Other seed {k}")
        rows.append({"id": p.name[:3], "text": p.read_text(encoding="utf-8"), "title": title,
                     "headline": f"Seed {k}", "url": f"https://news.test/{k}"})
    path = tmp_path_factory.mktemp("titles") / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def titled(feed: Path) -> Any:
    return scan(iter_documents([feed], keep_fields=["title", "headline", "url"]), workers=1)


def render(result: Any, width: int, **kw: Any) -> str:
    buf = io.StringIO()
    render_scan(result, console=make_console(file=buf, width=width), **kw)
    return buf.getvalue()


def evidence_rows(out: str) -> list[tuple[str, str, int]]:
    """``(a, b, cell column where "passage" starts)`` of each row of the evidence table."""
    rows = []
    for line in out.splitlines():
        m = re.match(r"  (\S.*?)\s{2,}(\S.*?)\s{2,}passage\s", line)
        if m:
            rows.append((m.group(1), m.group(2), cell_len(line[: m.end() - len("passage ")])))
    return rows


def test_without_a_title_field_the_report_is_unchanged(feed: Path, titled: Any) -> None:
    plain = scan(iter_documents([feed], keep_fields=["url"]), workers=1)
    bare = scan(iter_documents([feed]), workers=1)
    for width in (80, 120):
        want = render(bare, width)
        assert render(plain, width) == want  # kept fields but no title: ids, byte for byte
        assert render(titled, width, title_field="nosuch") == want
        assert re.search(r"^  000\s+002\s+passage", want, re.M)


@pytest.mark.parametrize("width", [80, 120, 200])
def test_titles_name_documents_short_and_aligned(titled: Any, width: int) -> None:
    out = render(titled, width)
    assert all(cell_len(line) <= width for line in out.splitlines())
    rows = evidence_rows(out)
    assert len(rows) == 3
    # Every row's link column starts at the same cell: long and wide titles never push it.
    assert len({col for _, _, col in rows}) == 1
    names = {n for a, b, _ in rows for n in (a, b)}
    limit = min(24, max(12, min(32, (width - 44) // 2)))
    assert all(cell_len(n) <= limit for n in names)
    # The shared title is cut and told apart by id; the wide one is cut whole-character.
    shared = {n for n in names if n.endswith((" (000)", " (002)"))}
    assert len(shared) == 2 and all(SHARED.startswith(n[: -len(" (000)")].rstrip("…")) for n in shared)
    assert all(n[: -len(" (000)")].endswith("…") for n in shared)
    (wide,) = names - shared
    assert wide.endswith("…") and WIDE.startswith(wide[:-1]) and limit - 1 <= cell_len(wide) <= limit
    assert "\x1b[2J" not in out and "\x1b" not in out
    # The members line maps each title to its id; conflicts name documents the same way.
    members = next(line for line in out.splitlines() if line.startswith("members: "))
    assert members.count(" (000)") == members.count(" (001)") == members.count(" (002)") == 1
    conflict_lines = [line for line in out.splitlines() if line.startswith("  spelling ")]
    assert len(conflict_lines) == 2 and all(f"{wide} 189–203" in line for line in conflict_lines)


def test_short_titles_are_shown_whole(titled: Any) -> None:
    out = render(titled, 120, title_field="headline")
    assert {(a, b) for a, b, _ in evidence_rows(out)} == {("Seed 0", "Seed 2"), ("Seed 1", "Seed 2"),
                                                          ("Seed 0", "Seed 1")}
    assert "members: Seed 0 (000), Seed 1 (001), Seed 2 (002)" in out
    with pytest.raises(TypeError, match="title_field"):
        render(titled, 120, title_field=None)


def test_cli_scan_report_uses_kept_titles(feed: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "overlap", "scan", str(feed), "-q", "--workers", "1", "--width", "120"]
    r = subprocess.run([*cmd, "--keep-fields", "title,url"], capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stderr
    assert len(evidence_rows(r.stdout)) == 3 and "Talks in Geneva" in r.stdout and "(002)" in r.stdout
    r2 = subprocess.run([*cmd, "--keep-fields", "url"], capture_output=True, text=True, timeout=180, env=env)
    assert r2.returncode == 0 and "Talks in Geneva" not in r2.stdout
    assert {(a, b) for a, b, _ in evidence_rows(r2.stdout)} == {("000", "002"), ("001", "002"), ("000", "001")}
