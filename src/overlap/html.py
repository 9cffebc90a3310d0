"""Self-contained HTML reports: two texts side by side, shared passages and conflicts marked.

Contents:

- ``comparison_html(cmp, a_text, b_text, *, a_name="a", b_name="b", title=None) -> str``:
  one complete HTML document for one comparison.
- ``scan_html(result, texts=None, *, title=None, max_pairs=200) -> str``: a corpus report
  for an ``overlap.scan`` result (clusters with their evidence, conflicts and name
  variants across the corpus, reused passages, and a compare view per linked pair).

The output is one file with inline CSS and JS and no network access: it can be mailed,
archived or opened offline.  All text is HTML-escaped; the text inside each pane is the
original text verbatim (``pane.textContent == text``): labels such as the passage number
are drawn with CSS generated content, so copying from the report copies the article.

Marking up: passages are ``<span class="psg" data-pid=...>`` with a colour of their own
*and* a bottom border and a numbered badge (colour is never the only signal); differing
words (``Passage.edits``) are ``<span class="edit">`` with a dotted underline; conflicts
are ``<span class="conf" data-kind=...>`` with a border in the kind's colour and a
``title`` tooltip "kind: the other side's value".  Clicking a passage or conflict scrolls
its partner on the other side into view and flashes it.

Ranges may nest or overlap arbitrarily (two passages sharing text on one side, an edit
straddling a conflict); the markup is built from the sorted boundaries of all ranges, so
a range that crosses another is split into several elements rather than producing broken
HTML.  Cost: O(boundaries x ranges) string work per side, a few milliseconds for news
articles; the document is roughly 1.5-3x the size of the two texts.
"""

from __future__ import annotations

import html as _html
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .records import Comparison, Span

__all__ = ["comparison_html", "passage_colour", "scan_html"]

# Border/underline colour of each conflict kind: all >= 4.5:1 against white, and each kind
# also gets a letter badge and a different border style so colour is not the only signal.
KIND_COLOURS = {
    "spelling": "#a04000",
    "name": "#6d28d9",
    "number": "#0b5c8a",
    "date": "#0f6b48",
}
_KIND_BADGE = {"spelling": "S", "name": "N", "number": "#", "date": "D"}
_KIND_ORDER = ("spelling", "name", "number", "date")


def passage_colour(i: int) -> tuple[str, str]:
    """(background, border) CSS colours of passage ``i``: hues spread by the golden angle.

    Backgrounds are light (HSL lightness 88 %) so dark text keeps a contrast above 12:1;
    borders are dark (lightness 28 %): > 4.5:1 against white (the badge digits) and > 3:1
    against the passage's own background (the underline).
    """
    hue = round((i * 137.508 + 200) % 360)
    return f"hsl({hue} 85% 88%)", f"hsl({hue} 65% 28%)"


def _esc(s: str) -> str:
    return _html.escape(s, quote=True)


def _excerpt(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


# --------------------------------------------------------------------------- markup


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
                f'<span class="psg first" {common} id="{_esc(prefix)}{side}-p{pid}" data-label="{pid}" '
                f'tabindex="0" role="button" title="{_esc(tip)}">',
                f'<span class="psg" {common}>',
            )
        )
        for e in p.edits:
            mine: Span = getattr(e, side)
            theirs: Span = getattr(e, other)
            their_text = theirs.of(texts[other])
            if len(mine) == 0:
                if their_text.strip():
                    tip = f"{names[other]} has “{_excerpt(their_text, 60)}” here"
                    points.setdefault(mine.start, []).append(
                        f'<span class="gap" title="{_esc(tip)}"></span>'
                    )
                continue
            tip = (
                f"differs: {names[other]} has “{_excerpt(their_text, 60)}”"
                if their_text.strip()
                else f"only in {names[side]}"
            )
            tag = f'<span class="edit" title="{_esc(tip)}">'
            ranges.append(_Range(mine.start, mine.end, 1, len(ranges), tag, tag))
    for cid, c in enumerate(cmp.conflicts, 1):
        mine = getattr(c, side)
        their_text = c.b_text if side == "a" else c.a_text
        tip = f"{c.kind}: {names[other]} has “{their_text}”"
        badge = _KIND_BADGE.get(c.kind, "?")
        kind = _esc(c.kind)
        common = f'data-cid="{cid}" data-kind="{kind}" title="{_esc(tip)}"'
        ranges.append(
            _Range(
                mine.start,
                mine.end,
                2,
                cid,
                f'<span class="conf first k-{kind}" {common} id="{_esc(prefix)}{side}-c{cid}" '
                f'data-badge="{_esc(badge)}" tabindex="0" role="button">',
                f'<span class="conf k-{kind}" {common}>',
            )
        )
    return _markup(text, ranges, points)


# --------------------------------------------------------------------------- page parts

_CSS = """
:root{--fg:#161616;--muted:#555;--line:#d4d4d4;--paper:#fff;--bg:#f4f4f1;--accent:#1d4ed8;
 --font:"Noto Sans","DejaVu Sans","Segoe UI","Helvetica Neue",Arial,sans-serif;
 --serif:"Noto Serif","DejaVu Serif",Georgia,"Times New Roman",serif}
*{box-sizing:border-box}
html,body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 var(--font)}
header.top{padding:14px 22px 10px;background:var(--paper);border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0}
h3{font-size:16px;margin:18px 0 8px}
.meta{color:var(--muted);margin:0}
.stats{display:flex;flex-wrap:wrap;gap:6px 8px;margin:10px 0 2px;padding:0;list-style:none}
.stats li{background:#f0f0ec;border:1px solid var(--line);border-radius:6px;padding:2px 9px;font-size:13.5px}
.stats b{font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:8px 0 0;font-size:13px;color:var(--muted)}
.legend .sample{color:var(--fg);padding:0 3px;margin-right:6px}
.view{padding:12px 22px 28px}
.panes{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.pane{background:var(--paper);border:1px solid var(--line);border-radius:8px;display:flex;flex-direction:column;min-width:0}
.pane>h2{padding:8px 14px;border-bottom:1px solid var(--line);background:#fafaf8;border-radius:8px 8px 0 0;
 white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pane>h2 .side{display:inline-block;min-width:1.5em;text-align:center;background:var(--fg);color:#fff;border-radius:4px;margin-right:6px;font-size:13px}
.pane>h2 small{color:var(--muted);font-weight:normal}
.text{height:68vh;min-height:260px;overflow:auto;padding:12px 16px 40vh;white-space:pre-wrap;overflow-wrap:anywhere;
 font:16px/1.75 var(--serif);scroll-padding:20px}
.psg{background:var(--bg);box-shadow:inset 0 -2px 0 var(--bd);cursor:pointer;border-radius:2px;
 -webkit-box-decoration-break:clone;box-decoration-break:clone;transition:box-shadow .2s}
.psg:hover,.psg:focus{box-shadow:inset 0 -3px 0 var(--bd),0 0 0 1px var(--bd);outline:none}
.psg.first::before{content:attr(data-label);display:inline-block;font:bold 11px/1.45 var(--font);color:#fff;
 background:var(--bd);border-radius:8px;padding:0 5px;margin-right:3px;vertical-align:2px;min-width:8px;text-align:center}
.edit{font-weight:600;text-decoration:underline dotted 2px;text-underline-offset:3px;background:rgba(255,255,255,.55)}
.gap::before{content:"‸";color:#b00020;font-weight:bold;padding:0 1px}
.conf{outline:2px solid var(--k,#444);outline-offset:1px;border-radius:2px;background:#fff;cursor:help;
 text-decoration:underline wavy var(--k,#444);text-underline-offset:4px}
.conf.first::after{content:attr(data-badge);font:bold 10px/1 var(--font);color:#fff;background:var(--k,#444);
 border-radius:3px;padding:1px 3px;margin-left:2px;vertical-align:super}
.k-name{outline-style:dashed}.k-number{outline-style:double;outline-width:3px}.k-date{outline-style:dotted}
.flash{animation:flash 1.4s ease-out}
@keyframes flash{0%,40%{box-shadow:0 0 0 4px #ffd400,inset 0 -3px 0 var(--bd,#000)}100%{box-shadow:inset 0 -2px 0 var(--bd,#000)}}
table{border-collapse:collapse;background:var(--paper);width:100%;font-size:14px;border:1px solid var(--line)}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#fafaf8;font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.swatch{display:inline-block;width:1.7em;text-align:center;border-radius:8px;color:#fff;font-weight:bold;font-size:12px}
.kind{display:inline-block;border:2px solid var(--k,#444);color:var(--k,#444);border-radius:4px;padding:0 5px;font-weight:600;font-size:12.5px}
button.goto{font:inherit;font-size:13px;border:1px solid var(--line);background:#fff;border-radius:5px;cursor:pointer;padding:1px 8px;color:var(--accent)}
button.goto:hover,button.goto:focus{border-color:var(--accent)}
.empty{color:var(--muted);font-style:italic}
.lists{display:grid;grid-template-columns:1fr;gap:4px}
nav.toc a,a{color:var(--accent)}
.pairview{display:none;border-top:3px solid var(--line);margin-top:22px}
.pairview:target,.pairview.shown{display:block}
.pairview>header{padding:12px 22px 0}
.bar{display:inline-block;height:8px;background:#7a8aa6;border-radius:4px;vertical-align:middle}
main.scan{padding:4px 22px 30px}
main.scan>section>h2{font-size:18px;margin:22px 0 10px}
nav.toc{margin-top:8px;font-size:14px}
.card{background:var(--paper);border:1px solid var(--line);border-radius:8px;padding:4px 14px 12px;margin:0 0 12px}
.card h3 small,.pairview h2 small{color:var(--muted);font-weight:normal}
.members{margin:4px 0 10px;padding-left:22px;columns:2 22em}
.doc{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.reason{display:inline-block;border-radius:4px;padding:0 6px;font-size:12.5px;font-weight:600;border:2px solid;white-space:nowrap}
.r-near_duplicate{color:#9b1c1c;border-color:#9b1c1c}.r-passage{color:#1d4ed8;border-color:#1d4ed8;border-style:dashed}
.r-same_event{color:#555;border-color:#777;border-style:dotted}
.variants{list-style:none;padding:0;margin:0}.variant{background:var(--paper);border:1px solid var(--line);border-radius:6px;padding:4px 10px;margin:0 0 6px}
.variant ul{margin:0;padding-left:18px}
.reused{padding-left:22px}.reused blockquote{margin:6px 0 2px;padding:6px 12px;background:var(--paper);border-left:4px solid #7a8aa6;font-family:var(--serif)}
a.open{font-weight:600;white-space:nowrap}
.pairview h2{font-size:16px;margin:6px 0}
a.back{font-size:14px}
body.pair-open main.scan,body.pair-open header.top .stats{display:none}
@media (max-width:800px){.panes{grid-template-columns:1fr}.text{height:50vh}}
@media (prefers-reduced-motion:reduce){.flash{animation:none;outline:3px solid #ffd400}}
"""

_KIND_CSS = "".join(f".k-{k}{{--k:{c}}}" for k, c in KIND_COLOURS.items()) + "\n"

_JS = """
(function(){
'use strict';
var reduce = !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
function flash(el){
  el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash');
  window.setTimeout(function(){ el.classList.remove('flash'); }, 1500);
}
function show(el){
  // Centre el inside its own scrolling pane without jumping the page; then make sure
  // the pane itself is on screen.
  var how = reduce ? 'auto' : 'smooth';
  var box = el.closest('.text');
  if(box){
    var r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    var top = box.scrollTop + (r.top - b.top) - Math.max(0, (box.clientHeight - r.height) / 2);
    box.scrollTo({top: Math.max(0, top), behavior: how});
    if(b.top < 0 || b.bottom > window.innerHeight) box.scrollIntoView({block:'nearest', behavior: how});
  } else {
    el.scrollIntoView({block:'center', behavior: how});
  }
  flash(el);
}
function find(view, side, sel){ return view ? view.querySelector('.pane[data-side="' + side + '"] ' + sel) : null; }
function selectorOf(el){
  return el.classList.contains('conf') ? '.conf[data-cid="' + el.dataset.cid + '"]'
                                       : '.psg[data-pid="' + el.dataset.pid + '"]';
}
function activate(hit){
  var pane = hit.closest('.pane'); if(!pane) return;
  var other = pane.dataset.side === 'a' ? 'b' : 'a';
  var partner = find(hit.closest('.view'), other, selectorOf(hit));
  flash(hit);
  if(partner) show(partner);
}
function goto(btn){
  var view = btn.closest('.view'); var sel = btn.dataset.goto;
  ['a','b'].forEach(function(side){ var el = find(view, side, sel); if(el) show(el); });
}
document.addEventListener('click', function(ev){
  var t = ev.target; if(!(t instanceof Element)) return;
  var btn = t.closest('[data-goto]');
  if(btn){ ev.preventDefault(); goto(btn); return; }
  var hit = t.closest('.conf, .psg');
  if(hit && hit.closest('.pane')) activate(hit);
});
document.addEventListener('keydown', function(ev){
  if(ev.key !== 'Enter' && ev.key !== ' ') return;
  var t = ev.target; if(!(t instanceof Element) || !t.matches('.pane .psg, .pane .conf')) return;
  ev.preventDefault(); activate(t);
});
// Scan report: show the pair view named by the URL's #fragment, instead of the overview.
function showTarget(){
  var views = document.querySelectorAll('.pairview');
  for(var i = 0; i < views.length; i++) views[i].classList.remove('shown');
  var id = window.location.hash.slice(1);
  var el = id ? document.getElementById(id) : null;
  var open = !!(el && el.classList.contains('pairview'));
  document.body.classList.toggle('pair-open', open);
  if(open){ el.classList.add('shown'); el.scrollIntoView({block:'start'}); }
  else if(el){ el.scrollIntoView({block:'start'}); }
  return open ? el : null;
}
// A link into a pair view may name an element to bring up on both sides (data-then).
document.addEventListener('click', function(ev){
  var t = ev.target; if(!(t instanceof Element)) return;
  var a = t.closest('a[data-then]'); if(!a) return;
  ev.preventDefault();
  if(window.location.hash !== a.hash) window.history.pushState(null, '', a.hash);
  var view = showTarget(); if(!view) return;
  var sel = a.dataset.then;
  ['a','b'].forEach(function(side){ var el = find(view, side, sel); if(el) show(el); });
});
window.addEventListener('hashchange', showTarget);
showTarget();
})();
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No network: forbid every fetch; inline style and script are the only sources.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="generator" content="overlap">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}{_KIND_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "–"


def _stats(cmp: Comparison, a_name: str, b_name: str) -> str:
    s = cmp.similarity
    kinds = Counter(c.kind for c in cmp.conflicts)
    kind_txt = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds, key=_kind_rank)) or "none"
    items = [
        f"Jaccard <b>{s.jaccard:.3f}</b>",
        f"a in b <b>{s.containment_a:.3f}</b>",
        f"b in a <b>{s.containment_b:.3f}</b>",
        f"near-duplicate <b>{'yes' if cmp.near_duplicate else 'no'}</b>",
        f"passages <b>{len(cmp.passages)}</b>",
        f"shared a <b>{cmp.shared_a:,}</b> chars ({_pct(cmp.shared_a, cmp.a_length)})",
        f"shared b <b>{cmp.shared_b:,}</b> chars ({_pct(cmp.shared_b, cmp.b_length)})",
        f"conflicts <b>{len(cmp.conflicts)}</b> ({_esc(kind_txt)})",
    ]
    return '<ul class="stats">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _kind_rank(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


_LEGEND = (
    '<p class="legend"><span><span class="sample psg first" data-label="1" '
    'style="--bg:hsl(200 85% 88%);--bd:hsl(200 65% 28%)">shared passage</span> '
    "same number and colour on both sides; click one to bring up its partner</span>"
    '<span><span class="sample edit">differing words</span></span>'
    '<span><span class="sample gap"></span> words only the other side has</span>'
    "<span>conflicts: "
    + " ".join(
        f'<span class="sample conf first k-{k}" data-badge="{_KIND_BADGE[k]}">{k}</span>'
        for k in _KIND_ORDER
    )
    + " (hover for the other side's value)</span></p>"
)


def _view(
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
            f'<section class="pane" data-side="{side}" aria-label="{_esc(name)}">'
            f'<h2><span class="side">{side}</span>{_esc(name)} <small>{len(text):,} chars</small></h2>'
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
            f"<td>{_esc(_excerpt(p.a.of(a_text)))}</td>"
            f'<td><button class="goto" data-goto=\'.psg[data-pid="{pid}"]\'>show</button></td></tr>'
        )
    passages = (
        "<table><thead><tr><th>#</th><th>" + _esc(a_name) + "</th><th>" + _esc(b_name)
        + "</th><th>score</th><th>verbatim</th><th>edits</th><th>text (" + _esc(a_name) + ")</th><th></th></tr></thead><tbody>"
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
            f'<tr><td><span class="kind k-{_esc(c.kind)}">{_KIND_BADGE.get(c.kind, "?")} {_esc(c.kind)}</span></td>'
            f"<td>{_esc(c.a_text)}</td><td class=\"num\">{c.a.start}–{c.a.end}</td>"
            f"<td>{_esc(c.b_text)}</td><td class=\"num\">{c.b.start}–{c.b.end}</td>"
            f'<td><button class="goto" data-goto=\'.conf[data-cid="{cid}"]\'>show</button></td></tr>'
        )
    conflicts = (
        "<table><thead><tr><th>kind</th><th>" + _esc(a_name) + "</th><th>at</th><th>"
        + _esc(b_name) + "</th><th>at</th><th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        if rows
        else '<p class="empty">No conflicting details.</p>'
    )
    return (
        f'<div class="view" id="{view_id}">'
        f'<div class="panes">{"".join(panes)}</div>'
        f'<section class="lists"><h3>Conflicting details</h3>{conflicts}'
        f"<h3>Shared passages</h3>{passages}</section></div>"
    )


def comparison_html(
    cmp: Comparison,
    a_text: str,
    b_text: str,
    *,
    a_name: str = "a",
    b_name: str = "b",
    title: str | None = None,
) -> str:
    """A complete, self-contained HTML document showing one comparison.

    ``a_text``/``b_text`` must be the texts ``cmp`` was computed from (checked by length,
    a ``ValueError`` otherwise), since every span indexes them.  ``title`` defaults to
    "a ↔ b".  Pure string building, no I/O: write the result with
    ``Path(p).write_text(doc, encoding="utf-8")``.

    >>> from overlap.records import Comparison, Similarity
    >>> doc = comparison_html(Comparison(3, 3, Similarity(0, 0, 0), False), "x<y", "abc")
    >>> doc.startswith("<!DOCTYPE html>") and "x&lt;y" in doc
    True
    """
    title = title or f"{a_name} ↔ {b_name}"
    header = (
        f'<header class="top"><h1>{_esc(title)}</h1>'
        f'<p class="meta">a: {_esc(a_name)} ({cmp.a_length:,} chars) · '
        f"b: {_esc(b_name)} ({cmp.b_length:,} chars)</p>"
        f"{_stats(cmp, a_name, b_name)}{_LEGEND}</header>"
    )
    return _page(title, header + "<main>" + _view(cmp, a_text, b_text, a_name, b_name, "cmp") + "</main>")


# --------------------------------------------------------------------------- scan

_REASON_LABEL = {
    "near_duplicate": "near-duplicate",
    "passage": "shared passage",
    "long_passage": "long shared passage",
    "short_passage": "shared passage",
    "same_event": "same event",
    "shared_vocabulary": "shared vocabulary",
}


def _texts_lookup(result: Any, texts: Any) -> Callable[[str], str]:
    if texts is None:
        return cast(Callable[[str], str], result.text)
    if callable(texts):
        return cast(Callable[[str], str], texts)
    if isinstance(texts, Mapping):
        return texts.__getitem__
    raise TypeError(f"texts must be a mapping of id to text, a callable or None: {type(texts).__name__}")


def _pair_order(pairs: Sequence[Any]) -> list[int]:
    """Indices of ``pairs`` best first: near-duplicates, then most shared text, then input order."""

    def key(i: int) -> tuple[Any, ...]:
        p = pairs[i]
        shared = sum(len(x.a) + len(x.b) for x in p.passages)
        return (not p.near_duplicate, -shared, -p.similarity.jaccard, i)

    return sorted(range(len(pairs)), key=key)


def _reason(reason: str) -> str:
    return f'<span class="reason r-{_esc(reason)}">{_esc(_REASON_LABEL.get(reason, reason))}</span>'


def scan_html(
    result: Any,
    texts: Mapping[str, str] | Callable[[str], str] | None = None,
    *,
    title: str | None = None,
    max_pairs: int = 200,
) -> str:
    """A self-contained HTML report of an ``overlap.scan`` result.

    Sections: an overview (counts); the clusters (near-duplicate clusters, then stories:
    members with their lengths, and the evidence linking them: reason, Jaccard, passages,
    conflicts); every conflict across the corpus and the name variants; the most reused
    passages; the linked pairs.  Each linked pair opens its own compare view (the two
    texts side by side, as in ``comparison_html``), embedded in the same file and shown
    when its link is followed.

    ``texts`` maps a document id to its text (a mapping or a callable); None uses
    ``result.text``.  Only the best ``max_pairs`` pairs (near-duplicates first, then most
    shared text) get an embedded view, since each embeds both of its texts; the others
    are still listed.  Cost: one ``comparison_html``-sized view per embedded pair.
    """
    if isinstance(max_pairs, bool) or not isinstance(max_pairs, int) or max_pairs < 0:
        raise ValueError(f"max_pairs must be an integer >= 0: {max_pairs!r}")
    text_of = _texts_lookup(result, texts)
    title = title or f"overlap scan: {len(result.documents):,} documents"
    pairs = list(result.pairs)
    order = _pair_order(pairs)
    pair_index = {(p.a, p.b): i for i, p in enumerate(pairs)}
    # Views go first to the pairs the page lists first: each section's top rows (the
    # strongest links of the top clusters, the top conflicts), then the best pairs.
    wanted: list[int] = []
    for c in (*result.near_duplicate_clusters[:10], *result.story_clusters[:20]):
        wanted += [pair_index[(e.a, e.b)] for e in c.evidence[:5] if (e.a, e.b) in pair_index]
    wanted += [pair_index[(p.a, p.b)] for p, _ in list(result.conflicts)[:50] if (p.a, p.b) in pair_index]
    chosen = list(dict.fromkeys(wanted + order))[:max_pairs]
    viewed = {i: f"pair-{rank + 1}" for rank, i in enumerate(chosen)}
    lengths = {d.id: d.length for d in result.documents}

    def pair_link(a: str, b: str, label: str = "compare", then: str | None = None) -> str:
        i = pair_index.get((a, b), pair_index.get((b, a)))
        if i is None or i not in viewed:
            why = f"beyond the {max_pairs:,} embedded views (max_pairs)" if i is not None else "pair not linked"
            return f'<span class="empty" title="{_esc(why)}">no view: {_esc(why)}</span>'
        extra = f" data-then='{_esc(then)}'" if then else ""
        return f'<a href="#{viewed[i]}" class="open"{extra}>{_esc(label)}</a>'

    def doc(d: str) -> str:
        return f'<span class="doc" title="{_esc(d)}">{_esc(d)}</span>'

    # Overview.
    conflicts = list(result.conflicts)
    kinds = Counter(c.kind for _, c in conflicts)
    st = result.stats
    items = [
        f"documents <b>{st.documents:,}</b>",
        f"characters <b>{st.characters:,}</b>",
        f"linked pairs <b>{len(pairs):,}</b>",
        f"near-duplicate clusters <b>{len(result.near_duplicate_clusters):,}</b>",
        f"story clusters <b>{len(result.story_clusters):,}</b>",
        f"documents in no story <b>{len(result.singletons):,}</b>",
        f"conflicts <b>{len(conflicts):,}</b>"
        + (f" ({_esc(', '.join(f'{kinds[k]} {k}' for k in sorted(kinds, key=_kind_rank)))})" if kinds else ""),
        f"name variants <b>{len(result.name_variants):,}</b>",
    ]
    nav = (
        '<nav class="toc">'
        + " · ".join(
            f'<a href="#{h}">{t}</a>'
            for h, t in (("clusters", "Clusters"), ("conflicts", "Conflicts"), ("reused", "Reused passages"), ("pairs", "Linked pairs"))
        )
        + "</nav>"
    )
    header = (
        f'<header class="top" id="top"><h1>{_esc(title)}</h1>'
        '<ul class="stats">' + "".join(f"<li>{i}</li>" for i in items) + f"</ul>{nav}</header>"
    )

    # Clusters.
    cards = []
    numbered = [*enumerate(result.near_duplicate_clusters, 1), *enumerate(result.story_clusters, 1)]
    for n, c in numbered:  # each kind numbered from 1, in its ranking
        members = "".join(
            f"<li>{doc(m)} <small>{lengths.get(m, 0):,} chars</small></li>" for m in c.members
        )
        evidence = "".join(
            f"<tr><td>{doc(e.a)}</td><td>{doc(e.b)}</td><td>{_reason(e.reason)}</td>"
            f'<td class="num">{e.pair.similarity.jaccard:.3f}</td><td class="num">{len(e.pair.passages)}</td>'
            f'<td class="num">{len(e.pair.conflicts)}</td>'
            f'<td class="num">{e.confidence:.2f}</td>'
            f"<td>{_esc(_evidence_note(e.pair))}</td><td>{pair_link(e.a, e.b)}</td></tr>"
            if e.pair is not None
            else f"<tr><td>{doc(e.a)}</td><td>{doc(e.b)}</td><td>{_reason(e.reason)}</td>"
            '<td class="num">–</td><td class="num">0</td><td class="num">0</td>'
            f'<td class="num">{e.confidence:.2f}</td>'
            f"<td>rare word pairs in common (cosine {e.vocabulary:.2f})</td>"
            '<td><span class="empty">no view: no shared passage to show</span></td></tr>'
            for e in c.evidence
        )
        kind = "near-duplicate cluster" if c.kind == "near_duplicate" else "story"
        size = f"{len(c.members):,} document{'' if len(c.members) == 1 else 's'}"
        headline = f' <q class="headline">{_esc(_excerpt(c.headline, 140))}</q>' if c.headline else ""
        cards.append(
            f'<article class="card" id="{"dup" if c.kind == "near_duplicate" else "story"}-{n}"><h3>{_esc(kind)} {n} '
            f"<small>{size}</small>{headline}</h3>"
            f'<ol class="members">{members}</ol>'
            "<table><thead><tr><th>a</th><th>b</th><th>link</th><th>Jaccard</th><th>passages</th>"
            f"<th>conflicts</th><th>confidence</th><th>evidence</th><th></th></tr></thead><tbody>{evidence}</tbody></table></article>"
        )
    clusters = "".join(cards) or '<p class="empty">No clusters: no two documents are linked.</p>'

    # Conflicts across the corpus, and name variants.
    rows: list[str] = []
    for p, c in conflicts:
        then = f'.conf[data-cid="{p.conflicts.index(c) + 1}"]'
        rows.append(
            f'<tr><td><span class="kind k-{_esc(c.kind)}">{_KIND_BADGE.get(c.kind, "?")} {_esc(c.kind)}</span></td>'
            f"<td>{doc(p.a)}</td><td><b>{_esc(c.a_text)}</b></td><td>{doc(p.b)}</td><td><b>{_esc(c.b_text)}</b></td>"
            f"<td>{pair_link(p.a, p.b, 'show', then)}</td></tr>"
        )
    conflict_table = (
        "<table><thead><tr><th>kind</th><th>a</th><th>a says</th><th>b</th><th>b says</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="empty">No conflicting details between linked documents.</p>'
    )
    variant_items: list[str] = []
    for v in result.name_variants:
        spellings = "".join(
            f"<li><b>{_esc(sp.text)}</b> in {', '.join(doc(d) for d in sp.docs)}</li>" for sp in v.spellings
        )
        variant_items.append(f'<li class="variant"><ul>{spellings}</ul></li>')
    variant_list = (
        f'<h3>Name variants</h3><ul class="variants">{"".join(variant_items)}</ul>' if variant_items else ""
    )

    # Reused passages.
    reused = "".join(
        f'<li><blockquote>{_esc(_excerpt(r.text, 400))}</blockquote><p class="meta">in {len(r.docs)} document{"" if len(r.docs) == 1 else "s"}'
        + (" (boilerplate: does not link stories)" if r.boilerplate else "")
        + ": "
        + ", ".join(doc(d) for d in r.docs)
        + "</p></li>"
        for r in result.reused_passages
    )
    reused = f'<ol class="reused">{reused}</ol>' if reused else '<p class="empty">No passage is shared.</p>'

    # Linked pairs.
    rows = []
    for i in order:
        p = pairs[i]
        s_ = p.similarity
        rows.append(
            f"<tr><td>{doc(p.a)}</td><td>{doc(p.b)}</td><td>{_reason(p.link)}</td>"
            f'<td class="num">{s_.jaccard:.3f}</td><td class="num">{s_.containment_a:.3f}</td>'
            f'<td class="num">{s_.containment_b:.3f}</td><td class="num">{len(p.passages)}</td>'
            f'<td class="num">{len(p.conflicts)}</td><td>{pair_link(p.a, p.b)}</td></tr>'
        )
    hidden = len(pairs) - len(viewed)
    pair_table = (
        "<table><thead><tr><th>a</th><th>b</th><th>link</th><th>Jaccard</th><th>a in b</th><th>b in a</th>"
        f"<th>passages</th><th>conflicts</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (f'<p class="meta">{hidden:,} more pairs have no embedded view (max_pairs={max_pairs}).</p>' if hidden else "")
        if rows
        else '<p class="empty">No linked pairs.</p>'
    )

    # One compare view per embedded pair.
    views = []
    for i in order[:max_pairs]:
        p = pairs[i]
        vid = viewed[i]
        a_text, b_text = text_of(p.a), text_of(p.b)
        cmp = Comparison(len(a_text), len(b_text), p.similarity, p.near_duplicate, p.passages, p.conflicts, p.a, p.b)
        note = _evidence_note(p)
        views.append(
            f'<section class="pairview" id="{vid}"><header><a href="#top" class="back">↑ overview</a>'
            f"<h2>{_reason(p.link)} {doc(p.a)} ↔ {doc(p.b)}</h2>"
            + (f'<p class="meta">{_esc(note)}</p>' if note else "")
            + f"{_stats(cmp, 'a', 'b')}{_LEGEND}</header>"
            + _view(cmp, a_text, b_text, p.a, p.b, f"{vid}-view", f"{vid}-")
            + "</section>"
        )

    body = (
        header
        + '<main class="scan">'
        + f'<section id="clusters"><h2>Clusters</h2>{clusters}</section>'
        + f'<section id="conflicts"><h2>Conflicting details across the corpus</h2>{conflict_table}{variant_list}</section>'
        + f'<section id="reused"><h2>Most reused passages</h2>{reused}</section>'
        + f'<section id="pairs"><h2>Linked pairs</h2>{pair_table}</section>'
        + "</main>"
        + "".join(views)
    )
    return _page(title, body)


def _evidence_note(p: Any) -> str:
    """One line on why a pair is linked: shared text, or the names and dates it shares."""
    if p.passages:
        shared = sum(len(x.a) for x in p.passages)
        return f"{len(p.passages)} shared passage{'s' if len(p.passages) != 1 else ''}, {shared:,} characters"
    ev = getattr(p, "same_event", None)
    if ev is not None:
        return "same names " + ", ".join(ev.names[:6]) + ("; same date " + ", ".join(ev.dates) if ev.dates else "")
    return ""
