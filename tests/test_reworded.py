"""Opt-in reworded candidates in ``scan`` and the index (issue 13): sentence bags of
content units as passage windows / index keys, verified with the paraphrase stage.

Real text: the seeds, and PAN-13 training pairs of random obfuscation (03) and translation
obfuscation (04) mixed with the seeds (skipped with the reason when the shared data is
absent).  A hand-made English rewrite checks the mechanism on text small enough to read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from overlap.corpus import ScanOptions, scan
from overlap.corpus.reworded import MIN_UNITS, bag_keys, rows_for, unit_bags
from overlap.errors import ConfigError
from overlap.index import Index
from overlap.records import Document
from overlap.segment import sentences
from overlap.sources import iter_documents

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PAN = ROOT.parent / "shared" / "data" / "pan13-train"

ORIGINAL = (
    "The city council approved a new budget for public libraries on Tuesday evening. "
    "Funding for children's reading programmes will rise by twelve percent next year. "
    "Librarians had warned that several branches could close without extra money. "
    "The mayor praised the decision as an investment in the next generation of readers. "
    "Opposition members argued that road repairs should have come first."
)
REWORDED = (
    "On Tuesday evening, a new budget for the public libraries was approved by the city council. "
    "Next year, the reading programmes for children will see their funding rise twelve percent. "
    "Without the extra money, librarians had warned, several of the branches could close. "
    "Calling it an investment in the next generation of readers, the mayor praised the decision. "
    "Members of the opposition argued that repairs to roads should have come first."
)


def _docs(extra: list[Document]) -> list[Document]:
    return [*iter_documents([SEEDS]), *extra]


def _linked(res, a: str, b: str) -> bool:
    return any({p.a, p.b} == {a, b} and (p.passages or p.near_duplicate) for p in res.pairs)


def test_options_default_off_and_validated():
    o = ScanOptions()
    assert o.reworded is False and "reworded" not in o.to_dict()
    assert o.compare_options.paraphrase is None
    on = ScanOptions(reworded=True)
    assert on.to_dict()["reworded"] is True and on.to_dict()["reworded_threshold"] == 0.55
    assert on.compare_options.paraphrase is True
    bands = on.passage_bands[0]
    # The band threshold (1/b)^(1/r) lands nearest the asked Jaccard.
    assert abs((1 / bands) ** (1 / on.reworded_rows) - 0.55) < 0.05
    assert rows_for(0.9, bands) > rows_for(0.5, bands) > rows_for(0.2, bands)
    with pytest.raises(ConfigError, match="reworded must be True or False"):
        ScanOptions(reworded="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"reworded_threshold must be in \(0, 1\]"):
        ScanOptions(reworded_threshold=0.0)


def test_bags_of_a_rewrite_share_band_keys_and_unrelated_text_does_not():
    bags_a = unit_bags(ORIGINAL, sentences(ORIGINAL))
    bags_b = unit_bags(REWORDED, sentences(REWORDED))
    # Sentences of fewer than MIN_UNITS distinct stems make no window.
    assert 3 <= len(bags_a) < 5 and 3 <= len(bags_b) < 5
    assert all(len(b) >= MIN_UNITS and np.all(b[1:] > b[:-1]) for b in bags_a + bags_b)
    ka, kb = bag_keys(bags_a, 21, 4, seed=1), bag_keys(bags_b, 21, 4, seed=1)
    # Every window of the original shares a band key with a window of the rewrite.
    assert all(np.intersect1d(row, kb.ravel()).size for row in ka)
    seed = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
    other = bag_keys(unit_bags(seed, sentences(seed)), 21, 4, seed=1)
    assert not np.intersect1d(ka.ravel(), other.ravel()).size


def test_reworded_scan_links_a_rewrite_the_default_scan_misses():
    docs = _docs([Document("en/original", ORIGINAL), Document("en/reworded", REWORDED)])
    plain = scan(docs, workers=1)
    assert not _linked(plain, "en/original", "en/reworded")
    res = scan(docs, options=ScanOptions(reworded=True), workers=1)
    pair = next(p for p in res.pairs if {p.a, p.b} == {"en/original", "en/reworded"})
    assert pair.passages and not pair.near_duplicate
    # The rewrite is reported as one reworded passage over most of both texts.
    p = max(pair.passages, key=lambda q: q.a.end - q.a.start)
    assert p.a.end - p.a.start > 0.8 * len(ORIGINAL)
    assert p.verbatim < 0.6
    # The seeds' own findings are still there (reworded windows only add candidates).
    seed_links = {(q.a, q.b) for q in plain.pairs if q.passages or q.near_duplicate}
    assert seed_links <= {(q.a, q.b) for q in res.pairs if q.passages or q.near_duplicate}


def _pan_pairs(sub: str, count: int) -> list[tuple[str, str]]:
    if not PAN.is_dir():
        pytest.skip(f"needs the PAN-13 training corpus at {PAN} (shared evaluation data); not present")
    sys.path.insert(0, str(ROOT))
    from benchmarks.quality.pan13_train import load

    return load(sub, count, 0)


@pytest.mark.parametrize("sub", ["03-random-obfuscation", "04-translation-obfuscation"])
def test_pan_reworded_pairs_reach_verification(sub):
    """12 PAN pairs among the seeds: the default scan links about half (0.44 / 0.42 of 50 in
    the benchmark), the reworded scan at least 9 of 12 and never fewer than the default."""
    from benchmarks.quality.pan import read_text

    pairs = _pan_pairs(sub, 12)
    extra: dict[str, str] = {}
    for susp, src in pairs:
        extra.setdefault(susp, read_text(PAN / "susp" / susp))
        extra.setdefault(src, read_text(PAN / "src" / src))
    docs = _docs([Document(k, v) for k, v in extra.items()])
    plain = scan(docs, workers=2)
    res = scan(docs, options=ScanOptions(reworded=True), workers=2)
    before = sum(_linked(plain, a, b) for a, b in pairs)
    after = sum(_linked(res, a, b) for a, b in pairs)
    assert after >= 9 and after > before


def test_cli_reworded_flag(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "overlap", "scan", "--reworded", "--json", "-q", str(SEEDS)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["options"]["reworded"] is True and got["options"]["compare"]["paraphrase"] is True
    assert got["stats"]["passage_windows"] > json.loads(subprocess.run(
        [sys.executable, "-m", "overlap", "scan", "--json", "-q", str(SEEDS)],
        capture_output=True, text=True, timeout=300,
    ).stdout)["stats"]["passage_windows"]


def test_reworded_index_finds_a_rewrite_a_plain_index_misses(tmp_path):
    docs = _docs([Document("en/original", ORIGINAL)])
    plain = Index(tmp_path / "plain.db")
    plain.add(docs)
    assert not any(m.id == "en/original" and m.passages for m in plain.query(REWORDED))
    rw = Index(tmp_path / "rw.db", reworded=True)
    rw.add(docs)
    assert rw.reworded and rw.stats().to_dict()["reworded"] is True
    got = [m for m in rw.query(REWORDED) if m.id == "en/original"]
    assert got and got[0].passages
    # The seeds are found exactly as in a plain index (bags only add candidates).
    seed = docs[0].text
    assert [(m.id, m.jaccard) for m in rw.query(seed)] == [(m.id, m.jaccard) for m in plain.query(seed)]
    plain.close()
    rw.close()
    # The setting is fixed at creation, and files made without it stay readable.
    with pytest.raises(ConfigError, match="built with reworded=False, not True"):
        Index(tmp_path / "plain.db", reworded=True)
    with Index(tmp_path / "plain.db") as again:
        assert again.reworded is False
    with pytest.raises(ConfigError, match="reworded must be True, False or None"):
        Index(tmp_path / "x.db", reworded="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("sub", ["03-random-obfuscation", "04-translation-obfuscation"])
def test_pan_reworded_pairs_found_by_index_query(sub, tmp_path):
    """12 PAN pairs: sources indexed with the seeds, each suspicious text queried.  A plain
    index finds about a fifth of the sources with a passage (0.20 / 0.24 of 50 in the
    benchmark), a reworded one at least 8 of 12 and more than the plain one."""
    from benchmarks.quality.pan import read_text

    pairs = _pan_pairs(sub, 12)
    srcs = _docs([Document(src, read_text(PAN / "src" / src)) for src in sorted({s for _, s in pairs})])
    found = []
    for reworded in (False, True):
        with Index(tmp_path / f"{reworded}.db", reworded=reworded) as ix:
            ix.add(srcs)
            found.append(sum(
                any(m.id == src and m.passages for m in ix.query(read_text(PAN / "susp" / susp)))
                for susp, src in pairs
            ))
    assert found[1] >= 8 and found[1] > found[0]


def test_cli_index_add_reworded(tmp_path):
    (tmp_path / "original.txt").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "rewrite.txt").write_text(REWORDED, encoding="utf-8")
    db = str(tmp_path / "ix.db")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "overlap", "index", *args], capture_output=True, text=True, timeout=300)

    assert run("add", "--reworded", db, str(tmp_path / "original.txt")).returncode == 0
    assert json.loads(run("stats", "--json", db).stdout)["reworded"] is True
    assert "reworded           True" in run("stats", db).stdout
    q = run("query", "--json", db, str(tmp_path / "rewrite.txt"))
    assert q.returncode == 0, q.stderr
    matches = json.loads(q.stdout)["queries"][0]["matches"]
    assert [m["id"].endswith("original.txt") for m in matches] == [True] and matches[0]["passages"]
