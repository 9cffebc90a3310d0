"""The Spark engine gives the local engine's result: seeds, real articles, every input path.

Spark runs in local mode (``local[2]``) in one session shared by the module (log level
ERROR, two shuffle partitions); start-up costs about 10 s and each scan about 8 s of job
latency, so the cases are few and each checks several things.  Cluster membership comes
from the distributed connected components (large-star/small-star), checked here against
the local union-find on real links and on long chains.  Skipped with the reason when
PySpark or Java 17+ is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from overlap.errors import ConfigError, InputError
from overlap.records import Document
from overlap.corpus import scan
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

    session = spark_session("local[2]", config={
        "spark.default.parallelism": "2", "spark.sql.shuffle.partitions": "2", "spark.driver.memory": "1g",
    })
    yield session
    session.stop()


@pytest.fixture(scope="module")
def baomoi_feed(tmp_path_factory):
    """300 real articles as JSONL (written once for the module)."""
    files = sorted(BAOMOI.glob("*.txt"))[:300] if BAOMOI.is_dir() else []
    if len(files) < 300:
        pytest.skip(f"needs 300 articles in {BAOMOI} (the shared evaluation data); not present")
    feed = tmp_path_factory.mktemp("baomoi") / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as f:
        for path in files:
            f.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
    return feed


def _components(spark, edges, partitions=2):
    """``{node: smallest node of its component}`` and the changes per round, from ``_star_components``."""
    from overlap.corpus.spark_components import star_components as _star_components

    stars, changes = _star_components(spark.sparkContext.parallelize(edges, 2), partitions)
    leaves = stars.collect()
    stars.unpersist()
    got = dict(leaves)
    assert len(got) == len(leaves)  # one edge per non-root node
    got.update({root: root for root in got.values()})
    return got, changes


def _union_find(edges, n):
    """The local engine's clustering of the same edges: ``{node: smallest member}``."""
    from overlap.cluster import UnionFind

    uf = UnionFind(n)
    for a, b in edges:
        uf.union(a, b)
    return {m: g[0] for g in uf.groups() for m in g}


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


def test_real_articles_jsonl_identical_to_local(spark, baomoi_feed, tmp_path):
    from overlap.spark import scan_spark

    out = tmp_path / "out.jsonl"
    diag: dict = {}
    got = scan_spark(str(baomoi_feed), spark=spark, partitions=3, output=out, fmt="jsonl", diagnostics=diag)
    want = scan(iter_documents([baomoi_feed]), workers=2)
    assert got.to_dict() == want.to_dict()
    # Clusters, passages, conflicts and same-event links all occur in this slice.
    assert len(got.story_clusters) >= 5
    assert sum(len(p.passages) for p in got.pairs) > 50
    assert any(p.conflicts for p in got.pairs)
    assert any(p.same_event is not None for p in got.pairs)
    # Membership came from the distributed components, run to a fixed point.
    assert diag["budgeted"] is False
    assert diag["component_rounds"] >= 2 and diag["component_changes"][-1] == 0
    assert diag["story_edges"] == sum(1 for p in want.pairs if p.link != "boilerplate")
    # The JSONL written equals the local engine's --jsonl stream, line for line.
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == list(want.records())


def test_include_exclude_globs_identical_to_local(spark, tmp_path):
    """Issue 15: directory globs choose the same files on both engines (a VietnameseMDS-like
    folder whose ``.info.txt`` metadata files are not articles)."""
    import shutil

    from overlap.spark import scan_spark

    root = tmp_path / "corpus"
    for k, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        sub = root / f"cluster_{k % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, sub / p.name)
        (sub / f"{p.stem}.info.txt").write_text(f"source: outlet {k}\ndate: 2022-01-1{k}\n", encoding="utf-8")
    want = scan(iter_documents([root], exclude=["*.info.txt"]), workers=1)
    got = scan_spark([str(root)], spark=spark, exclude=["*.info.txt"], partitions=2)
    assert json.dumps(got.to_dict(), ensure_ascii=False) == json.dumps(want.to_dict(), ensure_ascii=False)
    assert len(got.documents) == 5 and not any(d.id.endswith(".info.txt") for d in got.documents)
    only = scan_spark([str(root)], spark=spark, include=["*/*.info.txt"], partitions=2)
    assert sorted(d.id for d in only.documents) == sorted(
        d.id for d in iter_documents([root], include=["*/*.info.txt"])
    ) and len(only.documents) == 5
    with pytest.raises(InputError, match=r"no files matching --include/--exclude in this directory"):
        scan_spark([str(root)], spark=spark, include=["*.pdf"])


def test_reworded_windows_identical_to_local(spark, baomoi_feed):
    """Issue 13: the opt-in reworded windows ride in the passage-window keys, so Spark
    finds and verifies the same extra pairs as the local engine."""
    from overlap.corpus import ScanOptions
    from overlap.spark import scan_spark

    opts = ScanOptions(reworded=True)
    got = scan_spark(str(baomoi_feed), spark=spark, options=opts, partitions=3)
    want = scan(iter_documents([baomoi_feed]), options=opts, workers=2)
    assert got.to_dict() == want.to_dict()
    plain = scan(iter_documents([baomoi_feed]), workers=2)
    # Not vacuous: the bags add windows and candidates on these articles.
    assert want.stats.passage_windows > plain.stats.passage_windows
    assert want.stats.passage_candidates > plain.stats.passage_candidates


def test_components_of_real_links_equal_local_union_find(spark, baomoi_feed):
    want = scan(iter_documents([baomoi_feed]), workers=2)
    pos = {d.id: i for i, d in enumerate(want.documents)}
    story = [(pos[p.a], pos[p.b]) for p in want.pairs if p.link != "boilerplate"]
    dup = [(pos[p.a], pos[p.b]) for p in want.pairs if p.near_duplicate]
    assert len(story) > 50 and dup
    n = len(want.documents)
    for edges in (story, dup):
        got, changes = _components(spark, edges)
        assert got == _union_find(edges, n)
        assert changes[-1] == 0
    # The near-duplicate clusters the scan reports are exactly these components (stories
    # are not: overlap.stories keeps weak links from chaining them).
    got, _ = _components(spark, dup)
    groups: dict[int, list[str]] = {}
    for node in sorted(got):
        groups.setdefault(got[node], []).append(want.documents[node].id)
    assert sorted(groups.values()) == sorted(list(c.members) for c in want.near_duplicate_clusters)


def test_components_need_many_rounds_on_long_chains(spark):
    import random

    # A path of 200 nodes under shuffled labels (the stars need several rounds to
    # collapse it), stars pointing both ways, short chains, and a chain numbered
    # downwards that shares nodes with the rest (components merge).
    rng = random.Random(7)
    label = list(range(1000))
    rng.shuffle(label)
    edges = [(label[i], label[i + 1]) for i in range(199)]
    edges += [(label[300], label[300 + k]) for k in range(1, 25)]
    edges += [(label[400 + k], label[400]) for k in range(1, 10)]
    edges += [(label[500 + k], label[500 + k + 1]) for k in range(0, 8, 2)] + [(label[501], label[502])]
    edges += [(999 - k, 998 - k) for k in range(60)]
    edges += [(5, 5), (label[10], label[11])]  # a self-loop and a repeated edge are harmless
    rng.shuffle(edges)
    got, changes = _components(spark, edges, partitions=3)
    want = _union_find(edges, 1000)
    assert got == want
    assert len(set(want.values())) >= 3
    assert len(changes) >= 5 and changes[-1] == 0 and all(c > 0 for c in changes[:-1])
    assert _components(spark, [])[0] == {}


def test_dataframe_input_parquet_output_and_compare_budget(spark, tmp_path):
    from overlap.spark import scan_spark

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    df = spark.createDataFrame([(t, i) for i, t in texts], ["body", "key"])
    # max_compares below the candidates: the local engine's Kruskal-order budget, with
    # the remaining near-duplicate candidates linked on their estimate.
    diag: dict = {}
    got = scan_spark(df, spark=spark, id_col="key", text_col="body", output=tmp_path / "out", partitions=2,
                     max_compares=2, diagnostics=diag)
    want = scan([Document(i, t, f"dataframe:row{n + 1}") for n, (i, t) in enumerate(texts)], workers=1,
                max_compares=2)
    assert got.to_dict() == want.to_dict()
    assert diag["budgeted"] is True and got.stats.compared <= 2 < got.stats.passage_candidates
    assert got.story_clusters
    pairs = spark.read.parquet(str(tmp_path / "out" / "pair")).orderBy("a", "b").collect()
    assert [(r.a, r.b, r.link) for r in pairs] == sorted((p.a, p.b, p.link) for p in want.pairs)
    docs = spark.read.parquet(str(tmp_path / "out" / "document")).collect()
    assert sorted(r.id for r in docs) == sorted(i for i, _ in texts)


def test_origins_from_a_dataframe_column_or_documents_identical_to_local(spark):
    """Issue 12: the whole ``to_dict()`` JSON, origins included, equals the local engine's
    on the same documents, given as a DataFrame with an origin column or as ``Document``s."""
    from overlap.spark import scan_spark

    docs = list(iter_documents([SEEDS]))
    want = json.dumps(scan(docs, workers=1).to_dict(), ensure_ascii=False)
    df = spark.createDataFrame([(d.id, d.text, d.origin) for d in docs], ["id", "text", "origin"])
    from_df = scan_spark(df, spark=spark, origin_col="origin", partitions=2)
    assert json.dumps(from_df.to_dict(), ensure_ascii=False) == want
    # The local reader's origins of text files: their absolute paths, not row numbers.
    assert [d.origin for d in from_df.documents] == [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    from_docs = scan_spark(docs, spark=spark, partitions=2)
    assert json.dumps(from_docs.to_dict(), ensure_ascii=False) == want
    with pytest.raises(InputError, match=r"^DataFrame has no column 'path' \(columns: id, text, origin\)"):
        scan_spark(df, spark=spark, origin_col="path")
    with pytest.raises(ConfigError, match="item 1 is a str"):
        scan_spark([docs[0], "seeds"], spark=spark)


def test_keep_fields_and_date_field_identical_to_local(spark, tmp_path):
    """Issue 15: kept record fields and the first-published member are the local
    engine's, from JSONL read on the executors and from a DataFrame's columns."""
    from overlap.spark import scan_spark

    seeds = sorted(SEEDS.glob("*.txt"))
    rows = [{"id": p.name[:3], "text": p.read_text(encoding="utf-8"), "title": f"T{k}", "n": k,
             "date": f"2017-01-{20 - k:02d}"} for k, p in enumerate(seeds)]
    rows[1].pop("title")  # a record without a kept field: None, as the local reader gives
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    want = scan(iter_documents([feed], keep_fields=["title", "n", "date"]), workers=1, date_field="date")
    got = scan_spark(str(feed), spark=spark, partitions=2, keep_fields=["title", "n"], date_field="date")
    assert json.dumps(got.to_dict(), ensure_ascii=False) == json.dumps(want.to_dict(), ensure_ascii=False)
    assert list(got.records()) == list(want.records())
    story = want.story_clusters[0]
    assert want.first_published(story) == story.members[-1]  # dates run backwards
    # Pair records and CSV rows name both sides' fields and the earlier side, as local.
    by_id = {r["id"]: r for r in rows}
    pairs = got.to_dict()["pairs"]
    assert pairs and all(p["fields_b"]["n"] == by_id[p["b"]]["n"] and p["first_published"] == max(p["a"], p["b"])
                         for p in pairs)
    assert list(got.pair_rows()) == list(want.pair_rows()) and list(got.conflict_rows()) == list(want.conflict_rows())
    assert want.documents[1].fields == {"title": None, "n": 1, "date": "2017-01-19"}
    df = spark.createDataFrame([(r["id"], r["text"], r.get("title"), r["n"], r["date"]) for r in rows],
                               ["id", "text", "title", "n", "date"])
    from_df = scan_spark(df, spark=spark, partitions=2, keep_fields=["title", "n", "date"], date_field="date")
    assert [d.fields for d in from_df.documents] == [d.fields for d in want.documents]
    assert [from_df.first_published(c) for c in from_df.story_clusters] == [
        want.first_published(c) for c in want.story_clusters]


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


def test_text_of_unlinked_documents_as_local(spark, monkeypatch):
    """``text(id)`` of a Spark result works for a document in no pair, as the local
    engine's does (it used to raise KeyError); an id never scanned is a KeyError in both."""
    from overlap.spark import scan_spark

    monkeypatch.chdir(ROOT)
    got = scan_spark(["seeds"], spark=spark, partitions=2)
    want = _local(["seeds"])
    linked = {x for p in got.pairs for x in (p.a, p.b)}
    unlinked = [d.id for d in got.documents if d.id not in linked]
    assert unlinked and linked  # both kinds occur in the seeds
    for d in got.documents:
        assert got.text(d.id) == want.text(d.id) == (ROOT / d.id).read_text(encoding="utf-8")
    for result in (got, want):
        with pytest.raises(KeyError):
            result.text("no such document")


def test_log_configuration_is_private_to_the_process(spark, tmp_path):
    """The log4j file Spark is given lives in a fresh 0700 directory of this process, not
    at a fixed name in the shared temporary directory where another user could plant one."""
    import os
    import re
    import stat
    import tempfile

    opts = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")
    path = Path(re.search(r"-Dlog4j2\.configurationFile=file:(\S+)", opts).group(1))
    assert path.is_file() and "rootLogger.level = error" in path.read_text(encoding="utf-8")
    assert path != Path(tempfile.gettempdir()) / "overlap-spark-log4j2.properties"
    folder = path.parent
    assert folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("overlap-spark-")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700 and os.stat(folder).st_uid == os.getuid()
