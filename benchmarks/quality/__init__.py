"""Detection-quality suite: ``overlap`` measured on real corpora with the field's measures.

Modules (each importable, each with a ``__main__`` guard):

- ``pan``: PAN-13 text alignment; PAN precision, recall, granularity, plagdet
  (Potthast et al. 2010) and the PAN XML reader/writer.
- ``clough``: Clough & Stevenson graded reuse; Spearman rank correlation and AUC.
- ``conflicts_inject``: labelled edits injected into real articles, and the scorer for
  conflicts reported against them.
- ``mds``: story structure on VietnameseMDS (``overlap.scan`` vs same-event clusters) and
  hand-judged conflicts and variants between same-event articles.
- ``edits``: near-duplicate recall under synthetic edits, false positives on real pairs.
- ``passages``: the min_tokens sweep on news (real same-event passages, injected sentences).
- ``pan13_train``: the whole PAN-13 training corpus (all five sub-corpora, official gold).
- ``scan_reworded``: scan recall of PAN-13 03/04 pairs mixed into Baomoi articles.
- ``defaults``: the closing "Recommended defaults" section, quoting the measured figures.
- ``run``: ``python -m benchmarks.quality.run`` runs them all and writes
  ``benchmarks/results/quality.md`` plus CSVs.

Real data is read from ``../shared/data`` next to the repository (never copied in);
``data_dir(name)`` returns ``None`` when it is absent so callers can skip with a reason.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_ROOT", "REPO_ROOT", "RESULTS_DIR", "data_dir", "missing_reason"]

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"


def data_dir(name: str) -> Path | None:
    """``../shared/data/<name>`` as an absolute path, or ``None`` when it is not there."""
    path = DATA_ROOT / name
    return path if path.is_dir() else None


def missing_reason(name: str) -> str:
    """The message to skip with when ``data_dir(name)`` is ``None``."""
    return f"evaluation data ../shared/data/{name}/ not found next to the repository ({DATA_ROOT / name})"
