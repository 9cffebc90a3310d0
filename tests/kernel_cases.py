"""Inputs and reference patterns for tests that hold a fast path to a plain reference."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

RANDOM_RUNS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""Hypothesis settings: many examples, no deadline (the first call may compile)."""


def random_texts(specials: str, *, longest: int = 60, most: int = 5) -> Any:
    """Lists of up to ``most`` texts mixing the characters the rules care about
    (``specials``) with any others."""
    alphabet = st.one_of(st.sampled_from(list(specials)), st.characters(blacklist_categories=("Cs",)))
    return st.lists(st.text(alphabet=alphabet, max_size=longest), max_size=most)


def real_texts(data_dir: Path, per_corpus: int = 400) -> list[str]:
    """The first ``per_corpus`` Baomoi articles and PAN-13 documents (news in Vietnamese,
    essays in English); the test is skipped when neither is there."""
    files = sorted((data_dir / "baomoi").rglob("*.txt"))[:per_corpus]
    files += sorted((data_dir / "pan13-train").rglob("*.txt"))[:per_corpus]
    if not files:
        pytest.skip(f"no Baomoi or PAN texts under {data_dir}")
    return [f.read_text(encoding="utf-8", errors="replace") for f in files]


PLAIN_BREAK = re.compile(
    r"""([.!?\u2026\u3002\uff01\uff1f]+)
        (["'\u201d\u2019\u00bb)\]]*)
        (\s+)
        (?=(["'\u201c\u2018\u00ab(\[\-\u2013\u2014]*)(\S))
    """,
    re.VERBOSE,
)
"""``overlap.segment``'s sentence-break pattern as it was before it learnt to try a run of
terminators at its start only: tried at every position (quadratic inside a long run of dots)."""
