"""The corpus engine: one set of stage functions, two drivers (local processes, Spark).

``scan(documents, *, options=None, progress=None, **overrides) -> ScanResult``
    The local driver (``local``); ``overlap.scan`` is this function.
``ScanOptions``, ``ScanResult`` and the records inside it
    ``options`` and ``records``.

Modules, in data-flow order; each imports only from those before it:

``options``     settings, and the rules derived from them both drivers share;
``records``     the frozen result records (``to_dict()`` is the ``--json`` schema);
``store``       where texts wait between stages (``TextStore`` protocol, two stores);
``candidates``  pairs from signature bands, passage windows and shared keys;
``events``      same-event evidence: distinctive name phrases and dates;
``signing``     per document: signature, window band keys, event features;
``verify``      candidates through ``compare``, within a budget;
``assembly``    pair records, clusters, reused passages, name variants;
``local``       the local driver (process pool);
``spark_session``, ``spark_input``, ``spark_stages``, ``spark_components``, ``spark_driver``
                the Spark driver (``overlap.spark`` re-exports its public names).
"""

from __future__ import annotations

from .local import scan
from .options import ProgressFn, ScanOptions
from .records import (
    SCHEMA,
    Cluster,
    DocInfo,
    Link,
    NameVariant,
    Occurrence,
    PairResult,
    ReusedPassage,
    SameEvent,
    ScanResult,
    ScanStats,
    Spelling,
)

__all__ = [
    "SCHEMA",
    "Cluster",
    "DocInfo",
    "Link",
    "NameVariant",
    "Occurrence",
    "PairResult",
    "ProgressFn",
    "ReusedPassage",
    "SameEvent",
    "ScanOptions",
    "ScanResult",
    "ScanStats",
    "Spelling",
    "scan",
]
