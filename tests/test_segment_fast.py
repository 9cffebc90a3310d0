"""The compiled sentence splitter (``overlap.segment_fast``) gives ``segment.sentences``'s
spans on real news, English essays, edge cases and random text."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given

from kernel_cases import RANDOM_RUNS, random_texts, real_texts
from overlap.segment import sentences
from overlap.segment_fast import sentence_rows

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba not installed")

EDGE = [
    "", "a", ".", "...", " \n ", "Mr. Smith went. He left.", "U.S. troops left. Then", "J. K. Rowling. Xa",
    "TP. HCM. Hà Nội", "line one\nnext line lower", "a.\n\nb", "end... \"Quote\" next. \"Quote\" Next",
    "x. - y", "x. -- Y", "x. (a) b", "x. «Y» z", "x.\u2028Y", "a\r\nb\r\n\r\nc", "gđ. Xa", "GĐ. Xa", "İ. Xa",
    "approx. X", "..  X", "word .X", "a 1. 2. 3. B", "Giá 7,5. 100.000 đồng! Vậy? Đúng… thế", "Ông A.\nB. C",
    "tab.\tX\u00a0Y.\u3000Z。Ｘ！Ｙ？Ｚ", "hard\nwrapped line\nand another one.\nNew para", "x" * 50 + ". Y",
    "abc" + "." * 300 + " Y", "Q. Đây là. PGS.TS. Nguyễn. ths.bs. Lan", "_. X a_. Y 1_. Z",
    "a. " * 200, "A.\n" * 200, "a\n" * 200,  # as many sentences as characters allow
]


def _same(texts: list[str]) -> None:
    got = sentence_rows(texts)
    assert got is not None and len(got) == len(texts)
    for t, rows in zip(texts, got):
        assert rows.dtype.name == "int32" and rows.shape[1:] == (2,)
        assert rows.tolist() == [[s.start, s.end] for s in sentences(t)], t[:80]


@pytest.fixture(autouse=True)
def _compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "1")


def test_edge_cases_and_seeds() -> None:
    texts = EDGE + [p.read_text(encoding="utf-8") for p in SEEDS]
    texts += [unicodedata.normalize("NFD", t) for t in texts] + [t.upper() for t in texts] + [t.lower() for t in texts]
    _same(texts)


def test_real_news_and_essays(data_dir: Path) -> None:
    _same(real_texts(data_dir))


@RANDOM_RUNS
@given(random_texts(".!?…。\"'”’»)]“‘«([-–— \n\r\t\u2028\x85aAbZđĐİ1_:;|"))
def test_random_text(texts: list[str]) -> None:
    _same(texts)


def test_without_compiled_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "0")
    assert sentence_rows(["Một. Hai."]) is None
