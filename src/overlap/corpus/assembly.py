"""Assembly: linked pairs into pair records, clusters, reused passages and name variants.

``assemble(options, infos, store, found, events, counts, timings, t0, cluster_fn=None) -> ScanResult``
    Stages 6-8 from the verified pairs, shared by both engines so they assemble identical
    results.
``ClusterFn``
    A replacement for the local union-find clustering (the Spark engine's components).
``cluster_members(kind, pair_by_code, ...)``, ``passage_groups(...)``, ``name_variants(...)``
    The pieces, for a driver that needs one of them.

Cost: small next to verification: linear in the linked pairs and their passages, plus
one regex search of each document involved in a name variant.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..cluster import UnionFind
from ..records import Comparison, Span
from .events import name_phrases
from .options import ScanOptions
from .records import (
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
from .store import TextStore

__all__ = [
    "BOILER_DOCS", "BOILER_OTHER", "ClusterFn", "assemble", "blank_spans", "clusters", "name_variants", "passage_groups",
]

# (pair_by_code, boilerplate-only codes) -> (near-duplicate clusters, story clusters)
ClusterFn = Callable[[dict[int, PairResult], set[int]], tuple[tuple[Cluster, ...], tuple[Cluster, ...]]]


def assemble(
    o: ScanOptions,
    infos: list[DocInfo],
    store: TextStore,
    found: list[tuple[int, Comparison]],
    events: dict[int, SameEvent],
    counts: dict[str, int],
    timings: list[tuple[str, float]],
    t0: float,
    cluster_fn: ClusterFn | None = None,
) -> ScanResult:
    """Stages 6-8 from the verified pairs: pairs, clusters, reused passages, name variants.

    ``found``: ``(code, comparison)`` of every linked pair, ascending by code
    ``i * n + j``; ``events``: same-event evidence by code; ``counts``: the candidate
    and comparison counts of ``ScanStats``.  ``store`` gives the texts of at least
    the documents in ``found`` and every id's input position (``index``).  Shared by the
    local and Spark drivers so both engines assemble identical results.  ``cluster_fn(pair_by_code, boiler_codes)``, if
    given, returns ``(near_duplicate_clusters, story_clusters)`` in place of the local
    union-find (the Spark engine computes the components on its executors).  Cost:
    small next to verification (linked pairs and their passages only).
    """
    n = len(infos)
    ids = [d.id for d in infos]
    groups, boiler_codes = passage_groups(found, n, infos, store)
    pair_by_code: dict[int, PairResult] = {}
    for c, r in found:
        i, j = divmod(c, n)
        pair_by_code[c] = PairResult(
            ids[i], ids[j], r.similarity, r.near_duplicate, r.passages, r.conflicts, events.get(c),
            boilerplate=c in boiler_codes,
        )
    pairs = tuple(pair_by_code.values())
    if cluster_fn is None:
        dup_clusters = clusters("near_duplicate", n, ids, pair_by_code, lambda p: p.near_duplicate)
        story_clusters = clusters("story", n, ids, pair_by_code, lambda p: p.link != "boilerplate")
    else:
        dup_clusters, story_clusters = cluster_fn(pair_by_code, boiler_codes)
    timings.append(("cluster", time.perf_counter() - t0))

    # ---- 7-8: name variants and the most reused passages
    t0 = time.perf_counter()
    variants = name_variants(pairs, story_clusters, store)
    top = groups[: o.top_passages] if o.top_passages else groups
    reused = tuple(ReusedPassage(occ[0].span.of(store.get(occ[0].doc)), occ, b) for occ, b in top)
    timings.append(("report", time.perf_counter() - t0))

    stats = ScanStats(
        documents=n,
        characters=sum(d.length for d in infos),
        passage_windows=counts["passage_windows"],
        doc_candidates=counts["doc_candidates"],
        passage_candidates=counts["passage_candidates"],
        event_candidates=counts["event_candidates"],
        compared=counts["compared"],
        linked_pairs=len(pairs),
        timings=tuple(timings),
    )
    return ScanResult(
        documents=tuple(infos),
        pairs=pairs,
        near_duplicate_clusters=dup_clusters,
        story_clusters=story_clusters,
        name_variants=variants,
        reused_passages=reused,
        stats=stats,
        options=o,
        store=store,
    )


def clusters(
    kind: str, n: int, ids: list[str], pairs: dict[int, PairResult], keep: Callable[[PairResult], bool]
) -> tuple[Cluster, ...]:
    """Union-find clusters of ``kind`` over the pairs ``keep`` accepts, largest first,
    each with its evidence links (members in input order)."""
    uf = UnionFind(n)
    chosen = [(c, p) for c, p in pairs.items() if keep(p)]
    for c, _ in chosen:
        uf.union(*divmod(c, n))
    groups = uf.groups()
    where = {m: g for g, members in enumerate(groups) for m in members}
    evidence: list[list[Link]] = [[] for _ in groups]
    for c, p in chosen:
        g = where[c // n]
        evidence[g].append(Link(p.a, p.b, "near_duplicate" if kind == "near_duplicate" else p.link, p))
    out = [
        Cluster(kind, tuple(ids[m] for m in members), tuple(ev))
        for members, ev in zip(groups, evidence)
    ]
    out.sort(key=lambda c: -len(c.members))  # stable: ties keep first-member order
    return tuple(out)


def name_variants(pairs: tuple[PairResult, ...], stories: tuple[Cluster, ...], store: TextStore) -> tuple[NameVariant, ...]:
    """Group ``spelling`` conflicts into one record per name; find each spelling's occurrences."""
    found: list[tuple[str, str, str, str]] = []  # (a_text, b_text, a_id, b_id)
    for p in pairs:
        for c in p.conflicts:
            if c.kind == "spelling":
                found.append((c.a_text, c.b_text, p.a, p.b))
    if not found:
        return ()
    keys: dict[str, int] = {}
    for a, b, _, _ in found:
        for s in (a, b):
            keys.setdefault(variant_key(s), len(keys))
    uf = UnionFind(len(keys))
    for a, b, _, _ in found:
        uf.union(keys[variant_key(a)], keys[variant_key(b)])
    story_of = {m: c.members for c in stories for m in c.members}
    by_root: dict[int, dict[str, Any]] = {}
    for a, b, da, db in found:
        g = by_root.setdefault(uf.find(keys[variant_key(a)]), {"texts": {}, "pairs": {}, "docs": set()})
        g["texts"].setdefault(variant_key(a), a)
        g["texts"].setdefault(variant_key(b), b)
        g["pairs"][(da, db)] = None
        g["docs"].update(story_of.get(da, (da,)))
        g["docs"].update(story_of.get(db, (db,)))
    groups = list(by_root.values())
    found_at: list[dict[str, list[Occurrence]]] = []
    alts_of: list[list[str]] = []
    groups_of: dict[str, list[int]] = {}
    for gi, g in enumerate(groups):
        alts = sorted(g["texts"].values(), key=lambda t: (-len(t), t))
        alts_of.append(alts)
        found_at.append({t: [] for t in alts})
        for d in g["docs"]:
            groups_of.setdefault(d, []).append(gi)
    finder = _SpellingFinder(alts_of)
    # Each document is read once for all the groups that search it: a big story is
    # searched by many groups.
    for d in sorted(groups_of, key=store.index):
        text = store.get(d)
        for gi, st, end in finder.find(text, groups_of[d]):
            found_at[gi][text[st:end]].append(Occurrence(d, Span(st, end)))
    out: list[NameVariant] = []
    for g, occ in zip(groups, found_at):
        spellings = [Spelling(shown, tuple(occ[shown])) for shown in g["texts"].values()]
        spellings.sort(key=lambda s: (-len(s.docs), s.text))
        if len([s for s in spellings if s.occurrences]) < 2:
            continue
        out.append(NameVariant(tuple(spellings), tuple(g["pairs"])))
    out.sort(key=lambda v: (-sum(len(s.docs) for s in v.spellings), v.spellings[0].text))
    return tuple(out)


_WORD = re.compile(r"\w+")


def _is_word(ch: str) -> bool:
    """Whether ``ch`` is a ``\\w`` character of ``re`` (a letter, digit or underscore)."""
    return ch.isalnum() or ch == "_"


class _SpellingFinder:
    """Where the spellings of name-variant groups occur in a text, in one pass over it.

    Per group the result is exactly that of ``re.finditer`` with the group's spellings as
    alternatives, longest first, followed by ``(?!\\w)``: leftmost matches, the longest
    spelling at a position, the search going on after each match; matches that start
    inside a word are then dropped (a look-behind would be tried at every position).
    One regex per group would read the text once per group, which is quadratic when a
    text holds many variant names.  Here each word of the text is read once: a
    spelling's first word must end where a word of the text ends, so each suffix of the
    word that is some spelling's first word is looked up, then each length of the
    spellings that start with it.  The cost is linear in the text, times the number of
    distinct first-word lengths and spelling lengths (small), plus the matches.  A
    spelling that does not start with a word character is searched with its group's regex.
    """

    def __init__(self, alts_of: list[list[str]]) -> None:
        # first word -> spelling length -> spelling -> group
        self._first: dict[str, dict[int, dict[str, int]]] = {}
        self._regex: dict[int, re.Pattern[str]] = {}
        for gi, alts in enumerate(alts_of):
            heads = [_WORD.match(t) for t in alts]
            if not all(heads):
                self._regex[gi] = re.compile(r"(?:" + "|".join(re.escape(t) for t in alts) + r")(?!\w)")
                continue
            for t, m in zip(alts, heads):
                assert m is not None
                self._first.setdefault(m.group(), {}).setdefault(len(t), {})[t] = gi
        self._lengths = sorted({len(k) for k in self._first})

    def find(self, text: str, groups: list[int]) -> list[tuple[int, int, int]]:
        """``(group, start, end)`` of every occurrence in ``text`` of the spellings of ``groups``."""
        wanted = set(groups)
        hits: dict[int, list[tuple[int, int]]] = {gi: [] for gi in groups}
        first, lengths, size = self._first, self._lengths, len(text)
        for w in _WORD.finditer(text):
            ws, we = w.span()
            for k in lengths:
                if k > we - ws:
                    break
                by_length = first.get(text[we - k : we])
                if by_length is None:
                    continue
                st = we - k
                for length, spelled in by_length.items():
                    end = st + length
                    gi = spelled.get(text[st:end], -1)
                    if gi in wanted and (end == size or not _is_word(text[end])):
                        hits[gi].append((st, -length))
        out: list[tuple[int, int, int]] = []
        for gi in groups:
            rx = self._regex.get(gi)
            found = [(m.start(), m.end()) for m in rx.finditer(text)] if rx else _leftmost(hits[gi])
            out.extend((gi, st, end) for st, end in found if not (st and _is_word(text[st - 1])))
        return out


def _leftmost(hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` of the matches ``finditer`` keeps among ``(start, -length)`` hits:
    in text order, the longest at each start, none starting inside the previous one."""
    out: list[tuple[int, int]] = []
    free = 0
    for st, neg in sorted(hits):
        if st >= free:
            free = st - neg
            out.append((st, free))
    return out


def variant_key(s: str) -> str:
    """How spellings are grouped: case-folded, white space collapsed."""
    return " ".join(s.casefold().split())


def passage_groups(
    found: list[tuple[int, Comparison]], n: int, infos: list[DocInfo], store: TextStore
) -> tuple[list[tuple[tuple[Occurrence, ...], bool]], set[int]]:
    """Group passage spans into reused passages; flag boilerplate; find boilerplate-only pairs.

    Two spans of one document are the same passage when they overlap by at least half
    of the shorter one; the two sides of a shared passage are the same passage.  Groups
    are ranked by distinct documents, then total length.

    A group is *boilerplate* (a site footer such as "Mọi phản ánh ... Hotline", a legal
    disclaimer) when it spans at least ``BOILER_DOCS`` (5) documents and fewer than
    ``BOILER_OTHER`` (20%) of the pairs it links share anything else (another passage,
    near-duplicate text, or two name phrases outside it): the same text in many
    otherwise unrelated documents.  A
    widely syndicated story is not boilerplate, because its copies share more than one
    passage with each other.  Returns ``(groups, codes)``:
    groups as ``(occurrences, boilerplate)`` and the codes of pairs whose passages are
    all boilerplate.
    """
    nodes: list[tuple[int, int, int]] = []  # (doc index, start, end)
    owner: list[int] = []  # pair code of each node
    for c, r in found:
        ia, ib = divmod(c, n)
        for x in r.passages:
            nodes.append((ia, x.a.start, x.a.end))
            nodes.append((ib, x.b.start, x.b.end))
            owner += [c, c]
    if not nodes:
        return [], set()
    near = {c: r.near_duplicate for c, r in found}
    phrase_cache: dict[tuple[int, tuple[tuple[int, int], ...]], set[str]] = {}
    npass = {c: len(r.passages) for c, r in found}
    uf = UnionFind(len(nodes))
    for u in range(0, len(nodes), 2):
        uf.union(u, u + 1)
    order = sorted(range(len(nodes)), key=lambda i: nodes[i])
    total = len(order)
    for pos, u in enumerate(order):
        d, s, e = nodes[u]
        # Walk forward by index (a slice would copy the rest of the list: quadratic).
        for q in range(pos + 1, total):
            v = order[q]
            d2, s2, e2 = nodes[v]
            if d2 != d or s2 >= e:
                break
            if min(e, e2) - s2 >= 0.5 * min(e - s, e2 - s2):
                uf.union(u, v)
    ids = [d.id for d in infos]
    ranked = []
    boiler_nodes: set[int] = set()
    for g in uf.groups(min_size=2):
        spans: dict[int, list[tuple[int, int]]] = {}
        for u in g:
            d, s, e = nodes[u]
            spans.setdefault(d, []).append((s, e))
        occ: list[tuple[int, int, int]] = []
        for d in sorted(spans):
            merged: list[list[int]] = []
            for s, e in sorted(spans[d]):
                if merged and s <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            occ.extend((d, s, e) for s, e in merged)
        if len(spans) < 2:
            continue
        boiler = False
        if len(spans) >= BOILER_DOCS:
            # Pairs linked through this group, and how many of them share anything else.
            inside: dict[int, int] = {}
            for u in g:
                inside[owner[u]] = inside.get(owner[u], 0) + 1
            gspans = {d: sp for d, sp in spans.items()}
            other = sum(
                1 for c, k in inside.items()
                if near[c] or k < 2 * npass[c] or share_names_outside(c, n, gspans, store, phrase_cache)
            )
            boiler = other < BOILER_OTHER * len(inside)
        if boiler:
            boiler_nodes.update(g)
        total = sum(e - s for _, s, e in occ)
        ranked.append((len(spans), total, tuple(Occurrence(ids[d], Span(s, e)) for d, s, e in occ), boiler))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    real = {owner[u] for u in range(len(nodes)) if u not in boiler_nodes}
    boiler_codes = {owner[u] for u in boiler_nodes} - real
    return [(occ, b) for _, _, occ, b in ranked], boiler_codes


BOILER_DOCS = 5
"""A passage in this many documents or more may be boilerplate (``passage_groups``)."""
BOILER_OTHER = 0.2
"""... when fewer than this share of the pairs it links share anything else."""


def share_names_outside(
    c: int, n: int, spans: dict[int, list[tuple[int, int]]], store: TextStore,
    cache: dict[tuple[int, tuple[tuple[int, int], ...]], set[str]],
) -> bool:
    """Whether pair ``c`` shares two name phrases outside the passage spans in question."""

    def names(d: int) -> set[str]:
        key = (d, tuple(spans.get(d, ())))
        got = cache.get(key)
        if got is None:
            got = cache[key] = set(name_phrases(blank_spans(store.at(d), spans.get(d, ()))))
        return got

    i, j = divmod(c, n)
    return len(names(i) & names(j)) >= 2


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every character inside one of ``spans`` (``(start, end)``, in any order,
    overlapping or not) replaced by a space; linear in the text and the spans."""
    pieces: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        s = max(s, pos)
        if e <= s:
            continue
        pieces.append(text[pos:s])
        pieces.append(" " * (e - s))
        pos = e
    pieces.append(text[pos:])
    return "".join(pieces)
