"""``overlap dedup --engine spark``: the same kept set, removals and output as local, in ``local[2]``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from overlap.dedup_io import dedup_files
from overlap.deduplication import DedupOptions
from overlap.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
BAOMOI = ROOT.parent / "shared" / "data" / "baomoi"


@pytest.fixture(scope="module")
def spark():
    from overlap.spark import check_requirements

    try:
        check_requirements()
    except ConfigError as e:
        pytest.skip(f"Spark engine not testable here: {e}")
    from overlap.spark import spark_session

    session = spark_session("local[2]", config={"spark.default.parallelism": "2", "spark.driver.memory": "1g"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory, seeds: dict[int, str]) -> Path:
    """Real articles as JSONL with republications made from them: 1,500 Baomoi articles
    (natural republications included) when the shared data is present, else the seeds;
    plus an exact copy, a near copy and a date per record."""
    files = sorted(BAOMOI.glob("*.txt"))[:1500] if BAOMOI.is_dir() else []
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in files] or [(f"seed{n}", t) for n, t in seeds.items()]
    first, second = texts[0][1], texts[1][1]
    texts += [("copy0", first.upper()), ("near1", second[: int(len(second) * 0.9)])]
    path = tmp_path_factory.mktemp("dedup_spark") / "feed.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for n, (i, t) in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t, "date": f"2017-{1 + n % 12:02d}-{1 + n % 28:02d}",
                                "title": t.split("\n", 1)[0][:60]}, ensure_ascii=False) + "\n")
    return path


def test_spark_kept_set_equals_local(spark, feed: Path, tmp_path: Path) -> None:
    results = {}
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.jsonl"
        results[engine] = dedup_files(
            [str(feed)], str(out), options=DedupOptions(threshold=0.8), date_field="date", keep_fields=["title"],
            engine=engine, spark=spark if engine == "spark" else None, save_signatures=str(tmp_path / f"{engine}-sigs"),
        )
    local, remote = results["local"], results["spark"]
    assert local.removed, "the feed holds copies: something must be removed"
    assert {("copy0",), ("near1",)} <= {(r.id,) for r in local.removed}
    assert remote.kept == local.kept
    assert remote.to_dict() == local.to_dict()
    assert [r.to_dict() for r in remote.removed] == [r.to_dict() for r in local.removed]
    assert (tmp_path / "spark.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    for name in ("signatures", "shingles", "exact"):  # the saved stores too, array for array
        a = (tmp_path / "local-sigs" / f"{name}.npy").read_bytes()
        assert (tmp_path / "spark-sigs" / f"{name}.npy").read_bytes() == a, name


def test_cli_engine_spark(feed: Path, tmp_path: Path) -> None:
    from overlap.spark import check_requirements

    try:
        check_requirements()
    except ConfigError as e:
        pytest.skip(f"Spark engine not testable here: {e}")
    runs = {}
    for engine in ("local", "spark"):
        r = subprocess.run(
            [sys.executable, "-m", "overlap", "dedup", str(feed), "--removed", "-", "-q",
             "--engine", engine, "--master", "local[2]"],
            capture_output=True, text=True, timeout=600,
        )
        assert r.returncode == 0, r.stderr
        runs[engine] = r.stdout
    assert runs["spark"] == runs["local"] and runs["local"].count("\n") >= 2
