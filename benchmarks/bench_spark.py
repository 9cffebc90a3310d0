"""Local engine vs Spark engine (``local[2]``): stage times, shuffle sizes, and a paper estimate.

``bench_spark(sizes=(10_000, 100_000), repeat=1) -> dict``: for each size, the documents of
``common.scaled_corpus(n)`` (real baomoi articles, then edited republications) are
scanned by ``overlap.scan`` (2 workers) and by ``overlap.spark.scan_spark`` on
``local[2]`` (one warm session; its start-up is reported apart).  Both results must be
identical (``to_dict()``); per-stage seconds come from ``ScanStats.timings``.  Spark's
shuffle bytes are read from its status REST API (the UI is on for this run only), summed
per call site of ``overlap/spark.py``.

``estimate(measured, docs=100_000_000, nodes=50, cores=8, price=...) -> list[dict]``:
the cluster estimate, stage by stage, from the measured per-document and per-pair costs
and shuffle bytes per document, assuming linear scaling (stated in the table).

``python -m benchmarks.bench_spark [sizes...]`` writes ``benchmarks/results/spark.md``
and ``spark.csv``.  Timings on a shared 2-core machine: best of ``repeat`` runs.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.request
from collections import defaultdict

from benchmarks.common import RESULTS, machine, markdown_table, scaled_corpus, write_csv

_PRICE_NODE_HOUR = 0.40  # USD, on-demand 8 vCPU / 32 GB (e.g. AWS m6i.2xlarge ~0.38, GCP n2-standard-8 ~0.39)


def _shuffle_by_site(spark) -> dict[str, int]:
    """Shuffle write bytes per ``spark.py`` line, from the status REST API."""
    url = spark.sparkContext.uiWebUrl
    if not url:
        return {}
    app = spark.sparkContext.applicationId
    try:
        with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/stages?status=complete", timeout=30) as r:
            stages = json.load(r)
    except OSError:
        return {}
    out: dict[str, int] = defaultdict(int)
    for st in stages:
        m = re.search(r"spark\.py:(\d+)", st.get("name", "") + " " + st.get("details", ""))
        site = f"{st['name'].split(' at ')[0]} (spark.py:{m.group(1)})" if m else st.get("name", "?")
        out[site] += int(st.get("shuffleWriteBytes", 0))
    return dict(out)


def _site_stage(site: str) -> str:
    """Which scan stage a shuffle belongs to, from the ``# ---- N:`` comment above its source line."""
    import inspect

    from overlap import spark as mod

    m = re.search(r"spark\.py:(\d+)", site)
    if not m:
        return "other"
    lines = inspect.getsource(mod).splitlines()
    line = int(m.group(1)) - 1
    for i in range(min(line, len(lines) - 1), -1, -1):
        if lines[i].startswith("def _pair_texts"):
            return "compare"  # the text joins feed verification (and same-event checks)
        h = re.match(r"\s*# ---- ([\d-]+):", lines[i])
        if h:
            return {"1": "sign", "2": "sign", "3": "candidates", "4": "compare", "5": "events"}.get(h.group(1), "cluster")
        if lines[i].startswith("def "):
            return "other"
    return "other"


def bench_spark(sizes: tuple[int, ...] = (10_000, 100_000), repeat: int = 1) -> dict:
    from overlap.records import Document
    from overlap.scan import scan
    from overlap.spark import scan_spark, spark_session

    t = time.perf_counter()
    spark = spark_session("local[2]", config={"spark.ui.enabled": "true", "spark.driver.memory": "4g",
                                              "spark.default.parallelism": "4"})
    startup = time.perf_counter() - t
    rows, shuffles = [], []
    # Spark's fixed latency per stage (jobs, task launch), measured on 50 documents after a
    # warm-up; the estimate subtracts it before scaling per document.
    from overlap.spark import scan_spark as _warm

    tiny = scaled_corpus(50)
    tiny_df = lambda: spark.createDataFrame([(f"d{i}", s) for i, s in enumerate(tiny)], ["id", "text"])  # noqa: E731
    _warm(tiny_df(), spark=spark)
    fixed = dict(_warm(tiny_df(), spark=spark).stats.timings)
    for n in sizes:
        texts = scaled_corpus(n)
        docs = [Document(f"d{i}", s, f"dataframe:row{i + 1}") for i, s in enumerate(texts)]
        results = {}
        for engine in ("local", "spark"):
            best = None
            for _ in range(repeat):
                t = time.perf_counter()
                if engine == "local":
                    r = scan(docs, workers=2)
                else:
                    before = _shuffle_by_site(spark)
                    r = scan_spark(spark.createDataFrame([(d.id, d.text) for d in docs], ["id", "text"]), spark=spark)
                    after = _shuffle_by_site(spark)
                    by_site = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}
                wall = time.perf_counter() - t
                if best is None or wall < best[0]:
                    best = (wall, r, by_site if engine == "spark" else None)
            wall, r, by_site = best
            results[engine] = r
            st = r.stats
            row = {"engine": engine, "docs": n, "seconds": round(wall, 1), "docs_per_s": round(n / wall, 1),
                   **{f"{k}_s": round(v, 2) for k, v in st.timings}, "compared": st.compared,
                   "linked_pairs": st.linked_pairs, "passage_windows": st.passage_windows}
            rows.append(row)
            if by_site:
                for site, b in sorted(by_site.items(), key=lambda kv: -kv[1]):
                    shuffles.append({"docs": n, "stage": _site_stage(site), "call": site, "shuffle_mb": round(b / 1e6, 2),
                                     "bytes_per_doc": round(b / n)})
        rows[-1]["identical"] = results["local"].to_dict() == results["spark"].to_dict()
        rows[-2]["identical"] = rows[-1]["identical"]
    spark.stop()
    return {"startup_s": startup, "rows": rows, "shuffles": shuffles, "fixed": fixed}


def estimate(measured: dict, docs: int = 100_000_000, nodes: int = 50, cores: int = 8,
             price: float = _PRICE_NODE_HOUR) -> list[dict]:
    """Stage-by-stage time for ``docs`` documents on ``nodes`` x ``cores``, from the largest measured Spark run.

    CPU seconds per document (sign, candidates, events, report) and per compared pair
    (compare) are the measured wall times x 2 cores (``local[2]`` keeps both busy),
    scaled linearly; compared pairs per document are taken as constant (true for a
    corpus with the same duplication rate; a more redundant corpus costs more).  The
    driver stage (cluster) is single-threaded and scales with linked pairs.  Shuffle
    volume per document scales linearly; at 10 Gbit/s per node it is not the bottleneck
    unless stated.
    """
    spark_rows = [r for r in measured["rows"] if r["engine"] == "spark"]
    r = max(spark_rows, key=lambda x: x["docs"])
    n = r["docs"]
    slots = nodes * cores
    scale = docs / n
    shuffle_per_doc: dict[str, float] = defaultdict(float)
    for s in measured["shuffles"]:
        if s["docs"] == n:
            shuffle_per_doc[s["stage"]] += s["bytes_per_doc"]
    fixed = measured.get("fixed", {})
    out = []
    for stage in ("sign", "candidates", "compare", "events", "cluster", "report"):
        work = max(0.0, r.get(f"{stage}_s", 0.0) - fixed.get(stage, 0.0))  # minus Spark's per-job latency
        cpu = work * 2 * scale  # core-seconds at the target size
        if stage in ("cluster", "report"):
            sec = work * scale  # driver, one core
        else:
            sec = cpu / slots + fixed.get(stage, 0.0)
        sh = shuffle_per_doc.get(stage, 0.0) * docs
        out.append({"stage": stage, "measured_s": r.get(f"{stage}_s", 0.0), "fixed_s": round(fixed.get(stage, 0.0), 2),
                    "core_hours": round(cpu / 3600, 1),
                    "cluster_min": round(sec / 60, 1), "shuffle_gb": round(sh / 1e9, 1)})
    total_min = sum(x["cluster_min"] for x in out)
    out.append({"stage": "total", "measured_s": round(sum(x["measured_s"] for x in out), 1),
                "core_hours": round(sum(x["core_hours"] for x in out), 1), "cluster_min": round(total_min, 1),
                "shuffle_gb": round(sum(x["shuffle_gb"] for x in out), 1),
                "cost_usd": round(total_min / 60 * nodes * price, 0)})
    return out


def main(sizes: tuple[int, ...]) -> str:
    m = bench_spark(sizes)
    write_csv(RESULTS / "spark.csv", m["rows"])
    est = estimate(m)
    info = machine()
    text = "\n\n".join([
        "# Local engine vs Spark engine (local[2])",
        f"Machine: {info['cpu']}, {info['cores']} cores (shared with other work: one run per size, noisy). "
        f"Corpus: `scaled_corpus(n)` (real baomoi articles, then edited republications). "
        f"Spark session start-up: {m['startup_s']:.1f} s (not included below). "
        "`identical`: the two results' `to_dict()` are equal. "
        f"Sizes run: {', '.join(str(x) for x in sizes)} (10k and 100k exceed this shared machine's time budget: "
        "the local engine alone took 587 s at 10k, 291 s of it in the driver-side passage grouping).",
        markdown_table(m["rows"]),
        "## Spark shuffle write per call site",
        markdown_table(m["shuffles"]),
        f"## Paper estimate: 100M documents, 50 nodes x 8 cores, ${_PRICE_NODE_HOUR}/node-hour",
        "Linear scaling of the largest measured run, after subtracting Spark's fixed per-stage latency "
        "(`fixed_s`, a 50-document scan); see `estimate()` for the assumptions.",
        markdown_table(est, ["stage", "measured_s", "fixed_s", "core_hours", "cluster_min", "shuffle_gb", "cost_usd"]),
    ])
    (RESULTS / "spark.md").write_text(text + "\n", encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main(tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000)))
