"""Assembly: linked pairs into pair records, clusters, reused passages and name variants.

``assemble(options, infos, store, found, events, counts, timings, t0, cluster_fn=None, vlinks=None) -> ScanResult``
    Stages 6-8 from the verified pairs, shared by both engines so they assemble identical
    results.
``linked_pairs(linked, events, event_comparison)``, ``vocabulary_codes(vocab, n)``, ``scan_counts(...)``
    What each driver hands ``assemble``, made the same way by both.
``VocabularyLinks``
    The rare-vocabulary links as arrays (pair codes and cosines).
``ClusterFn``
    A replacement for the local union-find near-duplicate clustering (the Spark engine's
    components).
``clusters(kind, ...)``, ``name_variants(...)``, ``headline(text)``
    The pieces, for a driver that needs one of them.

Stories come from ``overlap.stories``: each pair weighed by its evidence (near-duplicate,
long or short shared passage, same event, and rare shared vocabulary from
``overlap.vocabulary``, whose terms the signing workers sample), then average linkage,
so one weak link never chains two stories.  Reused passages come from
``overlap.reuse``: every occurrence matches its group's text.

Cost: small next to verification: linear in the linked pairs and their passages, plus
the vocabulary links' sort and one regex search of each document involved in a name
variant.  The story evidence stays numpy arrays (``stories.cluster_arrays`` clusters
them); a story's links are a ``LinkRun`` over them, whose ``Link`` records are made on access.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._arrays import isin_sorted, unique
from ..allocator import release_free_memory
from ..cluster import UnionFind
from ..records import Comparison, Span
from ..reuse import PassageGroup, SharedSpan, passage_groups
from ..stories import MERGE_THRESHOLD, cluster_arrays, link_weight, story_components, vocabulary_weights
from ..vocabulary import vocabulary_link_arrays
from .events import name_phrases
from .options import ScanOptions
from .records import (
    Cluster,
    DocInfo,
    Link,
    LinkColumns,
    LinkRun,
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
    "ClusterFn", "VocabularyLinks", "assemble", "blank_spans", "clusters", "headline", "linked_pairs", "name_variants",
    "scan_counts", "share_names_outside", "vocabulary_codes",
]

# (pair_by_code, boilerplate-only codes) -> (near-duplicate clusters, story clusters); the
# story clusters are ignored (stories always come from ``overlap.stories`` here)
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
    vlinks: VocabularyLinks | None = None,
) -> ScanResult:
    """Stages 6-8 from the verified pairs: pairs, clusters, reused passages, name variants.

    ``found``: ``(code, comparison)`` of every linked pair, ascending by code
    ``i * n + j`` (``linked_pairs``); ``events``: same-event evidence by code;
    ``counts``: the candidate and comparison counts of ``ScanStats`` (``scan_counts``);
    ``vlinks``: rare-vocabulary links (``vocabulary_codes``), None for no
    vocabulary links.  ``store`` gives the texts of at least the documents in ``found``
    and of those linked by vocabulary, and every id's input position (``index``).
    Shared by the local and Spark drivers so both engines assemble identical results.
    ``cluster_fn(pair_by_code, boiler_codes)``, if given, returns the near-duplicate
    clusters in place of the local union-find (the Spark engine computes the components
    on its executors; its second item is ignored): stories are always clustered here,
    by ``overlap.stories`` on the weighted evidence.  Cost: small next to verification
    (linear in the linked pairs and their passages).
    """
    n = len(infos)
    ids = [d.id for d in infos]
    groups, boiler_codes = _passage_groups(found, n, store)
    release_free_memory()  # the texts it read: pages freed among live records
    pair_by_code, links = _pair_records(o, infos, found, events, boiler_codes, vlinks)
    pairs = tuple(pair_by_code.values())
    if cluster_fn is None:
        dup_clusters = clusters("near_duplicate", n, ids, pair_by_code, lambda p: p.near_duplicate)
    else:
        dup_clusters = cluster_fn(pair_by_code, boiler_codes)[0]
    dup_clusters = tuple(_with_headline(c, store) for c in dup_clusters)
    groups_of_stories = cluster_arrays(n, links.a, links.b, links.weight, threshold=MERGE_THRESHOLD)
    story_clusters = _stories(groups_of_stories, links, vlinks, pair_by_code, n, ids, store)
    timings.append(("cluster", time.perf_counter() - t0))

    # ---- 7-8: name variants and the most reused passages
    t0 = time.perf_counter()
    variants = name_variants(pairs, story_clusters, store)
    reused = _reused(groups[: o.top_passages] if o.top_passages else groups, ids, store)
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


def linked_pairs(
    linked: Mapping[int, Comparison], events: Mapping[int, SameEvent], event_comparison: Callable[[int], Comparison]
) -> list[tuple[int, Comparison]]:
    """``assemble``'s ``found``: every pair linked by verification or by same-event
    evidence, ascending by code; an event pair's comparison is ``event_comparison(code)``."""
    return [(c, linked[c] if c in linked else event_comparison(c)) for c in sorted(set(linked) | set(events))]


@dataclass(frozen=True, slots=True)
class VocabularyLinks:
    """Rare-vocabulary links of a scan (``vocabulary_codes``): pair codes ``i * n + j``
    ascending, and each pair's cosine; arrays, because a large scan has millions."""

    codes: np.ndarray  # int64, ascending
    cosine: np.ndarray  # float64

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """The cosine of each of ``codes`` (0.0 for a pair without a link); O(k log L)."""
        codes = np.asarray(codes, dtype=np.int64)
        if not len(self.codes) or not len(codes):
            return np.zeros(len(codes))
        at = np.minimum(np.searchsorted(self.codes, codes), len(self.codes) - 1)
        return np.where(self.codes[at] == codes, self.cosine[at], 0.0)

    def documents(self, n: int) -> np.ndarray:
        """The documents with at least one link, ascending."""
        return unique(np.concatenate((self.codes // n, self.codes % n)))


def vocabulary_codes(vocab: list[np.ndarray], n: int) -> VocabularyLinks:
    """Rare-vocabulary links (``overlap.vocabulary.vocabulary_link_arrays``) by pair code.

    Computed once per scan by the driver: it also needs them to know which texts the
    stories' headlines read.  Cost: one sort of the documents' sampled terms."""
    i, j, cos = vocabulary_link_arrays(vocab)
    codes = i * n + j
    order = np.argsort(codes, kind="stable")  # already ascending: slices go by first document
    return VocabularyLinks(codes[order], cos[order])


def scan_counts(
    *, passage_windows: int, doc_candidates: int, passage_candidates: int, event_candidates: int, compared: int
) -> dict[str, int]:
    """The candidate and comparison counts ``assemble`` puts in ``ScanStats``."""
    return {
        "passage_windows": int(passage_windows),
        "doc_candidates": int(doc_candidates),
        "passage_candidates": int(passage_candidates),
        "event_candidates": int(event_candidates),
        "compared": int(compared),
    }


def _passage_groups(
    found: list[tuple[int, Comparison]], n: int, store: TextStore
) -> tuple[list[PassageGroup], set[int]]:
    """Reused-passage groups (``overlap.reuse``) of the linked pairs' passages, and the
    codes of the pairs that share only boilerplate (a passage repeated across unrelated
    documents)."""
    shared = [
        SharedSpan(c, i, x.a.start, x.a.end, j, x.b.start, x.b.end)
        for c, r in found
        for i, j in (divmod(c, n),)
        for x in r.passages
    ]
    near = {c: r.near_duplicate for c, r in found}
    npass = {c: len(r.passages) for c, r in found}
    phrase_cache: dict[tuple[int, tuple[tuple[int, int], ...]], set[str]] = {}

    def shares_more(c: int, g: PassageGroup, inside: int) -> bool:
        # A pair shares more than this passage: near-duplicate text, another passage, or
        # two name phrases outside it.
        if near[c] or inside < npass[c]:
            return True
        spans: dict[int, list[tuple[int, int]]] = {}
        for d, s_, e, _ in g.occurrences:
            spans.setdefault(d, []).append((s_, e))
        return share_names_outside(c, n, spans, store, phrase_cache)

    groups = passage_groups(shared, store.at, shares_more=shares_more)
    boiler_spans = {k for g in groups if g.boilerplate for k in g.spans}
    real = {x.pair for k, x in enumerate(shared) if k not in boiler_spans}
    return groups, {shared[k].pair for k in boiler_spans} - real


_REASONS = ("near_duplicate", "long_passage", "short_passage", "same_event", "shared_vocabulary")


@dataclass(frozen=True, slots=True)
class _StoryLinks:
    """The weighted story evidence as arrays (a large scan has millions of links): documents
    ``a < b``, ``weight`` and ``reason`` (an index into ``_REASONS``); the linked pairs
    first, ascending by code, then the pairs linked only by rare vocabulary, likewise."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    weight: np.ndarray  # float64
    reason: np.ndarray  # int8


def _pair_records(
    o: ScanOptions, infos: list[DocInfo], found: list[tuple[int, Comparison]], events: dict[int, SameEvent],
    boiler_codes: set[int], vlinks: VocabularyLinks | None,
) -> tuple[dict[int, PairResult], _StoryLinks]:
    """Each linked pair's ``PairResult``, and the weighted story evidence: linked pairs,
    then pairs linked only by rare vocabulary.

    A vocabulary-only link is kept only inside one of ``stories.story_components`` (the
    components of the links that reach the merge threshold): the others cannot change a
    story, and a large scan has millions of them, so they are dropped in numpy; the kept
    ones stay arrays too.  Linear in the linked pairs, plus numpy over the vocabulary links."""
    n = len(infos)
    ids = [d.id for d in infos]
    pair_by_code: dict[int, PairResult] = {}
    ea: list[int] = []
    eb: list[int] = []
    ew: list[float] = []
    er: list[int] = []
    fcodes = np.fromiter((c for c, _ in found), dtype=np.int64, count=len(found))
    fcos = vlinks.lookup(fcodes).tolist() if vlinks is not None else [0.0] * len(found)
    for (c, r), vc in zip(found, fcos):
        i, j = divmod(c, n)
        boiler = c in boiler_codes
        ev = events.get(c)
        if boiler:
            chars, cover = 0, 0.0
        else:
            sa, sb = r.shared_a, r.shared_b
            chars, cover = min(sa, sb), max(sa / max(1, infos[i].length), sb / max(1, infos[j].length))
        w, why = link_weight(
            near_duplicate=r.near_duplicate, passage_chars=chars, passage_coverage=cover,
            same_event_names=len(ev.names) if ev else 0, min_names=o.min_shared_names, vocabulary=vc,
        )
        pair_by_code[c] = PairResult(
            ids[i], ids[j], r.similarity, r.near_duplicate, r.passages, r.conflicts, ev,
            boilerplate=boiler, duplicate=r.duplicate, evidence=why, confidence=w,
        )
        if w > 0:
            ea.append(i)
            eb.append(j)
            ew.append(w)
            er.append(_REASONS.index(why))
    linked = _StoryLinks(np.array(ea, dtype=np.int64), np.array(eb, dtype=np.int64), np.array(ew, dtype=np.float64),
                         np.array(er, dtype=np.int8))
    if vlinks is None or not len(vlinks.codes):
        return pair_by_code, linked
    only = ~isin_sorted(vlinks.codes, fcodes) if len(fcodes) else np.ones(len(vlinks.codes), dtype=bool)
    codes, cos = vlinks.codes[only], vlinks.cosine[only]
    a, b = np.divmod(codes, n)
    del codes
    vw = vocabulary_weights(cos)  # link_weight(vocabulary=x) of each, to the last bit
    comp = story_components(
        n, np.concatenate((linked.a, a)), np.concatenate((linked.b, b)), np.concatenate((linked.weight, vw)),
        threshold=MERGE_THRESHOLD,
    )
    keep = comp[a] == comp[b]
    a, b, vw = a[keep], b[keep], vw[keep]
    reason = np.full(len(a), _REASONS.index("shared_vocabulary"), dtype=np.int8)
    return pair_by_code, _StoryLinks(
        np.concatenate((linked.a, a)), np.concatenate((linked.b, b)), np.concatenate((linked.weight, vw)),
        np.concatenate((linked.reason, reason)),
    )


def _reused(groups: list[PassageGroup], ids: list[str], store: TextStore) -> tuple[ReusedPassage, ...]:
    """The ``ReusedPassage`` record of each group: its text and every occurrence."""
    return tuple(
        ReusedPassage(
            store.at(g.text_doc)[g.text_start : g.text_end],
            tuple(Occurrence(ids[d], Span(s_, e), sim) for d, s_, e, sim in g.occurrences),
            g.boilerplate,
        )
        for g in groups
    )


def headline(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text`` (a news file's title), cut to ``limit`` characters."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def _with_headline(c: Cluster, store: TextStore) -> Cluster:
    """A near-duplicate cluster with its headline, each link's confidence (its
    ``DuplicateReason``'s) and its strength (mean confidence over all member pairs)."""
    conf = [e.pair.duplicate.confidence for e in c.evidence if e.pair is not None and e.pair.duplicate is not None]
    evidence = tuple(
        Link(e.a, e.b, e.reason, e.pair, e.pair.duplicate.confidence if e.pair and e.pair.duplicate else 0.0)
        for e in c.evidence
    )
    k = len(c.members)
    return Cluster(c.kind, c.members, evidence, headline(store.get(c.members[0])), sum(conf) / (k * (k - 1) / 2))


def _stories(
    groups: list[list[int]], links: _StoryLinks, vlinks: VocabularyLinks | None, pair_by_code: dict[int, PairResult],
    n: int, ids: list[str], store: TextStore,
) -> tuple[Cluster, ...]:
    """Story ``Cluster`` records of ``groups`` (``overlap.stories.cluster_arrays``): members in
    input order, every evidence link inside, strongest first; ranked by size, then strength.
    The links inside a group are picked and ordered in numpy and stay columns."""
    where = np.full(n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        where[members] = g
    ga = where[links.a]
    inside = np.flatnonzero((ga >= 0) & (ga == where[links.b]))
    g_in, w_in = ga[inside], links.weight[inside]
    # Summed in evidence order (bincount adds in input order), as the strengths always were.
    weight = np.bincount(g_in, weights=w_in, minlength=len(groups)).tolist()
    # Each story's links strongest first, then by their documents' input order (an id's
    # position is its index): one numpy sort, where a Python sort per story took seconds.
    order = np.lexsort((links.b[inside], links.a[inside], -w_in, g_in))
    inside = inside[order]
    a, b = links.a[inside], links.b[inside]
    codes = a * n + b
    cos = vlinks.lookup(codes) if vlinks is not None else np.zeros(len(inside))
    # The links stay columns; each story's evidence is a run of them (``LinkRun``) that
    # makes its ``Link`` records on access: millions of records are not built or held.
    cols = LinkColumns(ids, n, codes, links.reason[inside], w_in[order], cos, pair_by_code, _REASONS)
    cut = np.searchsorted(g_in[order], np.arange(len(groups) + 1)).tolist()
    out: list[tuple[int, float, int, LinkRun, list[int]]] = []
    for g, (members, w) in enumerate(zip(groups, weight)):
        k = len(members)
        out.append((-k, -w / (k * (k - 1) / 2), members[0], LinkRun(cols, cut[g], cut[g + 1]), members))
    out.sort(key=lambda t: t[:3])
    return tuple(
        Cluster("story", tuple(ids[m] for m in members), ev, headline(store.at(members[0])), -strength)
        for _, strength, _, ev, members in out
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
