"""Story clustering (``overlap.stories``), rare-vocabulary links (``overlap.vocabulary``)
and reused-passage groups (``overlap.reuse``)."""

from __future__ import annotations

import math
import random
from itertools import combinations

import numpy as np
import pytest

from overlap.reuse import MIN_SIMILARITY, SharedSpan, passage_groups, similarity
from overlap.jit import load_kernels
from overlap.stories import (
    MERGE_THRESHOLD, Evidence, cluster, cluster_arrays, link_weight, round6, story_components, vocabulary_weights,
)
from overlap.vocabulary import MAX_DF, terms, vocabulary_link_arrays, vocabulary_links


def _clique(members: list[int], weight: float = 1.0, reason: str = "near_duplicate") -> list[Evidence]:
    return [Evidence(a, b, weight, reason) for a, b in combinations(members, 2)]


# ---------------------------------------------------------------------------- stories


def test_a_bridge_document_does_not_merge_two_stories() -> None:
    # Two dense stories (0-4 and 5-9) and a bridge: document 10 shares a long passage with
    # one member of each, and one short passage joins the stories directly.
    links = _clique([0, 1, 2, 3, 4]) + _clique([5, 6, 7, 8, 9], 0.9, "long_passage")
    links += [Evidence(4, 10, 0.9, "long_passage"), Evidence(5, 10, 0.9, "long_passage")]
    links += [Evidence(4, 5, 0.9, "long_passage")]
    # Connected components would make one story of all eleven.
    assert cluster(11, links) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_a_chain_of_single_links_does_not_become_one_story() -> None:
    # 0-1-2-...-9, each link a long passage: components would give one 10-document story.
    links = [Evidence(i, i + 1, 0.9, "long_passage") for i in range(9)]
    assert cluster(10, links) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def test_cluster_is_independent_of_link_order_and_ranked_by_size() -> None:
    rng = random.Random(3)
    links = _clique([0, 1, 2]) + _clique([3, 4, 5, 6], 0.95) + [Evidence(2, 3, 0.85, "long_passage")]
    first = cluster(7, links)
    for _ in range(5):
        rng.shuffle(links)
        assert cluster(7, links) == first
    assert first == [[3, 4, 5, 6], [0, 1, 2]]


def test_a_document_joins_a_story_only_with_links_to_most_of_it() -> None:
    short = Evidence(0, 3, link_weight(passage_chars=80, passage_coverage=0.05)[0], "short_passage")
    event_w = link_weight(same_event_names=3)[0]
    assert short.weight >= MERGE_THRESHOLD and event_w >= MERGE_THRESHOLD  # either links two lone documents
    story = _clique([0, 1, 2])
    assert cluster(4, story + [short]) == [[0, 1, 2]]  # one link to a story of three: not enough
    more = [short, Evidence(1, 3, short.weight, "short_passage"), Evidence(2, 3, event_w, "same_event")]
    assert cluster(4, story + more) == [[0, 1, 2, 3]]


def test_evidence_is_ranked_near_duplicate_long_short_same_event() -> None:
    w = [
        link_weight(near_duplicate=True),
        link_weight(passage_chars=2000, passage_coverage=0.5),
        link_weight(passage_chars=100, passage_coverage=0.05),
        link_weight(same_event_names=3),
    ]
    assert [r for _, r in w] == ["near_duplicate", "long_passage", "short_passage", "same_event"]
    assert w[0][0] > w[1][0] > w[2][0] >= w[3][0] > 0
    assert link_weight() == (0.0, "")


def test_bad_links_are_refused() -> None:
    with pytest.raises(ValueError, match="weight"):
        Evidence(0, 1, 1.5, "x")
    with pytest.raises(ValueError, match="two documents"):
        cluster(2, [Evidence(0, 2, 1.0, "x")])
    with pytest.raises(ValueError, match="threshold"):
        cluster(2, [], threshold=0.0)


def test_dropping_links_between_story_components_never_changes_the_stories() -> None:
    # Random graphs with many weak links (as rare vocabulary gives) and some strong ones,
    # some weights just under the threshold: the scan drops every link between two
    # ``story_components``, and must get the same groups.
    dropped = 0
    for seed in range(80):
        rng = random.Random(seed)
        n = rng.randint(5, 40)
        density = rng.choice([0.1, 0.3])
        links = []
        for a, b in combinations(range(n), 2):
            if rng.random() < density:
                w = rng.choice([rng.uniform(0.05, 0.79), rng.uniform(0.05, 0.79), MERGE_THRESHOLD - 1e-9,
                                rng.uniform(0.8, 1.0)])
                links.append(Evidence(a, b, round(w, 9), "x"))
        ea = np.array([e.a for e in links], dtype=np.int64)
        eb = np.array([e.b for e in links], dtype=np.int64)
        comp = story_components(n, ea, eb, np.array([e.weight for e in links], dtype=float))
        kept = [e for e in links if comp[e.a] == comp[e.b]]
        groups = cluster(n, links)
        assert cluster(n, kept) == groups
        assert all(len({int(comp[m]) for m in g}) == 1 for g in groups)
        dropped += len(links) - len(kept)
    assert dropped > 100


def _naive_average_linkage(n: int, links: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """The definition, by brute force: merge the two groups of largest mean weight over all
    their member pairs (ties: smallest first members) while that mean reaches ``threshold``."""
    groups = sorted({m for ab in links for m in ab})
    members = {g: [g] for g in groups}
    while True:
        best = None
        for g, h in combinations(sorted(members), 2):
            total = sum(links.get((min(x, y), max(x, y)), 0.0) for x in members[g] for y in members[h])
            mean = total / (len(members[g]) * len(members[h]))
            if mean >= threshold and (best is None or (-mean, g, h) < best):
                best = (-mean, g, h)
        if best is None:
            break
        _, g, h = best
        members[g] = sorted(members[g] + members.pop(h))
    out = [m for m in members.values() if len(m) >= 2]
    return sorted(out, key=lambda m: (-len(m), m[0]))


def _random_links(rng: random.Random, n: int, dyadic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    density = rng.choice([0.05, 0.2, 0.5, 0.9])
    a, b, w = [], [], []
    for i, j in combinations(range(n), 2):
        if rng.random() < density:
            first, second = (i, j) if rng.random() < 0.5 else (j, i)
            a.append(first)
            b.append(second)
            # Dyadic weights sum exactly in any order, so the brute-force means are the
            # engines' to the last bit; otherwise weights like the scan's, ties included.
            w.append(rng.randint(0, 16) / 16 if dyadic else rng.choice(
                [1.0, 0.9, 0.85, 0.8, 0.0, round(rng.uniform(0.05, 1.0), 6), rng.uniform(0.05, 1.0)]))
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), np.array(w)


@pytest.mark.parametrize("compiled", [False, True])
def test_cluster_arrays_is_average_linkage_by_its_definition(compiled: bool) -> None:
    if compiled and load_kernels() is None:
        pytest.skip("numba kernels unavailable (OVERLAP_JIT=0 or numba missing)")
    for seed in range(150):
        rng = random.Random(seed)
        n = rng.randint(2, 14)
        a, b, w = _random_links(rng, n, dyadic=True)
        best: dict[tuple[int, int], float] = {}
        for x, y, z in zip(a.tolist(), b.tolist(), w.tolist()):
            key = (min(x, y), max(x, y))
            best[key] = max(best.get(key, 0.0), z)
        want = _naive_average_linkage(n, {k: v for k, v in best.items() if v > 0}, MERGE_THRESHOLD)
        assert cluster_arrays(n, a, b, w, compiled=compiled) == want, seed


def test_compiled_and_python_average_linkage_give_the_same_stories() -> None:
    # The kernel must repeat the Python loop's float operations and heap order exactly:
    # same groups on random graphs with repeated pairs, ties and weights a hair apart.
    if load_kernels() is None:
        pytest.skip("numba kernels unavailable (OVERLAP_JIT=0 or numba missing)")
    merged = 0
    for seed in range(300):
        rng = random.Random(seed)
        n = rng.randint(2, 70)
        a, b, w = _random_links(rng, n, dyadic=False)
        extra = rng.randint(0, len(a))  # the same pairs again, other weights: the largest counts
        a, b = np.concatenate((a, b[:extra])), np.concatenate((b, a[:extra]))
        w = np.concatenate((w, np.array([rng.uniform(0.0, 1.0) for _ in range(extra)])))
        python = cluster_arrays(n, a, b, w, compiled=False)
        assert cluster_arrays(n, a, b, w, compiled=True) == python, seed
        assert cluster(n, [Evidence(int(x), int(y), float(z), "x") for x, y, z in zip(a, b, w) if x != y]) == python
        merged += sum(len(g) for g in python)
    assert merged > 1_000
    with pytest.raises(ValueError, match="link must join"):
        cluster_arrays(3, np.array([0]), np.array([3]), np.array([1.0]))
    with pytest.raises(ValueError, match="weight in"):
        cluster_arrays(3, np.array([0]), np.array([1]), np.array([1.5]))


def test_compiled_average_linkage_on_a_large_graph_of_dense_stories() -> None:
    # Thousands of merges: the kernel's link table fills with deleted entries and is
    # rebuilt, and neighbour lists move in their pool; the groups must not change.
    if load_kernels() is None:
        pytest.skip("numba kernels unavailable (OVERLAP_JIT=0 or numba missing)")
    rng = np.random.default_rng(11)
    n, k = 6_000, 60_000
    story = np.sort(rng.integers(0, 400, n))  # dense groups, joined by weaker links between them
    first = np.searchsorted(story, story)
    size = np.searchsorted(story, story, side="right") - first
    a = rng.integers(0, n, k)
    inside = first[a] + (rng.random(k) * size[a]).astype(np.int64)
    b = np.where(rng.random(k) < 0.7, inside, rng.integers(0, n, k))
    w = np.round(rng.uniform(0.3, 1.0, k), 6)
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    python = cluster_arrays(n, a, b, w, compiled=False)
    assert sum(len(g) for g in python) > 2_000
    assert cluster_arrays(n, a, b, w, compiled=True) == python


def test_story_components_follow_the_strong_links_only() -> None:
    a, b = np.array([0, 2, 3, 5]), np.array([1, 3, 4, 6])
    comp = story_components(7, a, b, np.array([0.9, 0.79, 0.3, 0.8]))
    assert comp.tolist() == [0, 0, 2, 3, 4, 5, 5]
    # A long chain of strong links is one component, whatever the order of its links.
    k = 1_000
    order = np.random.default_rng(1).permutation(k - 1)
    chain = story_components(k + 1, order, order + 1, np.ones(k - 1))
    assert chain[:k].tolist() == [0] * k and chain[k] == k
    # A document whose links are all weak never joins anything, however many it has.
    links = _clique([0, 1, 2]) + [Evidence(3, j, 0.79, "shared_vocabulary") for j in range(3)]
    assert cluster(4, links) == [[0, 1, 2]]
    cos = np.array([0.0, 0.01, 0.159, 0.16, 0.5])
    assert vocabulary_weights(cos).tolist() == [link_weight(vocabulary=float(c))[0] for c in cos]
    # The scan's exact path: the unrounded weights, then Python's round, bit for bit.
    cos = np.random.default_rng(5).uniform(0.05, 0.3, 20_000)
    exact = [round(1.0 - (1.0 - w), 6) for w in vocabulary_weights(cos, rounded=False).tolist()]
    assert exact == [link_weight(vocabulary=c)[0] for c in cos.tolist()]
    with pytest.raises(ValueError, match="threshold"):
        story_components(2, a, b, np.array([1.0, 1.0, 1.0, 1.0]), threshold=1.5)


# ---------------------------------------------------------------------------- vocabulary


def test_vocabulary_links_pair_the_documents_sharing_rare_word_pairs(seeds: dict[int, str]) -> None:
    # Each seed article, and a rewrite of its first half with other words between; the
    # rewrite shares the seed's rare bigrams, not the other seeds'.
    docs = [seeds[i] for i in range(5)]
    halves = [" Ngoài ra, ".join(s[: len(s) // 2].split(". ")) for s in docs]
    found = vocabulary_links([terms(t) for t in docs + halves], max_df=2, min_docs=2)
    linked = {(i, j) for i, j, c in found if c >= 0.3}
    assert {(i, i + 5) for i in range(5)} <= linked
    assert all(j == i + 5 for i, j in linked)


def _republished(seeds: dict[int, str], copies: int, rng: random.Random) -> list[str]:
    """Every seed with up to ``copies`` republications: each keeps a random two thirds of
    the sentences, so copies share many rare bigrams with the original and each other."""
    out = []
    for s in seeds.values():
        sentences = s.split(". ")
        out.append(s)
        for _ in range(rng.randint(1, copies)):
            out.append(". ".join(x for x in sentences if rng.random() < 0.67))
    return out


def _links_by_definition(docs: list[set[int]], max_df: int, min_shared: int, min_cosine: float) -> dict[tuple[int, int], float]:
    """``vocabulary_links`` straight from its definition: every pair, plain Python."""
    n = len(docs)
    df: dict[int, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    rare = [{t for t in d if 2 <= df[t] <= max_df} for d in docs]
    w = {t: math.log(n / c) for t, c in df.items()}
    norm = [math.sqrt(sum(w[t] ** 2 for t in r)) for r in rare]
    found = {}
    for i, j in combinations(range(n), 2):
        both = rare[i] & rare[j]
        if len(both) >= min_shared:
            cos = sum(w[t] ** 2 for t in both) / (norm[i] * norm[j])
            if cos >= min_cosine:
                found[i, j] = cos
    return found


@pytest.mark.parametrize("max_df", [None, 12, 40])
def test_vocabulary_links_match_their_definition_on_republished_copies(seeds: dict[int, str], max_df: int | None) -> None:
    # Many copies of the same texts: the (pair, bigram) keys grow with the square of the
    # copies, which is what the slices bound.  Any slice size gives the same links, and
    # they are the links of the plain definition.
    texts = _republished(seeds, 30, random.Random(7))
    docs = [terms(t) for t in texts]
    got = vocabulary_links(docs, max_df=max_df, compiled=False)
    assert len(got) > 10
    expected = _links_by_definition([set(d.tolist()) for d in docs], max_df or max(5, min(len(docs) // 200, MAX_DF)), 2, 0.05)
    assert [(i, j) for i, j, _ in got] == sorted(expected)
    assert [c for _, _, c in got] == pytest.approx([expected[i, j] for i, j, _ in got], rel=1e-12)
    for slice_pairs in (1, 97, 5_000):
        assert vocabulary_links(docs, max_df=max_df, slice_pairs=slice_pairs) == got
    i, j, cos = vocabulary_link_arrays(docs, max_df=max_df)
    assert list(zip(i.tolist(), j.tolist(), cos.tolist())) == got
    if load_kernels() is not None:  # the compiled pair counts: the same cosines, bit for bit
        assert vocabulary_links(docs, max_df=max_df, compiled=True) == got
    with pytest.raises(ValueError, match="slice_pairs"):
        vocabulary_links(docs, slice_pairs=0)


def test_compiled_vocabulary_links_sum_like_numpy_at_every_length() -> None:
    # Pairs sharing 1 to 400 rare bigrams of mixed df: the kernel's dot products must be
    # numpy's pairwise sums (eight running sums, then halves beyond 128), bit for bit.
    if load_kernels() is None:
        pytest.skip("numba kernels unavailable (OVERLAP_JIT=0 or numba missing)")
    rng = np.random.default_rng(3)
    docs = []
    for k in range(60):
        shared = rng.choice(50_000, size=int(rng.integers(1, 400)), replace=False)
        own = 100_000 + k * 1_000 + np.arange(int(rng.integers(0, 50)))
        docs.append(np.unique(np.concatenate((shared, own)).astype(np.uint32)))
    for max_df in (5, 30, 60):
        numpy_links = vocabulary_link_arrays(docs, max_df=max_df, compiled=False, min_cosine=0.0, min_shared=1)
        compiled = vocabulary_link_arrays(docs, max_df=max_df, compiled=True, min_cosine=0.0, min_shared=1)
        assert len(numpy_links[0]) > 500
        for x, y in zip(numpy_links, compiled):
            assert x.dtype == y.dtype and x.tolist() == y.tolist()


def test_vocabulary_postings_read_back_in_blocks_give_the_same_links(
    seeds: dict[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import overlap.vocabulary as vocabulary

    docs = [terms(t) for t in _republished(seeds, 30, random.Random(2))]
    whole = vocabulary_links(docs, max_df=12, compiled=False)
    assert len(whole) > 10
    for block in (1, 7, 1_000):  # run starts that fall on and across block edges
        monkeypatch.setattr(vocabulary, "_BLOCK", block)
        assert vocabulary_links(docs, max_df=12, compiled=False) == whole


def test_a_bigram_in_more_than_max_df_documents_is_never_rare() -> None:
    # 40,000 documents: n // 200 is 400, but two bigrams held by 150 of them (more than
    # MAX_DF) are common, not rare, so they link nobody; with the old rule each pair of
    # the 150 would be a link.
    n, k = 40_000, 150
    assert n // 200 > k > MAX_DF
    docs = [np.array([1, 2], dtype=np.uint32) if d < k else np.array([10 + d], dtype=np.uint32) for d in range(n)]
    assert vocabulary_links(docs) == []
    assert len(vocabulary_links(docs, max_df=n // 200)) == k * (k - 1) // 2
    docs[k:k + 2] = [np.array([3, 4], dtype=np.uint32)] * 2  # a pair of a truly rare phrase still links
    assert [(i, j) for i, j, _ in vocabulary_links(docs)] == [(k, k + 1)]


def test_vocabulary_terms_ignore_case_and_empty_texts() -> None:
    assert (terms("Giá VÀNG hôm nay tăng mạnh") == terms("giá vàng hôm nay tăng mạnh")).all()
    assert len(terms("")) == 0
    assert vocabulary_links([terms(""), terms("")], min_docs=2) == []
    assert vocabulary_links([terms("xe buýt nhanh chạy thử")] * 2) == []  # too few documents to call anything rare


# ---------------------------------------------------------------------------- reuse


_S1 = "Bộ GD&ĐT đề nghị Sở GD&ĐT Hà Nội chỉ đạo, kiểm tra làm rõ vụ việc và xử lý nghiêm sai phạm."
_S2 = "Giá vàng SJC sáng nay tăng thêm 200.000 đồng mỗi lượng so với cuối tuần trước tại Hà Nội."
_S3 = "Tuyến xe buýt nhanh BRT Kim Mã - Yên Nghĩa vận hành thử từ đầu năm với 35 xe chạy liên tục."


def test_a_passage_group_never_holds_a_different_sentence() -> None:
    # A shares S1+S2 with B, B shares S2+S3 with C, C shares S3 with D: overlapping spans
    # chain all four documents, but no sentence is in all of them.
    texts = [_S1 + " " + _S2, "Mở đầu. " + _S1 + " " + _S2 + " " + _S3, _S2 + " " + _S3, "Tin. " + _S3]

    def span(d: int, s: str) -> tuple[int, int]:
        i = texts[d].index(s)
        return i, i + len(s)

    def cat(d: int, *ss: str) -> tuple[int, int]:
        return span(d, ss[0])[0], span(d, ss[-1])[1]

    shared = [
        SharedSpan(1, 0, *cat(0, _S1, _S2), 1, *cat(1, _S1, _S2)),
        SharedSpan(2, 1, *cat(1, _S2, _S3), 2, *cat(2, _S2, _S3)),
        SharedSpan(3, 2, *span(2, _S3), 3, *span(3, _S3)),
    ]
    groups = passage_groups(shared, texts.__getitem__)
    assert groups
    for g in groups:
        text = texts[g.text_doc][g.text_start : g.text_end]
        for d, s, e, sim in g.occurrences:
            assert sim >= MIN_SIMILARITY
            assert similarity(text, texts[d][s:e]) >= MIN_SIMILARITY
    assert max(g.documents for g in groups) == 2  # nothing claims 3 or 4 documents


def test_passage_groups_count_documents_once_and_flag_boilerplate() -> None:
    footer = "Mọi phản ánh, ý kiến của độc giả xin gửi về đường dây nóng của tòa soạn báo điện tử."
    texts = [f"Bài {i} nói về chuyện số {i * 7}. {footer}" for i in range(6)]
    start = [t.index(footer) for t in texts]
    shared = [
        SharedSpan(10 + j, 0, start[0], start[0] + len(footer), j, start[j], start[j] + len(footer)) for j in range(1, 6)
    ]
    shared.append(SharedSpan(99, 0, start[0], start[0] + 40, 1, start[1], start[1] + 40))  # overlapping, same doc
    (g,) = [x for x in passage_groups(shared, texts.__getitem__) if x.documents >= 5]
    assert g.documents == 6 and not g.boilerplate
    (b,) = [x for x in passage_groups(shared, texts.__getitem__, shares_more=lambda pair, grp, k: False) if x.documents >= 5]
    assert b.boilerplate
    (k,) = [x for x in passage_groups(shared, texts.__getitem__, shares_more=lambda pair, grp, k: True) if x.documents >= 5]
    assert not k.boilerplate


def test_a_span_exactly_at_the_enforced_similarity_joins_its_group() -> None:
    """The similarity check stops early under the bar (rapidfuzz's cutoff), but a span
    exactly at ``MIN_SIMILARITY`` still joins, as the exact similarity says it must."""
    base = "Đoàn đàm phán Nga do Thứ trưởng Ngoại giao Sergei Ryabkov dẫn đầu đã đến Geneva."
    words = base.split()
    # Replacing k characters costs 2k indel edits: similarity 1 - 2k / (2 * len).
    k = round(len(base) * (1 - MIN_SIMILARITY))
    assert 1 - 2 * k / (2 * len(base)) == MIN_SIMILARITY, "pick a text whose length makes 0.8 exact"
    edited = "".join("#" if i < k else c for i, c in enumerate(base))
    other = base.replace(words[-1], "Thụy Sĩ.")
    texts = [base, edited, other, base]
    shared = [SharedSpan(1, 0, 0, len(base), 1, 0, len(edited)), SharedSpan(2, 0, 0, len(base), 2, 0, len(other)),
              SharedSpan(3, 2, 0, len(other), 3, 0, len(base))]
    (g,) = passage_groups(shared, texts.__getitem__)
    sims = {d: sim for d, _, _, sim in g.occurrences}
    assert similarity(base, edited) == MIN_SIMILARITY and sims[1] == MIN_SIMILARITY
    assert sorted(sims) == [0, 1, 2, 3]


def test_round6_is_pythons_round_to_the_last_bit() -> None:
    rng = np.random.default_rng(7)
    halves = (np.arange(50_000) + 0.5) / 1e6  # every value a hair from a tie
    x = np.concatenate([rng.random(200_000), np.round(rng.random(50_000), 7), halves, rng.random(1000) * 0.9])
    want = np.array([round(v, 6) for v in x.tolist()])
    assert np.array_equal(round6(x).view(np.int64), want.view(np.int64))
    assert not np.array_equal(np.round(x, 6), want)  # numpy alone is not: the case this covers
