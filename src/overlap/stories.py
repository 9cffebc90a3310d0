"""Story clusters that do not chain: weighted evidence, average-linkage merging.

``Evidence``
    One link between documents ``a`` and ``b`` (indices): its ``weight`` in [0, 1] and
    its ``reason`` (``near_duplicate``, ``long_passage``, ``short_passage``,
    ``same_event``, ``shared_vocabulary``).
``link_weight(*, near_duplicate, passage_chars, passage_coverage, same_event_names, min_names, vocabulary) -> tuple[float, str]``
    The weight and reason of one pair from what the scan found about it.
``cluster(n, links, *, threshold=MERGE_THRESHOLD) -> list[list[int]]``
    Groups of 2+ documents, each ascending, largest first.
``cluster_arrays(n, a, b, weight, *, threshold=MERGE_THRESHOLD, compiled=None) -> list[list[int]]``
    The same for links held as arrays (millions of them), compiled when numba is usable.
``story_components(n, a, b, weight, *, threshold=MERGE_THRESHOLD) -> np.ndarray``
    Each document's component in the graph of links of at least ``threshold``: no
    story spans two, and links between two never change ``cluster``'s groups, so a
    caller with millions of weak links can drop those first.
``vocabulary_weights(cosine) -> np.ndarray``
    ``link_weight``'s weight of rare-vocabulary-only links, for arrays of them.
``round6(x) -> np.ndarray``
    Python's ``round(v, 6)`` of every value, vectorised (``link_weight``'s rounding).

Why not connected components: one shared footer sentence or one same-event match
between two unrelated articles joins their whole stories, and on news each such link
chains further, into "stories" of hundreds of unrelated articles.  Here two groups
merge only when the *mean* weight over *every* pair of their members (a missing link
counts 0) reaches ``threshold``: the average linkage of agglomerative clustering, run
greedily on the sparse link graph, best pair first.  A single bridge between two dense
groups of sizes p and q adds at most 1 / (p q) to that mean, so it never merges them,
while a group whose members are all linked to each other merges at once.

Evidence weights, strongest first: a near-duplicate (1.0); a long shared passage
(``LONG_PASSAGE_CHARS`` characters covering ``LONG_PASSAGE_COVERAGE`` of either text,
0.9); a shorter one (0.8 plus its coverage, at most 0.9); shared distinctive names and
a date (same event: 0.8, plus 0.05 per name beyond the minimum, at most 0.9); shared
rare vocabulary (``overlap.vocabulary``: five times its cosine, at most 0.9).  Evidence
of several kinds on one pair combines as a noisy-or (``1 - prod(1 - w)``).  Any one
link can join two single documents, but a document joins a group of k only when its
links to the group sum to 0.8 k: to a story of three, by links to all three (a
passage, a name match or shared vocabulary each), never through one member alone.
The weights and threshold were chosen on VietnameseMDS and checked on Baomoi
(``benchmarks/quality/stories.py``).

Cost: O(E log E) for E links (a heap of candidate merges; each merge folds the smaller
group's neighbour sums into the larger's, O(E log n) updates in all).  Deterministic:
ties break on the smallest member indices, never on input order of the links.  From
``COMPILED_MIN_LINKS`` links on the loop runs compiled (``overlap.kernels_stories``: one
hash table of links instead of a dict per group), with the same float operations in the
same order, so the groups are the same either way.

>>> links = [Evidence(0, 1, 1.0, "near_duplicate"), Evidence(1, 2, 1.0, "near_duplicate"),
...          Evidence(0, 2, 1.0, "near_duplicate"), Evidence(2, 3, 0.8, "short_passage"),
...          Evidence(3, 4, 1.0, "near_duplicate")]
>>> cluster(5, links)
[[0, 1, 2], [3, 4]]
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "COMPILED_MIN_LINKS",
    "Evidence",
    "LONG_PASSAGE_CHARS",
    "MERGE_THRESHOLD",
    "cluster",
    "cluster_arrays",
    "story_components",
    "link_weight",
    "round6",
    "vocabulary_weights",
]

MERGE_THRESHOLD = 0.8
"""Two groups merge when the mean weight over all their member pairs reaches this."""

LONG_PASSAGE_CHARS = 200
"""Shared passages totalling at least this many characters (of the shorter side) are long."""

LONG_PASSAGE_COVERAGE = 0.3
"""... and covering at least this share of one of the two texts."""

_WEIGHTS = {
    "near_duplicate": 1.0,
    "long_passage": 0.9,
    "short_passage": 0.8,
    "same_event": 0.8,
}
_SAME_EVENT_EXTRA = 0.05  # per distinctive name beyond the minimum, up to 0.9
_VOCABULARY_MAX = 0.9
_COVERAGE_SLOPE = 1.0
_VOCABULARY_SCALE = 5.0
COMPILED_MIN_LINKS = 20_000
"""``cluster_arrays`` runs its compiled kernel from this many links on (loading numba
costs a fraction of a second that a small scan would notice)."""
_WEIGHT_SLACK = 1e-6  # ``story_components`` counts links this far below the threshold as strong


@dataclass(frozen=True, slots=True)
class Evidence:
    """A link between documents ``a`` < ``b`` (indices) of ``weight`` in [0, 1], for ``reason``."""

    a: int
    b: int
    weight: float
    reason: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"weight must be in [0, 1]: {self.weight!r}")


def link_weight(
    *,
    near_duplicate: bool = False,
    passage_chars: int = 0,
    passage_coverage: float = 0.0,
    same_event_names: int = 0,
    min_names: int = 3,
    vocabulary: float = 0.0,
) -> tuple[float, str]:
    """The weight in [0, 1] and the strongest kind of one pair's evidence.

    ``passage_chars``: characters of shared (non-boilerplate) passage text, and
    ``passage_coverage`` the larger share of either text they cover;
    ``same_event_names``: distinctive names shared when the pair is a same-event link
    (0 when it is not; ``min_names`` is the scan's minimum); ``vocabulary``: the
    rare-word cosine of the two texts (``overlap.vocabulary``), 0 when not measured.
    Returns ``(0.0, "")`` when nothing links the pair.

    >>> link_weight(passage_chars=120, passage_coverage=0.05)
    (0.85, 'short_passage')
    >>> link_weight(passage_chars=120, passage_coverage=0.05, same_event_names=3)
    (0.97, 'short_passage')
    """
    parts: list[tuple[float, str]] = []
    if near_duplicate:
        parts.append((_WEIGHTS["near_duplicate"], "near_duplicate"))
    if passage_chars >= LONG_PASSAGE_CHARS and passage_coverage >= LONG_PASSAGE_COVERAGE:
        parts.append((_WEIGHTS["long_passage"], "long_passage"))
    elif passage_chars > 0:
        w = min(_WEIGHTS["long_passage"], _WEIGHTS["short_passage"] + _COVERAGE_SLOPE * passage_coverage)
        parts.append((w, "short_passage"))
    if same_event_names > 0:
        extra = _SAME_EVENT_EXTRA * max(0, same_event_names - min_names)
        parts.append((min(0.9, _WEIGHTS["same_event"] + extra), "same_event"))
    if vocabulary > 0.0:
        parts.append((min(_VOCABULARY_MAX, _VOCABULARY_SCALE * vocabulary), "shared_vocabulary"))
    if not parts:
        return 0.0, ""
    miss = 1.0
    for w, _ in parts:
        miss *= 1.0 - w
    # The reason is the strongest *kind* present (parts are appended in that order), so
    # shared text is named before shared vocabulary even when the latter weighs more.
    return round(1.0 - miss, 6), parts[0][1]


def cluster(n: int, links: Iterable[Evidence], *, threshold: float = MERGE_THRESHOLD) -> list[list[int]]:
    """Average-linkage groups of ``0..n-1`` over weighted ``links``; groups of 2+, largest first.

    Two groups merge when the sum of link weights between them divided by the product of
    their sizes is at least ``threshold``; the best such pair merges first (ties: the
    pair whose smallest members are smallest).  Several links on one pair keep the
    largest weight.  Each group is ascending; groups are ordered by size, then first member.
    ``cluster_arrays`` does the same for links held as arrays.
    """
    links = list(links)
    for e in links:
        if e.a == e.b or not 0 <= e.a < n or not 0 <= e.b < n:
            raise ValueError(f"link must join two documents in [0, {n}): {e!r}")
    return cluster_arrays(
        n,
        np.fromiter((e.a for e in links), dtype=np.int64, count=len(links)),
        np.fromiter((e.b for e in links), dtype=np.int64, count=len(links)),
        np.fromiter((e.weight for e in links), dtype=np.float64, count=len(links)),
        threshold=threshold,
    )


def cluster_arrays(
    n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, *, threshold: float = MERGE_THRESHOLD,
    compiled: bool | None = None,
) -> list[list[int]]:
    """``cluster`` of the links ``(a[k], b[k], weight[k])``, for millions of them.

    ``compiled``: run the numba kernel (``overlap.kernels_stories``) when it is loadable
    (True), the Python loop (False), or the kernel from ``COMPILED_MIN_LINKS`` links on
    when ``overlap.jit`` allows it (None).  Both give the same groups, with the same float
    operations in the same order.  O(E log E) for E links; the kernel keeps one hash-table
    entry per link per end, the Python loop a dict entry (a few times the memory).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1]: {threshold!r}")
    lo, hi, w = _distinct_links(n, a, b, weight)
    kernels = None
    if compiled or (compiled is None and len(lo) >= COMPILED_MIN_LINKS):
        from .jit import load_kernels

        kernels = load_kernels()
    if kernels is None:
        return _average_linkage(lo.tolist(), hi.tolist(), w.tolist(), threshold)
    label = np.empty(n, dtype=np.int64)
    kernels.average_linkage_into(lo, hi, w, float(threshold), label)
    docs = np.flatnonzero(label >= 0)
    docs = docs[np.argsort(label[docs], kind="stable")]  # by group, members ascending
    cut = np.flatnonzero(np.diff(label[docs])) + 1
    groups = [g.tolist() for g in np.split(docs, cut) if len(g) >= 2]
    groups.sort(key=lambda m: (-len(m), m[0]))
    return groups


def _distinct_links(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lo, hi, weight)`` of each linked pair ``lo < hi`` once, ascending, with its largest
    weight; pairs of weight 0 are dropped (they link nothing).  O(E log E)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    w = np.asarray(weight, dtype=np.float64)
    if not a.shape == b.shape == w.shape:
        raise ValueError(f"a, b and weight must have one length: {len(a)}, {len(b)}, {len(w)}")
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    bad = np.flatnonzero((lo == hi) | (lo < 0) | (hi >= n) | ~((w >= 0.0) & (w <= 1.0)))
    if len(bad):
        k = int(bad[0])
        raise ValueError(f"link must join two documents in [0, {n}) with a weight in [0, 1]: "
                         f"({int(a[k])}, {int(b[k])}, {float(w[k])!r})")
    keep = w > 0.0
    code = lo[keep] * n + hi[keep]
    w = w[keep]
    del lo, hi, keep
    # By pair, then weight: each pair's last is its largest.  A scan's links are distinct
    # pairs in a few ascending runs, which a stable sort merges in linear time; only when
    # a pair repeats does the order need the weights (``lexsort``).
    order = np.argsort(code, kind="stable")
    ordered = code[order]
    if len(code) > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        order = np.lexsort((w, code))
        ordered = code[order]
    code, w = ordered, w[order]
    last = np.flatnonzero(np.append(code[1:] != code[:-1], True)) if len(code) else np.zeros(0, dtype=np.int64)
    lo, hi = np.divmod(code[last], n)
    return lo, hi, w[last]


def _average_linkage(lo: list[int], hi: list[int], weight: list[float], threshold: float) -> list[list[int]]:
    """``cluster_arrays``'s Python loop over distinct links ``lo[k] < hi[k]`` of weight > 0."""
    # Each group is named by its smallest member; nbr[g] maps neighbour group -> weight sum.
    nbr: dict[int, dict[int, float]] = {}
    members: dict[int, list[int]] = {}
    for a, b, w in zip(lo, hi, weight):
        nbr.setdefault(a, {})[b] = w
        nbr.setdefault(b, {})[a] = w
    for g in nbr:
        members[g] = [g]
    heap = [(-w, a, b) for a, b, w in zip(lo, hi, weight) if w >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        mean = nbr[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if abs(mean + neg) > 1e-12:
            continue  # stale entry: a newer one for this pair is on the heap
        # Merge b's group into a's; the merged group is named by its smallest member.
        da, db = nbr.pop(a), nbr.pop(b)
        da.pop(b, None)
        db.pop(a, None)
        if len(da) < len(db):
            da, db = db, da
        for g, w in db.items():
            da[g] = da.get(g, 0.0) + w
        keep = min(a, b)
        members[keep] = sorted(members.pop(a) + members.pop(b))
        nbr[keep] = da
        size = len(members[keep])
        for g, w in da.items():
            row = nbr[g]
            row.pop(a, None)
            row.pop(b, None)
            row[keep] = w
            m = w / (size * len(members[g]))
            if m >= threshold:
                heapq.heappush(heap, (-m, min(keep, g), max(keep, g)))
    groups = [m for m in members.values() if len(m) >= 2]
    groups.sort(key=lambda m: (-len(m), m[0]))
    return groups


def story_components(
    n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, *, threshold: float = MERGE_THRESHOLD
) -> np.ndarray:
    """Per document ``0..n-1``, a label: its component in the graph of the *strong* links
    (``weight >= threshold``) among ``(a[k], b[k], weight[k])``; a document without a
    strong link is alone in its component.

    Every ``cluster`` group lies inside one component: two groups merge only when the
    mean weight over their member pairs reaches ``threshold``, which needs at least one
    link of that weight between them.  So a link between two components only ever
    enters the mean of two groups that can never merge, and ``cluster`` over the links
    inside components gives the same groups; a caller with millions of weak links drops
    the others first.  Weights within a small slack of ``threshold`` count as strong, so
    that a weight rounded differently from the caller's never splits a component.
    Linear in the links times a few label-propagation rounds (numpy).

    >>> story_components(5, np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([0.9, 0.8, 0.5])).tolist()
    [0, 0, 0, 3, 4]
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1]: {threshold!r}")
    strong = np.asarray(weight, dtype=np.float64) >= threshold - _WEIGHT_SLACK
    sa = np.asarray(a, dtype=np.int64)[strong]
    sb = np.asarray(b, dtype=np.int64)[strong]
    label = np.arange(n, dtype=np.int64)
    while True:
        # Each end takes the smaller label of the link, then labels jump to their label's
        # label until stable: the smallest document of each component in a few rounds.
        low = np.minimum(label[sa], label[sb])
        new = label.copy()
        np.minimum.at(new, sa, low)
        np.minimum.at(new, sb, low)
        while True:
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def vocabulary_weights(cosine: np.ndarray, *, rounded: bool = True) -> np.ndarray:
    """``link_weight(vocabulary=c)[0]`` for every ``c`` of ``cosine`` (> 0), to the last bit,
    for arrays of millions of vocabulary links: the same float operations (the noisy-or of
    one part, ``1 - (1 - w)``), then ``round6``.  Without ``rounded``, the weight before
    rounding and the noisy-or.  Linear (numpy).
    """
    c = np.asarray(cosine, dtype=np.float64)
    w = np.minimum(_VOCABULARY_MAX, _VOCABULARY_SCALE * c)
    return round6(1.0 - (1.0 - w)) if rounded else w


def round6(x: np.ndarray) -> np.ndarray:
    """``[round(v, 6) for v in x]`` as float64, to the last bit, for millions of values.

    numpy rounds ``v * 1e6`` to an integer m and divides by 1e6, which is Python's result
    (the double nearest m / 10**6) whenever m is right; m can only be wrong when
    ``v * 1e6`` lies within rounding error of a half, and those few values are rounded
    by Python.  Linear (numpy).

    >>> round6(np.array([0.1234565, 2.675e-7, 0.5])).tolist() == [round(v, 6) for v in (0.1234565, 2.675e-7, 0.5)]
    True
    """
    v = np.asarray(x, dtype=np.float64)
    scaled = v * 1e6
    out = np.rint(scaled) / 1e6
    near_half = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    if len(near_half):
        out[near_half] = [round(float(t), 6) for t in v[near_half]]
    return out
