"""One comparison as HTML: the two texts side by side, passages and conflicts marked.

``compare_view(cmp, a_text, b_text, a_name, b_name, view_id, prefix="") -> str``
    The panes and tables of one comparison (``<div class="view">``), which
    ``comparison_html`` wraps in a page and ``scan_html`` embeds once per linked pair.
``stats_list(cmp, a_name, b_name) -> str``
    The figures of a comparison as a list of badges.

The text inside each pane is the original text verbatim (``pane.textContent == text``).
Ranges may nest or overlap arbitrarily (two passages sharing text on one side, an edit
straddling a conflict); the markup is built from the sorted boundaries of all ranges, so
a range that crosses another is split into several elements rather than producing broken
HTML.  Cost: O(boundaries x ranges) string work per side.
"""

from __future__ import annotations

import html as _html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .html_page import KIND_BADGE, esc, excerpt, kind_rank, passage_colour
from .records import Comparison, Span

__all__ = ["compare_view", "stats_list"]


@dataclass(frozen=True, slots=True)
class _Range:
    """One range to mark: ``layer`` orders nesting (0 outermost), ``order`` breaks ties."""

    start: int
    end: int
    layer: int
    order: int
    open_first: str  # opening tag for the first fragment
    open_rest: str  # opening tag for later fragments (a range split by a crossing range)


def _markup(text: str, ranges: Sequence[_Range], points: Mapping[int, list[str]]) -> str:
    """Escaped ``text`` with every range wrapped in tags, well nested whatever the overlaps.

    ``points`` maps a position to markup inserted there (zero-width markers).  The text is
    cut at every boundary; for each segment the wanted stack of open ranges is computed and
    the current stack is closed down to the common prefix and reopened, so a crossing range
    becomes several elements.  Empty ranges are ignored (use ``points`` for those).
    """
    ranges = [r for r in ranges if r.start < r.end]
    n = len(text)
    cuts = sorted({0, n, *(r.start for r in ranges), *(r.end for r in ranges), *points})
    # Passages (layer 0) are outermost; below them a range that started earlier, or is
    # longer, encloses the others, so an edit inside a conflict (or the reverse) nests
    # without splitting; only truly crossing ranges are cut.
    key = lambda r: (r.layer > 0, r.start, -r.end, r.layer, r.order)  # noqa: E731
    ranges.sort(key=lambda r: r.start)
    out: list[str] = []
    stack: list[_Range] = []
    opened: set[int] = set()
    active: list[_Range] = []
    nxt_range = 0
    for i, pos in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else pos
        # Ranges covering [pos, end): drop finished ones, add those starting here.
        active = [r for r in active if r.end > pos]
        while nxt_range < len(ranges) and ranges[nxt_range].start <= pos:
            if ranges[nxt_range].end > pos:
                active.append(ranges[nxt_range])
            nxt_range += 1
        want = sorted(active, key=key) if end > pos else []
        k = 0
        while k < len(stack) and k < len(want) and stack[k] is want[k]:
            k += 1
        out.extend("</span>" for _ in stack[k:])
        # Zero-width markers go inside whatever is still open at this position.
        out.extend(points.get(pos, ()))
        for r in want[k:]:
            out.append(r.open_rest if id(r) in opened else r.open_first)
            opened.add(id(r))
        stack = want
        if end > pos:
            out.append(_html.escape(text[pos:end], quote=False))
    out.extend("</span>" for _ in stack)
    return "".join(out)


def _side_markup(cmp: Comparison, side: str, texts: dict[str, str], names: dict[str, str], prefix: str = "") -> str:
    """The marked-up text of one side (``"a"`` or ``"b"``) of a comparison; element ids start with ``prefix``."""
    other = "b" if side == "a" else "a"
    text = texts[side]
    ranges: list[_Range] = []
    points: dict[int, list[str]] = {}
    for pid, p in enumerate(cmp.passages, 1):
        span: Span = getattr(p, side)
        other_span: Span = getattr(p, other)
        bg, border = passage_colour(pid - 1)
        style = f"--bg:{bg};--bd:{border}"
        tip = (
            f"passage {pid}: {side} {span.start}–{span.end}, {other} {other_span.start}–"
            f"{other_span.end}, score {p.score:.2f}, verbatim {p.verbatim:.0%}. Click to show the other side."
        )
        # Built by concatenation, never str.format: names and ids are user text (issue 16).
        common = f'data-pid="{pid}" style="{style}"'
        ranges.append(
            _Range(
                span.start,
                span.end,
                0,
                pid,
                f'<span class="psg first" {common} id="{esc(prefix)}{side}-p{pid}" data-label="{pid}" '
                f'tabindex="0" role="button" title="{esc(tip)}">',
                f'<span class="psg" {common}>',
            )
        )
        for e in p.edits:
            mine: Span = getattr(e, side)
            theirs: Span = getattr(e, other)
            their_text = theirs.of(texts[other])
            if len(mine) == 0:
                if their_text.strip():
                    tip = f"{names[other]} has “{excerpt(their_text, 60)}” here"
                    points.setdefault(mine.start, []).append(
                        f'<span class="gap" title="{esc(tip)}"></span>'
                    )
                continue
            tip = (
                f"differs: {names[other]} has “{excerpt(their_text, 60)}”"
                if their_text.strip()
                else f"only in {names[side]}"
            )
            tag = f'<span class="edit" title="{esc(tip)}">'
            ranges.append(_Range(mine.start, mine.end, 1, len(ranges), tag, tag))
    for cid, c in enumerate(cmp.conflicts, 1):
        mine = getattr(c, side)
        their_text = c.b_text if side == "a" else c.a_text
        tip = f"{c.kind}: {names[other]} has “{their_text}”"
        badge = KIND_BADGE.get(c.kind, "?")
        kind = esc(c.kind)
        common = f'data-cid="{cid}" data-kind="{kind}" title="{esc(tip)}"'
        ranges.append(
            _Range(
                mine.start,
                mine.end,
                2,
                cid,
                f'<span class="conf first k-{kind}" {common} id="{esc(prefix)}{side}-c{cid}" '
                f'data-badge="{esc(badge)}" tabindex="0" role="button">',
                f'<span class="conf k-{kind}" {common}>',
            )
        )
    return _markup(text, ranges, points)


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "–"


def stats_list(cmp: Comparison, a_name: str, b_name: str) -> str:
    """Similarity, shared characters and conflict counts of ``cmp`` as ``<ul class="stats">``."""
    s = cmp.similarity
    kinds = Counter(c.kind for c in cmp.conflicts)
    kind_txt = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds, key=kind_rank)) or "none"
    items = [
        f"Jaccard <b>{s.jaccard:.3f}</b>",
        f"a in b <b>{s.containment_a:.3f}</b>",
        f"b in a <b>{s.containment_b:.3f}</b>",
        f"near-duplicate <b>{'yes' if cmp.near_duplicate else 'no'}</b>",
        f"passages <b>{len(cmp.passages)}</b>",
        f"shared a <b>{cmp.shared_a:,}</b> chars ({_pct(cmp.shared_a, cmp.a_length)})",
        f"shared b <b>{cmp.shared_b:,}</b> chars ({_pct(cmp.shared_b, cmp.b_length)})",
        f"conflicts <b>{len(cmp.conflicts)}</b> ({esc(kind_txt)})",
    ]
    items += [f"capped: {esc(note)}" for note in cmp.capped]  # work cut short, said in the page
    return '<ul class="stats">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def compare_view(
    cmp: Comparison, a_text: str, b_text: str, a_name: str, b_name: str, view_id: str, prefix: str = ""
) -> str:
    """The panes and tables of one comparison, in ``<div class="view">``; ids start with ``prefix``."""
    for side, text, length in (("a", a_text, cmp.a_length), ("b", b_text, cmp.b_length)):
        if len(text) != length:
            raise ValueError(
                f"{side}_text has {len(text)} characters but the comparison says {length}: "
                "pass the texts the comparison was made from"
            )
    names = {"a": a_name, "b": b_name}
    texts = {"a": a_text, "b": b_text}
    panes = []
    for side, text, name in (("a", a_text, a_name), ("b", b_text, b_name)):
        panes.append(
            f'<section class="pane" data-side="{side}" aria-label="{esc(name)}">'
            f'<h2><span class="side">{side}</span>{esc(name)} <small>{len(text):,} chars</small></h2>'
            f'<div class="text" id="{view_id}-{side}" tabindex="-1">{_side_markup(cmp, side, texts, names, prefix)}</div>'
            "</section>"
        )
    rows = []
    for pid, p in enumerate(cmp.passages, 1):
        _, border = passage_colour(pid - 1)
        rows.append(
            f'<tr><td><span class="swatch" style="background:{border}">{pid}</span></td>'
            f'<td class="num">{p.a.start}–{p.a.end}</td><td class="num">{p.b.start}–{p.b.end}</td>'
            f'<td class="num">{p.score:.2f}</td><td class="num">{p.verbatim:.0%}</td><td class="num">{len(p.edits)}</td>'
            f"<td>{esc(excerpt(p.a.of(a_text)))}</td>"
            f'<td><button class="goto" data-goto=\'.psg[data-pid="{pid}"]\'>show</button></td></tr>'
        )
    passages = (
        "<table><thead><tr><th>#</th><th>" + esc(a_name) + "</th><th>" + esc(b_name)
        + "</th><th>score</th><th>verbatim</th><th>edits</th><th>text (" + esc(a_name) + ")</th><th></th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"
        if rows
        else '<p class="empty">No shared passages.</p>'
    )
    rows = []
    order = sorted(range(len(cmp.conflicts)), key=lambda i: (cmp.conflicts[i].a.start, i))
    for i in order:
        c = cmp.conflicts[i]
        cid = i + 1
        rows.append(
            f'<tr><td><span class="kind k-{esc(c.kind)}">{KIND_BADGE.get(c.kind, "?")} {esc(c.kind)}</span></td>'
            f"<td>{esc(c.a_text)}</td><td class=\"num\">{c.a.start}–{c.a.end}</td>"
            f"<td>{esc(c.b_text)}</td><td class=\"num\">{c.b.start}–{c.b.end}</td>"
            f'<td><button class="goto" data-goto=\'.conf[data-cid="{cid}"]\'>show</button></td></tr>'
        )
    conflicts = (
        "<table><thead><tr><th>kind</th><th>" + esc(a_name) + "</th><th>at</th><th>"
        + esc(b_name) + "</th><th>at</th><th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        if rows
        else '<p class="empty">No conflicting details.</p>'
    )
    return (
        f'<div class="view" id="{view_id}">'
        f'<div class="panes">{"".join(panes)}</div>'
        f'<section class="lists"><h3>Conflicting details</h3>{conflicts}'
        f"<h3>Shared passages</h3>{passages}</section></div>"
    )
