"""The Spark engine gives the local engine's result: seeds, real articles, every input path.

Spark runs in local mode (``local[2]``) in one session shared by the module; start-up
costs about 6 s and each scan about 8 s of job latency, so the cases are few and each
checks several things.  Skipped with the reason when PySpark or Java 17+ is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from overlap.errors import ConfigError, InputError
from overlap.records import Document
from overlap.scan import scan
from overlap.sources import iter_documents

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BAOMOI = ROOT.parent / "shared" / "data" / "baomoi"


def _requirements_problem() -> str | None:
    from overlap.spark import check_requirements

    try:
        check_requirements()
    except ConfigError as e:
        return str(e)
    return None


@pytest.fixture(scope="module")
def spark():
    problem = _requirements_problem()
    if problem:
        pytest.skip(f"Spark engine not testable here: {problem}")
    from overlap.spark import spark_session

    session = spark_session("local[2]", config={"spark.default.parallelism": "2", "spark.driver.memory": "1g"})
    yield session
    session.stop()


def _local(paths, **kw):
    return scan(iter_documents(paths), workers=1, **kw)


def test_seeds_directory_identical_to_local(spark, monkeypatch):
    from overlap.spark import scan_spark

    monkeypatch.chdir(ROOT)  # ids are paths as typed, as the local reader gives them
    got = scan_spark(["seeds"], spark=spark, partitions=2)
    want = _local(["seeds"])
    assert got.to_dict() == want.to_dict()
    # Not vacuous: the seeds have a story with a passage link and a Fomin/Phomin variant.
    assert got.story_clusters and any(p.passages for p in got.pairs)
    assert got.name_variants
    assert [d.id for d in got.documents] == sorted(str(p.relative_to(ROOT)) for p in SEEDS.glob("*.txt"))


def test_real_articles_jsonl_identical_to_local(spark, tmp_path):
    from overlap.spark import scan_spark

    files = sorted(BAOMOI.glob("*.txt"))[:300] if BAOMOI.is_dir() else []
    if len(files) < 300:
        pytest.skip(f"needs 300 articles in {BAOMOI} (the shared evaluation data); not present")
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as f:
        for path in files:
            f.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    got = scan_spark(str(feed), spark=spark, partitions=3, output=out, fmt="jsonl")
    want = scan(iter_documents([feed]), workers=2)
    assert got.to_dict() == want.to_dict()
    # Clusters, passages, conflicts and same-event links all occur in this slice.
    assert len(got.story_clusters) >= 5
    assert sum(len(p.passages) for p in got.pairs) > 50
    assert any(p.conflicts for p in got.pairs)
    assert any(p.same_event is not None for p in got.pairs)
    # The JSONL written equals the local engine's --jsonl stream, line for line.
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == list(want.records())


def test_dataframe_input_and_parquet_output(spark, tmp_path):
    from overlap.spark import scan_spark

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    df = spark.createDataFrame([(t, i) for i, t in texts], ["body", "key"])
    got = scan_spark(df, spark=spark, id_col="key", text_col="body", output=tmp_path / "out", partitions=2)
    want = scan([Document(i, t, f"dataframe:row{n + 1}") for n, (i, t) in enumerate(texts)], workers=1)
    assert got.to_dict() == want.to_dict()
    pairs = spark.read.parquet(str(tmp_path / "out" / "pair")).orderBy("a", "b").collect()
    assert [(r.a, r.b, r.link) for r in pairs] == sorted((p.a, p.b, p.link) for p in want.pairs)
    docs = spark.read.parquet(str(tmp_path / "out" / "document")).collect()
    assert sorted(r.id for r in docs) == sorted(i for i, _ in texts)


def test_bad_record_and_duplicate_id_errors_match_local(spark, tmp_path):
    from overlap.spark import scan_spark

    feed = tmp_path / "bad.jsonl"
    feed.write_text('{"id": "a", "text": "Một hai ba."}\n\n{"id": "b", "text": 7}\n{"id": "c"\n', encoding="utf-8")
    with pytest.raises(InputError) as local:
        _local([feed])
    with pytest.raises(InputError) as remote:
        scan_spark(str(feed), spark=spark, partitions=2)
    assert str(remote.value) == str(local.value)
    assert str(remote.value).endswith(":3: field 'text' must be a string, got int")

    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "a", "text": "Một hai ba."}\n{"id": "a", "text": "Bốn năm sáu."}\n', encoding="utf-8")
    with pytest.raises(InputError) as local:
        _local([dup])
    with pytest.raises(InputError) as remote:
        scan_spark(str(dup), spark=spark, partitions=2)
    assert str(remote.value) == str(local.value)


def test_missing_pyspark_is_one_line_with_the_install_command(monkeypatch):
    from overlap.spark import check_requirements

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    with pytest.raises(ConfigError) as e:
        check_requirements()
    assert str(e.value) == "the Spark engine needs PySpark: pip install 'overlap[spark]'"


def test_missing_java_is_one_line_with_the_install_command(monkeypatch, tmp_path):
    pytest.importorskip("pyspark", reason="PySpark not installed: pip install 'overlap[spark]'")
    from overlap.spark import check_requirements

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java on PATH
    with pytest.raises(ConfigError) as e:
        check_requirements()
    msg = str(e.value)
    assert "\n" not in msg and "Java 17+" in msg and "apt-get install openjdk-17-jre-headless" in msg


def test_cli_engine_spark_without_java_prints_one_line(monkeypatch, tmp_path, capsys):
    pytest.importorskip("pyspark", reason="PySpark not installed: pip install 'overlap[spark]'")
    from overlap.cli import main

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    rc = main(["scan", "--engine", "spark", "--master", "local[1]", str(SEEDS)])
    err = capsys.readouterr().err
    assert rc != 0
    assert err.splitlines() == [
        "overlap: the Spark engine needs Java 17+ (set JAVA_HOME or put java on PATH): "
        "apt-get install openjdk-17-jre-headless"
    ]
