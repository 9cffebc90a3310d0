"""Reused passages: groups of spans that all hold the same text.

``SharedSpan``
    One aligned passage of a verified pair: ``pair`` (its code), and the spans
    ``(a, a_start, a_end)`` and ``(b, b_start, b_end)`` in documents ``a`` and ``b``.
``PassageGroup``
    A reused passage: its text's span (``text_doc``, ``text_start``, ``text_end``), its
    ``occurrences`` as ``(doc, start, end, similarity)``, its ``pairs`` and ``boilerplate``.
``passage_groups(shared, text, *, min_similarity=MIN_SIMILARITY, shares_more=None) -> list[PassageGroup]``
    Group the spans, most documents first.
``similarity(a, b) -> float``
    The similarity every occurrence must reach against its group's text.

Why not merge overlapping spans: document A shares sentences 1-5 with B and 3-8 with
C, and C shares 6-9 with D; merging what overlaps chains them all into one "passage"
whose occurrences are different sentences.  Here spans are only *candidates* for a
group (linked by an aligned passage, or almost the same span of one document); every
occurrence kept must match the group's text at ``min_similarity`` or more (indel
similarity of the case-folded texts), and the spans that do not
start groups of their own.  Document counts are of the documents whose occurrence
matched.  The group's text is the span with the most aligned partners (ties: first
document, first position).

Boilerplate (a site footer, a legal notice) is the same text in many otherwise
unrelated documents: a group in ``BOILERPLATE_DOCS`` or more documents where fewer than
``BOILERPLATE_OTHER`` of the pairs it links share anything else (``shares_more(pair,
group, passages of the pair in the group)`` says whether they do; None: no group is
boilerplate).

Cost: one similarity per (candidate span, group tried), each O(n * m / 64) (bit-parallel)
up to ``EXACT_CHARS`` characters a side and linear beyond (``_similar``); the length
bound rejects most mismatches without it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .cluster import UnionFind
from .fuzz import indel_similarity
from .token_diff import token_similarity

__all__ = [
    "BOILERPLATE_DOCS",
    "BOILERPLATE_OTHER",
    "EXACT_CHARS",
    "MIN_SIMILARITY",
    "PassageGroup",
    "SharedSpan",
    "passage_groups",
    "similarity",
]

MIN_SIMILARITY = 0.8
"""Every occurrence of a group matches the group's text at least this much (indel similarity)."""

EXACT_CHARS = 16_384
"""Up to this many characters a side the similarity is exact; beyond, a piecewise lower
bound (``token_diff.token_similarity``), linear in the length where exact is quadratic.
Below it the bit-parallel exact one is also the faster (news articles are a few
thousand characters)."""

BOILERPLATE_DOCS = 5
BOILERPLATE_OTHER = 0.2

_SAME_SPAN = 0.8  # two spans of one document overlapping this much of the longer are one candidate


@dataclass(frozen=True, slots=True)
class SharedSpan:
    """One aligned passage of pair ``pair``: ``a[a_start:a_end]`` ~ ``b[b_start:b_end]`` (document indices)."""

    pair: int
    a: int
    a_start: int
    a_end: int
    b: int
    b_start: int
    b_end: int


@dataclass(frozen=True, slots=True)
class PassageGroup:
    """A passage found in several documents.

    ``text_doc``, ``text_start``, ``text_end``: the span whose text is the group's text;
    ``occurrences``: ``(doc, start, end, similarity to the group's text)``, by document
    then position, at most one per overlapping stretch of a document; ``pairs``: codes
    of the pairs whose aligned passage has both sides in the group, and ``spans`` the
    indices of those passages in the ``shared`` input; ``boilerplate``.
    """

    text_doc: int
    text_start: int
    text_end: int
    occurrences: tuple[tuple[int, int, int, float], ...]
    pairs: tuple[int, ...]
    boilerplate: bool
    spans: tuple[int, ...] = ()

    @property
    def documents(self) -> int:
        """How many distinct documents hold the passage."""
        return len({o[0] for o in self.occurrences})


def _key(s: str) -> str:
    return s.casefold()


def similarity(a: str, b: str) -> float:
    """The similarity a group enforces: indel similarity of the case-folded texts.

    >>> similarity("Giá vàng hôm nay", "giá vàng hôm nay")
    1.0
    """
    return _similar(_key(a), _key(b))


def _similar(x: str, y: str, cutoff: float = 0.0) -> float:
    """Indel similarity of ``x`` and ``y``: exact up to ``EXACT_CHARS`` characters a side;
    beyond, ``token_diff.token_similarity`` over their code points (cut into pieces at
    shared runs: a lower bound, linear in the length, where the exact one is quadratic).
    An exact similarity under ``cutoff`` may be returned as 0.0 (it is then cheaper)."""
    if max(len(x), len(y)) <= EXACT_CHARS:
        # rapidfuzz turns the cutoff into a distance with float error (a similarity of
        # exactly 0.8 can miss a 0.8 cutoff): pass one a little under, and let the
        # caller's own comparison decide at the boundary.
        return indel_similarity(x, y, max(0.0, cutoff - 1e-3))

    def points(t: str) -> np.ndarray:
        return np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)

    return token_similarity(points(x), points(y))


def passage_groups(
    shared: Sequence[SharedSpan],
    text: Callable[[int], str],
    *,
    min_similarity: float = MIN_SIMILARITY,
    shares_more: Callable[[int, "PassageGroup", int], bool] | None = None,
) -> list[PassageGroup]:
    """Reused passages of ``shared`` (groups in 2+ documents), most documents first.

    ``text(doc)`` returns a document's text (called once per document).  Ties in the
    document count rank by total length, then by the text span.
    """
    if not 0.0 < min_similarity <= 1.0:
        raise ValueError(f"min_similarity must be in (0, 1]: {min_similarity!r}")
    graph = _SpanGraph.build(shared)
    if not graph.nodes:
        return []
    docs_text: dict[int, str] = {}
    keys: dict[int, str] = {}

    def key(u: int) -> str:
        got = keys.get(u)
        if got is None:
            d, s, e = graph.nodes[u]
            if d not in docs_text:
                docs_text[d] = text(d)
            got = keys[u] = _key(docs_text[d][s:e])
        return got

    out: list[PassageGroup] = []
    group_of: dict[int, int] = {}
    for comp in graph.uf.groups(min_size=2):
        if len({graph.nodes[u][0] for u in comp}) < 2:
            continue
        for rep, members in _split_component(comp, graph, key, min_similarity):
            group = _group(rep, members, graph.nodes)
            if group is not None:
                for u, _ in members:
                    group_of[u] = len(out)
                out.append(group)
    out = _with_pairs(out, shared, graph.ends, group_of)
    if shares_more is not None:
        out = [_with_boilerplate(g, shared, shares_more) for g in out]
    out.sort(key=lambda g: (-g.documents, -sum(e - s for _, s, e, _ in g.occurrences), g.text_doc, g.text_start))
    return out


@dataclass(frozen=True, slots=True)
class _SpanGraph:
    """The candidate graph of ``passage_groups``: one node per distinct ``(doc, start,
    end)`` span, joined when an aligned passage links two spans or when two spans of one
    document are almost the same stretch (``_SAME_SPAN``); ``degree``: aligned partners
    of each span; ``ends``: the two nodes of each shared passage."""

    nodes: list[tuple[int, int, int]]
    ends: list[tuple[int, int]]
    uf: UnionFind
    degree: list[int]

    @classmethod
    def build(cls, shared: Sequence[SharedSpan]) -> _SpanGraph:
        node_of: dict[tuple[int, int, int], int] = {}
        nodes: list[tuple[int, int, int]] = []

        def node(d: int, s: int, e: int) -> int:
            k = (d, s, e)
            got = node_of.get(k)
            if got is None:
                got = node_of[k] = len(nodes)
                nodes.append(k)
            return got

        ends = [(node(x.a, x.a_start, x.a_end), node(x.b, x.b_start, x.b_end)) for x in shared]
        uf = UnionFind(len(nodes))
        degree = [0] * len(nodes)
        for u, v in ends:
            uf.union(u, v)
            degree[u] += 1
            degree[v] += 1
        order = sorted(range(len(nodes)), key=nodes.__getitem__)
        for pos, u in enumerate(order):
            d, s, e = nodes[u]
            for q in range(pos + 1, len(order)):
                v = order[q]
                d2, s2, e2 = nodes[v]
                if d2 != d or s2 >= e:
                    break
                if min(e, e2) - s2 >= _SAME_SPAN * max(e - s, e2 - s2):
                    uf.union(u, v)
        return cls(nodes, ends, uf, degree)


def _split_component(
    comp: list[int], graph: _SpanGraph, key: Callable[[int], str], min_similarity: float
) -> list[tuple[int, list[tuple[int, float]]]]:
    """A connected component split into groups of matching text: ``(representative,
    [(span, similarity to its text)])`` each.  Greedy: the most-linked span's text starts
    a group, every span matching it joins, the rest start the next groups."""
    # Most-linked span first: it starts the first group, so the commonest text leads.
    # Spans with the same case-folded text are tried once, as one.
    same: dict[str, list[int]] = {}
    for u in sorted(comp, key=lambda u: (-graph.degree[u], graph.nodes[u])):
        same.setdefault(key(u), []).append(u)
    out: list[tuple[int, list[tuple[int, float]]]] = []
    left = list(same)
    while left and (len(left) >= 2 or len(same[left[0]]) >= 2):
        kr, rest = left[0], left[1:]
        members = [(u, 1.0) for u in same[kr]]
        unplaced = []
        lr = len(kr)
        for ku in rest:
            lu = len(ku)
            # Cheapest check first: indel similarity is at most 2 min / (sum) of lengths.
            if lr + lu and 2 * min(lr, lu) < min_similarity * (lr + lu):
                unplaced.append(ku)
                continue
            sim = _similar(kr, ku, min_similarity)
            if sim >= min_similarity:
                members += [(u, sim) for u in same[ku]]
            else:
                unplaced.append(ku)
        left = unplaced
        out.append((same[kr][0], members))
    return out


def _with_pairs(
    groups: list[PassageGroup], shared: Sequence[SharedSpan], ends: list[tuple[int, int]], group_of: dict[int, int]
) -> list[PassageGroup]:
    """The groups with their pairs: those whose aligned passage has both ends in them."""
    pairs: list[set[int]] = [set() for _ in groups]
    spans: list[list[int]] = [[] for _ in groups]
    for k, (x, (u, v)) in enumerate(zip(shared, ends)):
        g = group_of.get(u)
        if g is not None and group_of.get(v) == g:
            pairs[g].add(x.pair)
            spans[g].append(k)
    return [
        PassageGroup(g.text_doc, g.text_start, g.text_end, g.occurrences, tuple(sorted(p)), False, tuple(sp))
        for g, p, sp in zip(groups, pairs, spans)
    ]


def _group(
    rep: int,
    members: list[tuple[int, float]],
    nodes: list[tuple[int, int, int]],
) -> PassageGroup | None:
    """One group from its members; overlapping spans of one document keep the best match."""
    kept: list[tuple[int, int, int, float]] = []
    by_doc: dict[int, list[tuple[int, int]]] = {}
    for u, sim in sorted(members, key=lambda m: (nodes[m[0]][0], -m[1], nodes[m[0]][1])):
        d, s, e = nodes[u]
        taken = by_doc.setdefault(d, [])  # disjoint spans, by start (so by end too)
        at = bisect_left(taken, (s, e))
        if (at and taken[at - 1][1] > s) or (at < len(taken) and taken[at][0] < e):
            continue  # overlaps a span kept already (only neighbours can)
        taken.insert(at, (s, e))
        kept.append((d, s, e, round(sim, 4)))
    if len({k[0] for k in kept}) < 2:
        return None
    kept.sort()
    d, s, e = nodes[rep]
    return PassageGroup(d, s, e, tuple(kept), (), False)


def _with_boilerplate(
    g: PassageGroup, shared: Sequence[SharedSpan], shares_more: Callable[[int, PassageGroup, int], bool]
) -> PassageGroup:
    if g.documents < BOILERPLATE_DOCS or not g.pairs:
        return g
    inside: dict[int, int] = {}
    for k in g.spans:
        inside[shared[k].pair] = inside.get(shared[k].pair, 0) + 1
    other = sum(1 for p in g.pairs if shares_more(p, g, inside[p]))
    if other >= BOILERPLATE_OTHER * len(g.pairs):
        return g
    return PassageGroup(g.text_doc, g.text_start, g.text_end, g.occurrences, g.pairs, True, g.spans)
