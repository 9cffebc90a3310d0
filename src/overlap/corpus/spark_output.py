"""Writing a scan's records from Spark: one JSONL file, or one Parquet dataset per record type.

``write_records(result, output, fmt="parquet", *, spark=None) -> None``
    ``result.records()`` as one JSONL file, or as Parquet: one dataset per record type.

Cost: linear in the records; Parquet is written by Spark from the driver's records.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import ConfigError
from ..outputs import atomic_writer
from .records import ScanResult
from .spark_session import spark_session

__all__ = ["write_records"]


def write_records(result: ScanResult, output: str | os.PathLike[str], fmt: str = "parquet", *, spark: Any = None) -> None:
    """Write ``result.records()`` (the ``--jsonl`` stream) to ``output``.

    ``fmt="jsonl"``: one file, one JSON record per line, exactly ``overlap scan --jsonl``.
    ``fmt="parquet"``: a directory with one Parquet dataset per record type
    (``summary``, ``document``, ``pair``, ``cluster``, ``reused_passage``,
    ``name_variant``), columns as the JSON fields (nested records as structs), written
    by Spark; read back with ``spark.read.parquet(f"{output}/pair")``.  Existing
    output is replaced (the JSONL file atomically).
    """
    if fmt == "jsonl":
        with atomic_writer(output) as f:
            for rec in result.records():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return
    if fmt != "parquet":
        raise ConfigError(f"fmt must be 'parquet' or 'jsonl': {fmt!r}")
    if spark is None:
        spark = spark_session()
    by_type: dict[str, list[str]] = {}
    for rec in result.records():
        by_type.setdefault(rec["type"], []).append(json.dumps(rec, ensure_ascii=False))
    sc = spark.sparkContext
    for kind, lines in by_type.items():
        df = spark.read.json(sc.parallelize(lines, max(1, min(len(lines) // 10_000, 64))))
        df.write.mode("overwrite").parquet(os.path.join(str(output), kind))
