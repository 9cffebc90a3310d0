"""``benchmarks.common.replace_sections``: generated tables replaced in place, hand-written sections kept."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import replace_sections  # noqa: E402


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {p.split(".")[0]: "### " + p for p in parts}


def test_replacing_the_results_file_keeps_every_other_section(tmp_path: Path) -> None:
    path = tmp_path / "speed.md"
    shutil.copy(ROOT / "benchmarks" / "results" / "speed.md", path)
    before = _sections(path.read_text(encoding="utf-8"))
    assert {"1", "2h", "4", "4b", "5b"} <= set(before)  # generated and hand-written ones
    replace_sections(path, [("4b. Estimation error on short texts (num_perm = 128)", "new body\n\n| a |\n|---|\n| 1 |"),
                            ("7. A new table", "appended")], header="unused")
    after = _sections(path.read_text(encoding="utf-8"))
    assert list(after) == list(before) + ["7"]  # same order, the new one last
    assert after["4b"] == "### 4b. Estimation error on short texts (num_perm = 128)\n\nnew body\n\n| a |\n|---|\n| 1 |\n\n"
    assert after["7"].rstrip("\n") == "### 7. A new table\n\nappended"
    for number, text in before.items():
        if number != "4b":
            assert after[number].rstrip("\n") == text.rstrip("\n"), number  # 2h, 5b... untouched
    # Writing the same sections again changes nothing.
    once = path.read_text(encoding="utf-8")
    replace_sections(path, [("7. A new table", "appended")], header="unused")
    assert path.read_text(encoding="utf-8") == once


def test_a_missing_file_starts_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    replace_sections(path, [("1. One", "body one"), ("2. Two", "body two")], header="# Title\n\nMachine: x")
    assert path.read_text(encoding="utf-8") == "# Title\n\nMachine: x\n\n### 1. One\n\nbody one\n\n### 2. Two\n\nbody two\n"
