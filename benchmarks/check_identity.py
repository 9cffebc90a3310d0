"""Save or compare ``overlap.scan`` results (``to_dict()`` JSON) on fixed corpora.

A refactoring of the corpus engine must not change any result.  Run this on the old
code with ``save``, then on the new code with ``check``:

    python -m benchmarks.check_identity save  <reference dir> [names...]
    python -m benchmarks.check_identity check <reference dir> [names...] [--spark | --spark-all]

Corpora (``names``; all by default):

``seeds``          the five bundled seed articles (default options);
``baomoi``         all Baomoi articles (``../shared/data/baomoi``);
``baomoi-budget``  the same with ``max_compares=500`` (the Kruskal budget loop);
``mds``            every VietnameseMDS article body, ids ``cluster_N/article``;
``scaled-10k``     ``common.scaled_corpus(10_000)``: Baomoi scaled with realistic edits;
``scaled-20k``     ``common.scaled_corpus(20_000)``, the same at twice the size.

A corpus whose shared data is absent is skipped with a notice.  ``check`` writes the new
JSON beside the reference (``NAME.new.json``) when they differ, and exits 1.  With
``--spark``, ``check`` also runs ``overlap.spark.scan_spark`` on ``local[2]`` for the
corpora of at most 1,000 documents (``--spark-all``: every corpus) and compares its
JSON, byte for byte and origins included, with the same reference: the documents go to
Spark as a DataFrame with an origin column (``origin_col``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import DATA, SEEDS, scaled_corpus

SPARK_MAX_DOCS = 1_000


def _docs_seeds() -> list[Any] | None:
    from overlap import Document

    return [Document(p.name, p.read_text(encoding="utf-8"), str(p)) for p in sorted(SEEDS.glob("*.txt"))]


def _docs_baomoi() -> list[Any] | None:
    from overlap import Document

    folder = DATA / "baomoi"
    if not folder.is_dir():
        return None
    return [Document(p.name, p.read_text(encoding="utf-8"), p.name) for p in sorted(folder.glob("*.txt"))]


def _docs_mds() -> list[Any] | None:
    from overlap import Document

    folder = DATA / "vietnamese_mds"
    if not folder.is_dir():
        return None
    files = sorted(folder.rglob("*.body.txt"), key=lambda p: (p.parent.name, p.name))
    return [
        Document(f"{p.parent.name}/{p.name[: -len('.body.txt')]}", p.read_text(encoding="utf-8"), str(p.relative_to(folder)))
        for p in files
    ]


def _docs_scaled(n: int) -> Callable[[], list[Any] | None]:
    def make() -> list[Any] | None:
        from overlap import Document

        if not (DATA / "baomoi").is_dir():
            return None
        return [Document(str(i), t) for i, t in enumerate(scaled_corpus(n))]

    return make


CORPORA: dict[str, tuple[Callable[[], list[Any] | None], dict[str, Any]]] = {
    "seeds": (_docs_seeds, {}),
    "baomoi": (_docs_baomoi, {}),
    "baomoi-budget": (_docs_baomoi, {"max_compares": 500}),
    "mds": (_docs_mds, {}),
    "scaled-10k": (_docs_scaled(10_000), {}),
    "scaled-20k": (_docs_scaled(20_000), {}),
}


def _dump(result: Any) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def run(name: str, engine: str = "local") -> tuple[str, float, int] | None:
    """``(to_dict JSON, seconds, documents)`` of one corpus, or None when its data is absent."""
    import overlap

    make, options = CORPORA[name]
    docs = make()
    if docs is None:
        print(f"note: shared data for {name!r} not found under {DATA}; skipped", file=sys.stderr)
        return None
    t = time.perf_counter()
    if engine == "spark":
        from overlap.spark import scan_spark, spark_session

        spark = spark_session("local[2]")
        # The documents' own origins travel in a column, so every field must be equal.
        df = spark.createDataFrame([(d.id, d.text, d.origin) for d in docs], ["id", "text", "origin"])
        result = scan_spark(df, spark=spark, origin_col="origin", **options)
        text = _dump(result)
    else:
        result = overlap.scan(docs, workers=2, **options)
        text = _dump(result)
    return text, time.perf_counter() - t, len(docs)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("save", "check"):
        print(__doc__)
        return 2
    mode, folder = argv[0], Path(argv[1])
    spark = "--spark" in argv or "--spark-all" in argv
    spark_max = 10**9 if "--spark-all" in argv else SPARK_MAX_DOCS
    names = [a for a in argv[2:] if a not in ("--spark", "--spark-all")] or list(CORPORA)
    folder.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in names:
        got = run(name)
        if got is None:
            continue
        text, seconds, ndocs = got
        ref = folder / f"{name}.json"
        if mode == "save":
            ref.write_text(text, encoding="utf-8")
            print(f"{name}: saved {ndocs} documents, {len(text):,} bytes ({seconds:.1f} s)")
            continue
        same = ref.read_text(encoding="utf-8") == text
        print(f"{name}: {'identical' if same else 'DIFFERENT'} ({ndocs} documents, {seconds:.1f} s)")
        if not same:
            (folder / f"{name}.new.json").write_text(text, encoding="utf-8")
            status = 1
        if spark and ndocs <= spark_max:
            got_spark = run(name, "spark")
            assert got_spark is not None
            same = got_spark[0] == ref.read_text(encoding="utf-8")
            print(f"{name} (spark local[2]): {'identical' if same else 'DIFFERENT'} ({got_spark[1]:.1f} s)")
            if not same:
                (folder / f"{name}.spark.json").write_text(got_spark[0], encoding="utf-8")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
