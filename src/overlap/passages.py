"""The record of one verbatim alignment: its passage, edit blocks, conflicts and variants.

``trim_edges(al, a, b) -> Alignment``
    Cut a few matching tokens an alignment took from the next or previous sentence.
``slot_extend(al, a, b) -> Alignment``
    Take in one differing name or number at an edge (the same slot on both sides).
``passage_record(al, a, b, flip=False) -> (Passage, conflicts, variants)``
    The passage of one alignment, its edit blocks, and the conflicts and variants
    ``overlap.conflicts.classify`` finds in them.

Cost: one token Levenshtein (``token_opcodes``) per passage, and cheap checks before
any edit block is classified.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np

from .align import Alignment
from .conflicts import Side, classify, may_hold_quantity
from .prepared import PreparedText
from .records import Conflict, Edit, Passage, SentencePair, Span, Variant
from .token_diff import LONG_PASSAGE, HashSeq, token_opcodes, token_similarity

__all__ = ["passage_record", "slot_extend", "trim_edges"]


def slot_extend(al: Alignment, a: PreparedText, b: PreparedText) -> Alignment:
    """Take in one differing token at a passage edge when both are the same kind of detail.

    The aligner stops at a mismatch with no match after it, so a changed name or number
    that opens or closes a passage ("Ryabkov nói" / "Lavrov nói" at the start of a
    text) would fall outside it.  Both tokens being names, or both numbers, makes them
    the same slot.
    """

    def same_slot(i: int, j: int) -> bool:
        wa, wb = a.word(i), b.word(j)
        if any(c.isdigit() for c in wa) and any(c.isdigit() for c in wb):
            return True
        # A name is capitalised: the cheap test first (it spares most texts their flags).
        return a.capitalised(i) and b.capitalised(j) and a.names[i] and b.names[j]

    a0, a1, b0, b1, m = al.a_start, al.a_end, al.b_start, al.b_end, al.matched
    if a0 > 0 and b0 > 0 and a.gap_is_space(a0 - 1) and b.gap_is_space(b0 - 1) and same_slot(a0 - 1, b0 - 1):
        a0, b0 = a0 - 1, b0 - 1
    na, nb = len(a.tokens), len(b.tokens)
    if a1 < na and b1 < nb and a.gap_is_space(a1 - 1) and b.gap_is_space(b1 - 1) and same_slot(a1, b1):
        a1, b1 = a1 + 1, b1 + 1
    return Alignment(a0, a1, b0, b1, m)


def trim_edges(al: Alignment, a: PreparedText, b: PreparedText, min_piece: int = 3) -> Alignment:
    """Cut a few matching tokens a passage took from the next or previous sentence.

    Extension stops only at a mismatch, so a passage that ends a paragraph can take the
    next paragraph's first word when both happen to start alike ("... Ukraine. Trong").
    A piece of fewer than ``min_piece`` tokens of a sentence that goes on outside the
    passage is cut when it is the same on both sides.
    """
    a0, a1, b0, b1 = al.a_start, al.a_end, al.b_start, al.b_end
    ha, hb = a.hlist, b.hlist

    def piece(doc: PreparedText, lo: int, hi: int, tail: bool) -> int:
        r0, r1 = doc.sentence_run(hi - 1 if tail else lo)
        inside = min(hi, r1) - max(lo, r0)
        return inside if inside < min_piece and inside < r1 - r0 and inside < hi - lo else 0

    t = max(piece(a, a0, a1, True), piece(b, b0, b1, True))
    if t and a1 - t > a0 and ha[a1 - t : a1] == hb[b1 - t : b1]:
        a1, b1 = a1 - t, b1 - t
    h = max(piece(a, a0, a1, False), piece(b, b0, b1, False))
    if h and a0 + h < a1 and ha[a0 : a0 + h] == hb[b0 : b0 + h]:
        a0, b0 = a0 + h, b0 + h
    if (a0, a1, b0, b1) == (al.a_start, al.a_end, al.b_start, al.b_end):
        return al
    return Alignment(a0, a1, b0, b1, al.matched - (al.a_end - a1) - (a0 - al.a_start))


# Capitalised words that stand next to names without being part of them.
_NOT_NAMES = frozenset(
    "nga mỹ anh pháp đức trung quốc nhật hàn ấn ukraine kremlin điện nhà trắng ông bà "
    "tổng thống thủ tướng bộ trưởng mr mrs ms dr president minister russia russian us "
    "american ukrainian uk eu nato".split()
)


def _grow(doc: PreparedText, lo: int, hi: int, other: PreparedText, olo: int, ohi: int, kind: str) -> tuple[int, int, int, int]:
    """Widen a conflict over neighbours equal on both sides: the rest of a name, a unit."""
    ha, hb = doc.tokens.hashes, other.tokens.hashes
    if kind in ("spelling", "name"):
        # One name token on each side at most ("Sergei Ryabkov"), and not a country or
        # title that merely stands next to the name ("Nga Maria Zakharova").
        if lo > 0 and olo > 0 and ha[lo - 1] == hb[olo - 1] and doc.names[lo - 1] and other.names[olo - 1] \
                and doc.gap_is_space(lo - 1) and other.gap_is_space(olo - 1) \
                and doc.word(lo - 1).lower() not in _NOT_NAMES:
            lo, olo = lo - 1, olo - 1
        if hi < len(ha) and ohi < len(hb) and ha[hi] == hb[ohi] and doc.names[hi] and other.names[ohi] \
                and doc.gap_is_space(hi - 1) and other.gap_is_space(ohi - 1) \
                and doc.word(hi).lower() not in _NOT_NAMES:
            hi, ohi = hi + 1, ohi + 1
    else:
        # A number and its unit or date marker read as one: "năm 2014", "7,5 giờ".
        has_digit = any(ch.isdigit() for i in range(lo, hi) for ch in doc.word(i))
        if lo > 0 and olo > 0 and ha[lo - 1] == hb[olo - 1] and doc.gap_is_space(lo - 1) and other.gap_is_space(olo - 1):
            before = doc.word(lo - 1)
            if before.lower() in ("năm", "ngày", "tháng", "in", "on", "since") or (
                not has_digit and any(ch.isdigit() for ch in before)
            ):
                lo, olo = lo - 1, olo - 1
        if has_digit and hi < len(ha) and ohi < len(hb) and ha[hi] == hb[ohi] and doc.gap_is_space(hi - 1) \
                and other.gap_is_space(ohi - 1) and doc.word(hi).isalpha():
            hi, ohi = hi + 1, ohi + 1
    return lo, hi, olo, ohi


def _side(doc: PreparedText, lo: int, hi: int) -> Side:
    # A syllable hyphenated to a name belongs to it: "Tô-ki-ô", "Ma-lai-xi-a".
    names = list(doc.names[lo:hi])  # a copy: the loop below changes it
    text, starts, ends = doc.text, doc.ostarts, doc.oends
    for k in range(1, len(names)):
        if not names[k] and names[k - 1] and text[ends[lo + k - 1] : starts[lo + k]] == "-":
            names[k] = True
    tokens = tuple([text[s:e] for s, e in zip(starts[lo:hi], ends[lo:hi])])
    caps = [t[:1].isupper() or (k > 0 and names[k]) for k, t in enumerate(tokens)]
    return Side(
        tokens=tokens,
        before=text[starts[lo - 1] : ends[lo - 1]] if lo > 0 else "",
        after=text[starts[hi] : ends[hi]] if hi < len(starts) else "",
        names=tuple(names),
        vietnamese=doc.vietnamese,
        caps=tuple(caps),
        text=text[starts[lo] : ends[hi - 1]] if hi > lo else "",
        initial=tuple(doc.initial[lo:hi]),
    )


def _uncapitalised(doc: PreparedText, lo: int, hi: int) -> bool:
    """Some token of the block is surely not capitalised as ``_side`` sets ``caps``.

    ``caps[k]`` is an upper-case first letter, or (k > 0) a name, where a token joined
    to a name by a hyphen counts as one: that case is left to ``classify``.
    """
    if not doc.capitalised(lo):
        return True
    upper, names, text, starts, ends = doc.upper, doc.names, doc.text, doc.ostarts, doc.oends
    for i in range(lo + 1, hi):
        if not upper[i] and not names[i] and text[ends[i - 1] : starts[i]] != "-":
            return True
    return False


def _no_quantity(doc: PreparedText, lo: int, hi: int) -> bool:
    """The block and its neighbours hold no digit and no number word (see ``may_hold_quantity``)."""
    starts, ends = doc.ostarts, doc.oends
    i0, i1 = max(lo - 1, 0), min(hi + 1, len(starts))
    text = doc.text
    return not may_hold_quantity([text[s:e].lower() for s, e in zip(starts[i0:i1], ends[i0:i1])])


def _surely_unclassified(a: PreparedText, lo: int, hi: int, b: PreparedText, olo: int, ohi: int) -> bool:
    """True when ``classify`` would surely return None for this block: cheap checks first.

    ``classify`` reads numbers only when both sides hold some, and otherwise wants blocks
    of at most 4 tokens, every one capitalised.  So a block where either side has no
    quantity cue, and that is too long or has an uncapitalised token, is neither.
    Building the two ``Side`` records costs several times more than these checks.
    """
    if hi - lo <= 4 and ohi - olo <= 4 and not _uncapitalised(a, lo, hi) and not _uncapitalised(b, olo, ohi):
        return False
    return _no_quantity(a, lo, hi) or _no_quantity(b, olo, ohi)


def _trim_punct(a: PreparedText, sa: Span, b: PreparedText, sb: Span) -> tuple[Span, Span]:
    """Extend both spans over punctuation that is the same on both sides (closing quote, full stop)."""
    ta, tb = a.view.text, b.view.text
    va0, va1 = a.view.to_view(sa.start, sa.end)
    vb0, vb1 = b.view.to_view(sb.start, sb.end)
    for _ in range(3):
        if va1 < len(ta) and vb1 < len(tb) and ta[va1] == tb[vb1] and not ta[va1].isalnum() and not ta[va1].isspace():
            va1, vb1 = va1 + 1, vb1 + 1
        else:
            break
    for _ in range(3):
        if va0 > 0 and vb0 > 0 and ta[va0 - 1] == tb[vb0 - 1] and ta[va0 - 1] in "\"'([" :
            va0, vb0 = va0 - 1, vb0 - 1
        else:
            break
    oa = a.view.to_original(va0, va1)
    ob = b.view.to_original(vb0, vb1)
    return Span(*oa), Span(*ob)


def passage_record(al: Alignment, a: PreparedText, b: PreparedText, flip: bool = False) -> tuple[Passage, list[Conflict], list[Variant]]:
    """The passage record of one alignment, with its conflicts and variants.

    ``flip``: the caller aligned the texts in swapped order; records come out with their
    sides swapped back (built once, in the caller's orientation).
    """
    hla, hlb = a.hlist, b.hlist
    ha, hb = _hashes(hla, al.a_start, al.a_end), _hashes(hlb, al.b_start, al.b_end)
    ops = token_opcodes(ha, hb)
    # A passage starts and ends on shared words: drop words only one side has at an edge
    # (a changed word in the same slot, a "replace", stays: it is a detail to report).
    indel = ("insert", "delete")
    head = ops[0] if ops and ops[0][0] in indel else None
    tail = ops[-1] if len(ops) > 1 and ops[-1][0] in indel else None
    if head or tail:
        a0, b0 = (head[2], head[4]) if head else (0, 0)
        a1, b1 = (tail[1], tail[3]) if tail else (len(ha), len(hb))
        al = Alignment(al.a_start + a0, al.a_start + a1, al.b_start + b0, al.b_start + b1, al.matched)
        ha, hb = _hashes(hla, al.a_start, al.a_end), _hashes(hlb, al.b_start, al.b_end)
        ops = token_opcodes(ha, hb)
    identical = ha == hb
    amap, blocks = _edit_blocks(ops, len(ha))
    edits, conflicts, variants = _findings(al, a, b, ops, blocks, flip)
    variants.extend(_orthography(al, a, b, amap, ops, flip))
    # A passage where many figures differ is a template filled in twice (a market
    # report at noon and at the close, two provinces' results), not one story told
    # twice with a wrong figure: it tells different things, so no figure conflicts.
    figures = [c for c in conflicts if c.kind in ("number", "date")]
    if len(figures) >= _TEMPLATE_FIGURES:
        conflicts = [c for c in conflicts if c.kind not in ("number", "date")]

    pa, pb = _trim_punct(a, a.span(al.a_start, al.a_end), b, b.span(al.b_start, al.b_end))
    score = 1.0 if identical else token_similarity(ha, hb)
    pairs = _sentence_pairs(al, a, b, amap, pa, None if identical else (ha, hb), flip)
    same = 1.0 if identical else 2 * sum(op[2] - op[1] for op in ops if op[0] == "equal") / (len(ha) + len(hb))
    piecewise = not identical and max(len(ha), len(hb)) > LONG_PASSAGE
    if flip:
        return Passage(pb, pa, float(score), tuple(pairs), tuple(edits), same, piecewise), conflicts, variants
    return Passage(pa, pb, float(score), tuple(pairs), tuple(edits), same, piecewise), conflicts, variants


_Op = tuple[str, int, int, int, int]


def _hashes(h: memoryview, lo: int, hi: int) -> HashSeq:
    """Token hashes ``h[lo:hi]``: a list up to ``LONG_PASSAGE`` tokens (rapidfuzz reads
    lists, and lists compare fastest), else a view (no list of a whole book)."""
    return h[lo:hi].tolist() if hi - lo <= LONG_PASSAGE else h[lo:hi]


def _edit_blocks(ops: list[_Op], n: int) -> tuple[Sequence[int], list[list[int]]]:
    """Per a-token of the passage its b-token (or -1, ``_token_map``), and the edit
    blocks: maximal runs of non-equal opcodes ("100 nghìn" -> "100.000" is one block,
    not two)."""
    blocks: list[list[int]] = []
    prev_equal = True
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            prev_equal = True
            continue
        if prev_equal or not blocks:
            blocks.append([i1, i2, j1, j2])
        else:
            blocks[-1][1], blocks[-1][3] = i2, j2
        prev_equal = False
    return _token_map(ops, n), blocks


def _token_map(ops: list[_Op], n: int) -> Sequence[int]:
    """Per a-token of the passage its b-token, or -1 (a "replace" maps its extra a-tokens
    to its last b-token).

    An unchanged passage's map is a ``range`` (nothing built); up to ``LONG_PASSAGE``
    tokens it is a list; longer, an array read through a ``memoryview`` (Python ints at
    list speed): a list would cost about 40 bytes a token of a passage that can be a
    whole book.
    """
    if len(ops) == 1 and ops[0][0] == "equal":
        return range(ops[0][3], ops[0][4])
    if n <= LONG_PASSAGE:
        small = [-1] * n
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                small[i1:i2] = range(j1, j2)
            elif tag == "replace":
                last = j2 - 1
                small[i1:i2] = [j if j < last else last for j in range(j1, j1 + i2 - i1)]
        return small
    amap = np.full(n, -1, dtype=np.int64)
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            amap[i1:i2] = np.arange(j1, j2)
        elif tag == "replace":
            amap[i1:i2] = np.minimum(np.arange(j1, j1 + i2 - i1), j2 - 1)
    return amap.data.toreadonly()


def _findings(
    al: Alignment, a: PreparedText, b: PreparedText, ops: list[_Op], blocks: list[list[int]], flip: bool
) -> tuple[list[Edit], list[Conflict], list[Variant]]:
    """The edits of a passage's blocks, and the conflicts and variants ``classify`` finds in them."""
    edits: list[Edit] = []
    conflicts: list[Conflict] = []
    variants: list[Variant] = []
    if not blocks:
        return edits, conflicts, variants
    # Shared words right before and after each block: a name change is only trusted in
    # a slot both sides frame alike (a misaligned stretch has short, scattered matches).
    equal_at = {(op[1], op[3]): op[2] - op[1] for op in ops if op[0] == "equal"}
    equal_to = {(op[2], op[4]): op[2] - op[1] for op in ops if op[0] == "equal"}
    for i1, i2, j1, j2 in blocks:
        lo, hi, olo, ohi = al.a_start + i1, al.a_start + i2, al.b_start + j1, al.b_start + j2
        ea, eb = a.span(lo, hi), b.span(olo, ohi)
        edits.append(Edit(eb, ea) if flip else Edit(ea, eb))
        if lo == hi or olo == ohi:
            continue  # words on one side only: ``classify`` says None without looking
        if _surely_unclassified(a, lo, hi, b, olo, ohi):
            continue
        verdict = classify(_side(a, lo, hi), _side(b, olo, ohi))
        if verdict is None:
            continue
        kind, is_conflict = verdict
        if is_conflict and kind in ("name", "spelling"):
            before, after = equal_to.get((i1, j1), 0), equal_at.get((i2, j2), 0)
            if min(before, after) < 2 and max(before, after) < 4:
                continue
        glo, ghi, golo, gohi = _grow(a, lo, hi, b, olo, ohi, kind)
        sa, sb = a.span(glo, ghi), b.span(golo, gohi)
        ends = (sb, sa, sb.of(b.text), sa.of(a.text)) if flip else (sa, sb, sa.of(a.text), sb.of(b.text))
        if is_conflict:
            conflicts.append(Conflict(kind, *ends))
        else:
            variants.append(Variant(kind, *ends))
    return edits, conflicts, variants


_TEMPLATE_FIGURES = 4


def _mapped_to(ops: list[_Op], wanted: list[int]) -> list[int]:
    """The a-positions ``k`` with ``amap[k]`` in ``wanted`` (sorted b-positions), as
    ``_token_map`` maps them, read off the opcodes: one merge, where a search of the
    map costs a pass over the whole passage."""
    out: list[int] = []
    w, n = 0, len(wanted)
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal" and tag != "replace":
            continue  # a delete maps nothing, an insert has no a-positions
        while w < n and wanted[w] < j1:
            w += 1
        while w < n and wanted[w] < j2:
            t = wanted[w] - j1
            if tag == "equal":
                out.append(i1 + t)
            elif t < i2 - i1:
                # ``replace`` maps a-token i1 + t to min(j1 + t, j2 - 1): the last b-token
                # takes every a-token from there on.
                out.extend(range(i1 + t, i2) if j1 + t == j2 - 1 else (i1 + t,))
            w += 1
    return out


def _orthography(
    al: Alignment, a: PreparedText, b: PreparedText, amap: Sequence[int], ops: list[_Op], flip: bool = False
) -> list[Variant]:
    """Aligned words that are equal in the view but spelled differently ("Sỹ"/"Sĩ")."""
    # Two tokens with equal view hashes can differ in raw hash only when one of them
    # was changed by folding (raw hash != view hash): check those positions only.
    fa, fb = a.folded, b.folded
    a0, b0 = al.a_start, al.b_start
    lo_a, hi_a = bisect_left(fa, a0), bisect_left(fa, al.a_end)
    lo_b, hi_b = bisect_left(fb, b0), bisect_left(fb, al.b_end)
    if lo_a == hi_a and lo_b == hi_b:
        return []
    ks = {i - a0 for i in fa[lo_a:hi_a]}
    if lo_b < hi_b:
        ks.update(_mapped_to(ops, [j - b0 for j in fb[lo_b:hi_b]]))
    ha, hb = a.hlist, b.hlist
    out = []
    for k in sorted(ks):
        j = amap[k]
        if j < 0:
            continue
        i, j = a0 + k, b0 + j
        if ha[i] == hb[j] and a.raw_word(i) != b.raw_word(j):
            sa, sb = a.span(i, i + 1), b.span(j, j + 1)
            if flip:
                out.append(Variant("orthography", sb, sa, sb.of(b.text), sa.of(a.text)))
            else:
                out.append(Variant("orthography", sa, sb, sa.of(a.text), sb.of(b.text)))
    return out


def _sentence_pairs(
    al: Alignment, a: PreparedText, b: PreparedText, amap: Sequence[int], pa: Span,
    hashes: tuple[HashSeq, HashSeq] | None, flip: bool = False,
) -> list[SentencePair]:
    """Split a passage at a's sentence boundaries and pair each piece with its b-range.

    ``hashes``: the passage's token hashes on each side (``_hashes``), or None when the
    two sides are equal, and so is every piece.
    """
    out: list[SentencePair] = []
    s_starts, s_ends = a.sent_bounds
    starts, ends, b_starts, b_ends = a.ostarts, a.oends, b.ostarts, b.oends
    a0, a1 = al.a_start, al.a_end
    # Sentences are disjoint and in text order: those overlapping ``pa`` are one run.
    for k in range(bisect_right(s_ends, pa.start), bisect_left(s_starts, pa.end)):
        i = bisect_left(starts, s_starts[k], a0, a1) - a0
        j = bisect_left(starts, s_ends[k], a0, a1) - a0
        if j <= i:
            continue
        # Mapped b-positions never decrease along a, so the first and last mapped
        # tokens of the piece give its b-range.
        first = i
        while first < j and amap[first] < 0:
            first += 1
        if first == j:
            continue
        last = j - 1
        while amap[last] < 0:
            last -= 1
        bi, bj = al.b_start + amap[first], al.b_start + amap[last] + 1
        ai, aj = a0 + i, a0 + j
        if hashes is None:
            score = 1.0
        else:
            xa, xb = hashes[0][i:j], hashes[1][amap[first] : amap[last] + 1]
            score = 1.0 if xa == xb else token_similarity(xa, xb)
        # ``span`` of non-empty ranges (aj > ai, and bj > bi: the map never decreases).
        sa, sb = Span(starts[ai], ends[aj - 1]), Span(b_starts[bi], b_ends[bj - 1])
        out.append(SentencePair(sb, sa, float(score)) if flip else SentencePair(sa, sb, float(score)))
    return out
