"""Run ``overlap scan`` on Apache Spark: the same stages and the same results, on a cluster.

The public names of the Spark driver (``overlap.corpus.spark_driver`` and
``overlap.corpus.spark_session``), importable from here:

``scan_spark(source, *, options=None, spark=None, master="local[2]", output=None, fmt="parquet", **keywords) -> ScanResult``
``spark_session(master="local[2]", *, config=None) -> SparkSession``
``write_records(result, output, fmt="parquet", *, spark=None) -> None``
``check_requirements() -> None``
"""

from __future__ import annotations

from .corpus.spark_driver import scan_spark
from .corpus.spark_output import write_records
from .corpus.spark_session import JAVA_HINT, PYSPARK_HINT, check_requirements, spark_session

__all__ = ["JAVA_HINT", "PYSPARK_HINT", "check_requirements", "scan_spark", "spark_session", "write_records"]
