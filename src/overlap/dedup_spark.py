"""``overlap dedup --engine spark``: sign on Spark executors, decide on the driver.

``build_store_spark(items, *, num_perm=128, seed=1, shingle_size=5, meta=None, spark=None, master=None) -> SignatureStore``
    The ``SignatureStore`` of ``items`` (``(id, text, date, row[, fields])``, as
    ``overlap.dedup_io.iter_records`` yields them), with the signing done by Spark tasks.

Why this split.  Signing (normalise, tokenise, shingle, hash, MinHash) is the costly
part of deduplication and is independent per document, so it is what runs on the
executors: the driver cuts the records into the same batches as the local engine and
every task runs ``overlap.signature_store.sign_batch`` on one of them.  The records
are read on the driver by the local reader, so ids, rows, dates, bad-record handling
and error messages are the local engine's by construction; the decision
(``overlap.deduplication.dedup_store``: one sort of the band keys and the exact checks)
runs on the driver's numpy arrays.  The kept set is therefore the local one exactly, and
``--save-signatures``/``--from`` work the same.  Memory on the driver is the local
engine's (the store); reading is not distributed.

Cost: one Spark job per ``4 x defaultParallelism`` batches of 4,096 documents; the
texts of a job travel to the executors once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from .signature_store import SignatureStore, SignedBatch, batches, sign_batch
from .signatures import DEFAULT_METHOD

__all__ = ["build_store_spark"]


def build_store_spark(
    items: Iterable[tuple[Any, ...]],
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 5,
    method: str = DEFAULT_METHOD,
    meta: dict[str, Any] | None = None,
    spark: Any = None,
    master: str | None = None,
) -> SignatureStore:
    """The store of ``items`` with ``sign_batch`` run as Spark tasks (module docstring).

    ``spark``: a running ``SparkSession`` (else one is made with
    ``overlap.spark.spark_session(master)``; ``ConfigError`` when PySpark or Java is missing).
    """
    from .corpus.spark_session import spark_session

    session = spark if spark is not None else spark_session(master)
    sc = session.sparkContext
    slots = max(1, int(sc.defaultParallelism))
    sign = partial(sign_batch, num_perm=num_perm, seed=seed, shingle_size=shingle_size, method=method)

    def signed() -> Iterator[SignedBatch]:
        group: list[list[tuple[Any, ...]]] = []
        for batch in batches(items):
            group.append(batch)
            if len(group) == 4 * slots:
                yield from sc.parallelize(group, slots).map(sign).collect()  # collect keeps input order
                group = []
        if group:
            yield from sc.parallelize(group, min(slots, len(group))).map(sign).collect()

    return SignatureStore.from_batches(signed(), num_perm=num_perm, seed=seed, shingle_size=shingle_size, method=method,
                                       meta=meta)
