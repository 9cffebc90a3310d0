"""The page around every HTML report: style, script, escaping and the colours of marks.

``page(title, body) -> str``
    One complete, self-contained HTML document (inline CSS and JS, no network access:
    a Content-Security-Policy forbids every fetch).
``esc(s)``, ``excerpt(s, n=90)``
    HTML-escaped text (quotes too); ``s`` on one line, cut to ``n`` characters.
``passage_colour(i) -> (background, border)``, ``KIND_COLOURS``, ``KIND_BADGE``, ``KIND_ORDER``, ``kind_rank(kind)``
    How passages and conflict kinds are marked (colour is never the only signal: each
    passage has a numbered badge, each kind a letter badge and a border style).
``LEGEND``
    The legend paragraph of a comparison view.

Shared by ``html_view`` (one comparison) and ``html_scan`` (a corpus).  Cost: constant
apart from escaping, which is linear in the text.
"""

from __future__ import annotations

import html as _html

__all__ = [
    "KIND_BADGE", "KIND_COLOURS", "KIND_ORDER", "LEGEND", "esc", "excerpt", "kind_rank", "page", "passage_colour",
]

# Border/underline colour of each conflict kind: all >= 4.5:1 against white, and each kind
# also gets a letter badge and a different border style so colour is not the only signal.
KIND_COLOURS = {
    "spelling": "#a04000",
    "name": "#6d28d9",
    "number": "#0b5c8a",
    "date": "#0f6b48",
}
KIND_BADGE = {"spelling": "S", "name": "N", "number": "#", "date": "D"}
KIND_ORDER = ("spelling", "name", "number", "date")


def passage_colour(i: int) -> tuple[str, str]:
    """(background, border) CSS colours of passage ``i``: hues spread by the golden angle.

    Backgrounds are light (HSL lightness 88 %) so dark text keeps a contrast above 12:1;
    borders are dark (lightness 28 %): > 4.5:1 against white (the badge digits) and > 3:1
    against the passage's own background (the underline).
    """
    hue = round((i * 137.508 + 200) % 360)
    return f"hsl({hue} 85% 88%)", f"hsl({hue} 65% 28%)"


def esc(s: str) -> str:
    """``s`` HTML-escaped, quotes included (safe in text and in attribute values)."""
    return _html.escape(s, quote=True)


def excerpt(s: str, n: int = 90) -> str:
    """``s`` on one line (white space collapsed), cut to ``n`` characters with an ellipsis."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


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


def page(title: str, body: str) -> str:
    """The complete HTML document: ``title``, the style, ``body`` and the script."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No network: forbid every fetch; inline style and script are the only sources.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="generator" content="overlap">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}{_KIND_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def kind_rank(kind: str) -> int:
    """Where a conflict kind sorts (``KIND_ORDER``; unknown kinds last)."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


LEGEND = (
    '<p class="legend"><span><span class="sample psg first" data-label="1" '
    'style="--bg:hsl(200 85% 88%);--bd:hsl(200 65% 28%)">shared passage</span> '
    "same number and colour on both sides; click one to bring up its partner</span>"
    '<span><span class="sample edit">differing words</span></span>'
    '<span><span class="sample gap"></span> words only the other side has</span>'
    "<span>conflicts: "
    + " ".join(
        f'<span class="sample conf first k-{k}" data-badge="{KIND_BADGE[k]}">{k}</span>'
        for k in KIND_ORDER
    )
    + " (hover for the other side's value)</span></p>"
)
