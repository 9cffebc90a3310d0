"""overlap.compare on the seed articles: shared passages, conflicts, offsets."""

from __future__ import annotations

import unicodedata

import pytest

import overlap
from conftest import seed_path
from overlap import compare


def span_of(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return i, i + len(needle)


@pytest.mark.parametrize(("x", "y"), [(0, 1), (1, 2), (1, 0), (2, 1)])
def test_fomin_spelling_conflict_at_exact_offsets(seeds: dict[int, str], x: int, y: int) -> None:
    a, b = seeds[x], seeds[y]
    c = compare(a, b)
    assert [k.kind for k in c.conflicts] == ["spelling"]
    (conf,) = c.conflicts
    want_a = "Alexandr Fomin" if x == 1 else "Alexander Fomin"
    want_b = "Alexandr Fomin" if y == 1 else "Alexander Fomin"
    assert (conf.a.start, conf.a.end) == span_of(a, want_a)
    assert (conf.b.start, conf.b.end) == span_of(b, want_b)
    assert conf.a.of(a) == conf.a_text == want_a
    assert conf.b.of(b) == conf.b_text == want_b


def test_000_and_002_share_three_passages(seeds: dict[int, str]) -> None:
    a, b = seeds[0], seeds[2]
    c = compare(a, b)
    assert not c.near_duplicate
    assert c.conflicts == ()
    shared = [(p.a.of(a), p.b.of(b)) for p in c.passages]
    assert len(shared) == 3
    # the delegation sentence, whole on both sides
    assert shared[0][0].startswith("Dẫn đầu phái đoàn Nga là Thứ trưởng Ngoại giao Sergei Ryabkov")
    assert shared[0][1].endswith("Trưởng phái đoàn Mỹ là Thứ trưởng Ngoại giao Wendy Sherman.")
    # the "lập trường cứng rắn" clause: only the reused part of a long sentence
    assert "lập trường cứng rắn" in shared[1][0] and "lập trường cứng rắn" in shared[1][1]
    assert not shared[1][1].startswith("Phát biểu")  # not the whole sentence of 002
    assert shared[1][1].endswith("phản bác những đề xuất an ninh của Moscow")
    # the "có đi có lại" sentence
    assert "“có đi có lại”" in shared[2][0] and "“có đi có lại”" in shared[2][1]
    # about a quarter of 002 is shared
    assert 0.18 <= c.shared_b / len(b) <= 0.35
    for p in c.passages:
        assert p.pairs, "each passage lists its aligned sentence pairs"
        assert 0.0 < p.score <= 1.0


def test_different_stories_do_not_conflict(seeds: dict[int, str]) -> None:
    # 003's two-hour video call vs 001's 7.5-hour talks: two durations, different stories.
    c = compare(seeds[3], seeds[1])
    assert c.conflicts == ()
    assert c.passages == ()
    assert c.similarity.jaccard < 0.05


@pytest.mark.parametrize("n", range(5))
def test_nfd_copy_is_all_shared_without_conflicts(seeds: dict[int, str], n: int) -> None:
    a = seeds[n]
    b = unicodedata.normalize("NFD", a)
    assert a != b
    c = compare(a, b)
    assert c.conflicts == ()
    assert c.similarity.jaccard == 1.0
    assert c.near_duplicate
    (p,) = c.passages
    # Spans index the NFD text as given: slicing it gives the same words back.
    assert unicodedata.normalize("NFC", p.b.of(b)) == p.a.of(a)
    assert p.a.end - p.a.start >= len(a.strip()) - 5


def test_reordered_passages_are_found(seeds: dict[int, str]) -> None:
    paras = [p for p in seeds[0].split("\n") if len(p) > 200]
    a = "\n".join(paras)
    b = "\n".join(reversed(paras))
    c = compare(a, b)
    assert len(c.passages) >= len(paras)
    for para in paras:
        i = a.index(para)
        assert any(p.a.start <= i + 10 and p.a.end >= i + len(para) - 10 for p in c.passages), para[:40]


def test_part_of_a_long_sentence_is_reported_as_that_part(seeds: dict[int, str]) -> None:
    long_sentence = next(s.of(seeds[1]) for s in overlap.sentences(seeds[1]) if len(s) > 300)
    half = long_sentence[len(long_sentence) // 2 :]
    half = half[half.index(" ") + 1 :]
    b = "Một bài báo khác hoàn toàn về thời tiết ở Hà Nội hôm nay. " + half + " Hết bài."
    c = compare(seeds[1], b)
    (p,) = c.passages
    start, end = span_of(seeds[1], half)
    assert abs(p.a.start - start) <= 2 and abs(p.a.end - end) <= 2
    assert p.b.of(b).strip(". ") == half.strip(". ")


def test_unrelated_short_sentences_are_not_paired() -> None:
    a = "Thứ trưởng Ngoại giao Mỹ Wendy Sherman cho biết: Washington sẽ không nhượng bộ."
    b = "Thứ trưởng Ngoại giao Mỹ Wendy Sherman đến Geneva bằng máy bay riêng tối Chủ nhật."
    c = compare(a + " " + "Trời mưa to suốt cả ngày ở thủ đô." * 3, b + " Giá xăng tăng nhẹ trong tuần này.")
    assert c.passages == ()


def test_adjacent_sentences_merge_into_one_passage(seeds: dict[int, str]) -> None:
    para = next(p for p in seeds[0].split("\n") if p.startswith("Phát biểu"))
    b = "Tin tức khác hôm nay về giá vàng trong nước. " + para + " Thời tiết ngày mai có mưa."
    c = compare(seeds[0], b)
    (p,) = c.passages
    assert len(p.pairs) == len(overlap.sentences(para)) == 3


def test_to_dict_has_the_documented_schema(seeds: dict[int, str]) -> None:
    d = overlap.compare_files(seed_path(0), seed_path(1)).to_dict()
    assert d["schema"] == 1
    assert set(d) >= {"a", "b", "similarity", "near_duplicate", "passages", "conflicts"}
    assert d["a"] == {"path": str(seed_path(0)), "length": len(seeds[0])}
    assert set(d["similarity"]) == {"jaccard", "containment_a", "containment_b"}
    assert {"a", "b", "score"} <= set(d["passages"][0])
    assert d["conflicts"][0]["kind"] == "spelling"
    assert d["conflicts"][0]["a"]["text"] == "Alexander Fomin"


def test_cheap_block_filter_never_hides_a_verdict(seeds: dict[int, str]) -> None:
    """``_surely_unclassified`` skips building ``Side`` records only where ``classify``
    would say None: checked on random blocks of the seeds (numbers, names, hyphens)."""
    import random

    from overlap.conflicts import classify
    from overlap.passages import _side, _surely_unclassified
    from overlap.pipeline import prepare

    docs = [prepare(seeds[i]) for i in sorted(seeds)]
    # Half the blocks start at a capitalised word or a figure, where verdicts live.
    cues = [[i for i in range(len(d.tokens) - 6) if d.upper[i] or any(ch.isdigit() for ch in d.word(i))] for d in docs]
    rng = random.Random(0)
    skipped = kept = 0
    for _ in range(4000):
        x, y = rng.randrange(len(docs)), rng.randrange(len(docs))
        a, b = docs[x], docs[y]
        la, lb = rng.randint(1, 6), rng.randint(1, 6)
        lo = rng.choice(cues[x]) if rng.random() < 0.5 else rng.randrange(len(a.tokens) - la)
        olo = rng.choice(cues[y]) if rng.random() < 0.5 else rng.randrange(len(b.tokens) - lb)
        if _surely_unclassified(a, lo, lo + la, b, olo, olo + lb):
            skipped += 1
            assert classify(_side(a, lo, lo + la), _side(b, olo, olo + lb)) is None
        else:
            kept += 1
    assert skipped > 1000 and kept > 100  # both branches exercised


def test_orthographic_variants_survive_nfd_and_respelling(seeds: dict[int, str]) -> None:
    """"Mỹ"/"Mĩ" and NFD input: the same word in two spellings is a variant at exact offsets."""
    a = seeds[0]
    assert "Mỹ" in a
    b = unicodedata.normalize("NFD", a.replace("Mỹ", "Mĩ"))
    c = compare(a, b)
    ortho = [v for v in c.variants if v.kind == "orthography"]
    assert len(ortho) == a.count("Mỹ")
    assert all(v.a_text == "Mỹ" and v.a.of(a) == "Mỹ" and v.b.of(b) == v.b_text for v in ortho)
    assert all(unicodedata.normalize("NFC", v.b_text) == "Mĩ" for v in ortho)
    assert c.conflicts == ()


def test_comparisons_survive_pickling_as_workers_send_them(seeds: dict[int, str]) -> None:
    """scan's workers pickle comparisons back (records pickle as ``cls(*fields)``): every
    record must come back equal, spans still validated, and the pickle stay compact."""
    import pickle

    from overlap.records import Span

    c = compare(seeds[0], seeds[1])
    assert c.passages and c.conflicts and any(p.pairs and p.edits for p in c.passages)
    back = pickle.loads(pickle.dumps(c))
    assert back == c and back.to_dict() == c.to_dict()
    assert isinstance(back.passages[0].a, Span)
    assert len(pickle.dumps(c)) < 0.8 * len(pickle.dumps(c.to_dict()))


def test_prepare_with_known_sentence_spans_gives_the_same_comparison(seeds: dict[int, str]) -> None:
    """scan hands compare the sentence spans it split while signing; the result must be
    the comparison compare would make on its own."""
    from overlap.pipeline import compare_prepared, prepare
    from overlap.segment import sentences

    a, b = seeds[0], seeds[2]
    given = compare_prepared(prepare(a, sentence_spans=sentences(a)), prepare(b, sentence_spans=sentences(b)))
    assert given == compare(a, b) and given.passages
