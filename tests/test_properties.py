"""Properties of compare checked with Hypothesis on real-looking text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import seed_path
from overlap import compare
from overlap.segment import sentences

_SEED_TEXT = seed_path(0).read_text(encoding="utf-8") + "\n" + seed_path(2).read_text(encoding="utf-8")
_SENTENCES = [s.of(_SEED_TEXT) for s in sentences(_SEED_TEXT)]
_WORDS = _SEED_TEXT.split()

# Texts built from real seed sentences and words, with edits, so that shared passages,
# changed numbers and names all occur.
sentence_lists = st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=8)
edits = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_WORDS + ["8", "2015", "Lavrov", "Alexandr"])), max_size=4)


def _edit(sents: list[str], ops: list[tuple[int, str]]) -> str:
    words = " ".join(sents).split(" ")
    for pos, w in ops:
        words[pos % len(words)] = w
    return " ".join(words)


settings.register_profile("overlap", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)
settings.load_profile("overlap")


@given(sentence_lists)
def test_compare_with_itself_is_all_shared(sents: list[str]) -> None:
    a = "\n".join(sents)
    c = compare(a, a)
    assert c.conflicts == ()
    assert c.similarity.jaccard == 1.0
    assert c.near_duplicate
    covered = sum(len(p.a) for p in c.passages if p.a == p.b)
    assert covered >= len(a.strip()) - 3 * len(sents)


@given(sentence_lists, sentence_lists, edits)
def test_spans_are_in_range_and_quote_the_text(s1: list[str], s2: list[str], ops: list[tuple[int, str]]) -> None:
    a = "\n".join(s1)
    b = _edit(s1[: len(s1) // 2 + 1] + s2, ops)
    c = compare(a, b)
    for p in c.passages:
        assert 0 <= p.a.start < p.a.end <= len(a)
        assert 0 <= p.b.start < p.b.end <= len(b)
        assert 0.0 <= p.score <= 1.0
        for e in p.edits:
            assert p.a.start <= e.a.start <= e.a.end <= p.a.end
            assert p.b.start <= e.b.start <= e.b.end <= p.b.end
    for x in c.conflicts:
        assert x.a.of(a) == x.a_text and x.b.of(b) == x.b_text
        assert any(p.a.start <= x.a.start and x.a.end <= p.a.end for p in c.passages)
    sim = c.similarity
    assert 0.0 <= sim.jaccard <= min(sim.containment_a, sim.containment_b) <= 1.0


@given(sentence_lists, sentence_lists, edits)
def test_compare_is_symmetric(s1: list[str], s2: list[str], ops: list[tuple[int, str]]) -> None:
    a = "\n".join(s1 + s2)
    b = _edit(s2 + s1, ops)
    ab, ba = compare(a, b), compare(b, a)
    assert ab.similarity.jaccard == ba.similarity.jaccard
    assert ab.similarity.containment_a == ba.similarity.containment_b
    assert sorted((p.a, p.b) for p in ab.passages) == sorted((p.b, p.a) for p in ba.passages)
    assert sorted((x.kind, x.a, x.b) for x in ab.conflicts) == sorted((x.kind, x.b, x.a) for x in ba.conflicts)


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_text_compares_without_error(a: str, b: str) -> None:
    c = compare(a, b)
    for p in c.passages:
        assert 0 <= p.a.start <= p.a.end <= len(a) and 0 <= p.b.start <= p.b.end <= len(b)
