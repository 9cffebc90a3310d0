"""The corpus report: an ``overlap.scan`` result as one self-contained HTML page.

``scan_html(result, texts=None, *, title=None, max_pairs=200, title_field="title", url_field="url") -> str``
    Clusters with their evidence, conflicts and name variants across the corpus, reused
    passages, and a compare view (``html_view.compare_view``) per linked pair, shown
    when its link is followed.  Documents with a kept title are named by it (linked to
    their http/https url), the others by their id.

Cost: one comparison view per embedded pair (each embeds both texts), plus linear work
in the pairs, conflicts and passages listed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .html_page import KIND_BADGE, LEGEND, esc, excerpt, kind_rank, page
from .html_view import compare_view, stats_list
from .records import Comparison

__all__ = ["scan_html"]

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
    return f'<span class="reason r-{esc(reason)}">{esc(_REASON_LABEL.get(reason, reason))}</span>'


def scan_html(
    result: Any,
    texts: Mapping[str, str] | Callable[[str], str] | None = None,
    *,
    title: str | None = None,
    max_pairs: int = 200,
    title_field: str = "title",
    url_field: str = "url",
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

    Documents whose kept fields (``DocInfo.fields``) have a ``title_field`` are named by
    that title (their id on hover), linked to their ``url_field`` when it is an http or
    https url; the others by their id.  With a date field, each pair's view says which
    side was published first.
    """
    if isinstance(max_pairs, bool) or not isinstance(max_pairs, int) or max_pairs < 0:
        raise ValueError(f"max_pairs must be an integer >= 0: {max_pairs!r}")
    for name, value in (("title_field", title_field), ("url_field", url_field)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a field name (str): {value!r}")
    text_of = _texts_lookup(result, texts)
    title = title or f"overlap scan: {len(result.documents):,} documents"
    pairs = list(result.pairs)
    order = _pair_order(pairs)
    links = _PairLinks.choose(result, pairs, order, max_pairs)
    lengths = {d.id: d.length for d in result.documents}
    conflicts = list(result.conflicts)
    doc = _DocNames.of(result, title_field, url_field)
    body = (
        _header(result, title, len(pairs), conflicts)
        + '<main class="scan">'
        + f'<section id="clusters"><h2>Clusters</h2>{_clusters(result, lengths, links, doc)}</section>'
        + '<section id="conflicts"><h2>Conflicting details across the corpus</h2>'
        + f"{_conflict_table(conflicts, links, doc)}{_variant_list(result, doc)}</section>"
        + f'<section id="reused"><h2>Most reused passages</h2>{_reused(result, doc)}</section>'
        + f'<section id="pairs"><h2>Linked pairs</h2>{_pair_table(pairs, order, links, doc)}</section>'
        + "</main>"
        + "".join(_pair_view(pairs[i], links.viewed[i], text_of, doc) for i in order if i in links.viewed)
    )
    return page(title, body)


def _doc(d: str) -> str:
    return f'<span class="doc" title="{esc(d)}">{esc(d)}</span>'


_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
"""The urls the page links: http or https only (never ``javascript:`` or ``data:``)."""


@dataclass(frozen=True, slots=True)
class _DocNames:
    """How the page names a document: its kept title (``title_field``), linked to its
    url (``url_field``) when that is an http(s) url, else its id (``_doc``).  Without
    kept fields every name is ``_doc``'s, so such pages are unchanged."""

    fields: Mapping[str, Mapping[str, Any]]
    title_field: str
    url_field: str
    first: Callable[[Any], str | None] | None  # ``result.first_published`` with a date field
    date_field: str | None

    @classmethod
    def of(cls, result: Any, title_field: str, url_field: str) -> _DocNames:
        kept = {d.id: d.fields for d in result.documents if d.fields}
        date_field = getattr(getattr(result, "options", None), "date_field", None)
        first = result.first_published if date_field is not None and kept else None
        return cls(kept, title_field, url_field, first, date_field)

    def __call__(self, d: str) -> str:
        f = self.fields.get(d)
        if not f:
            return _doc(d)
        title, url = f.get(self.title_field), f.get(self.url_field)
        name = (
            f'<span title="{esc(d)}">{esc(excerpt(title, 160))}</span>'
            if isinstance(title, str) and title.strip() else _doc(d)
        )
        if isinstance(url, str) and _WEB_URL.fullmatch(url):
            return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{name}</a>'
        return name

    def first_note(self, p: Any) -> str:
        """``first published: NAME (DATE)`` for a pair whose sides have different dates, else ""."""
        first = self.first(p) if self.first is not None else None
        if first is None:
            return ""
        date = self.fields.get(first, {}).get(self.date_field or "")
        return f'<p class="meta">first published: {self(first)}' + (f" ({esc(str(date))})" if date else "") + "</p>"


@dataclass(frozen=True, slots=True)
class _PairLinks:
    """Which linked pairs get an embedded compare view (``viewed``: pair index -> element
    id), and the links to them."""

    pair_index: dict[tuple[str, str], int]
    viewed: dict[int, str]
    max_pairs: int

    @classmethod
    def choose(cls, result: Any, pairs: list[Any], order: list[int], max_pairs: int) -> _PairLinks:
        """Views go first to the pairs the page lists first: each section's top rows (the
        strongest links of the top clusters, the top conflicts), then the best pairs."""
        pair_index = {(p.a, p.b): i for i, p in enumerate(pairs)}
        wanted: list[int] = []
        for c in (*result.near_duplicate_clusters[:10], *result.story_clusters[:20]):
            wanted += [pair_index[(e.a, e.b)] for e in c.evidence[:5] if (e.a, e.b) in pair_index]
        wanted += [pair_index[(p.a, p.b)] for p, _ in list(result.conflicts)[:50] if (p.a, p.b) in pair_index]
        chosen = list(dict.fromkeys(wanted + order))[:max_pairs]
        return cls(pair_index, {i: f"pair-{rank + 1}" for rank, i in enumerate(chosen)}, max_pairs)

    def link(self, a: str, b: str, label: str = "compare", then: str | None = None) -> str:
        """A link to the view of pair ``(a, b)`` (and, with ``then``, to an element in it),
        or a note saying why it has none."""
        i = self.pair_index.get((a, b), self.pair_index.get((b, a)))
        if i is None or i not in self.viewed:
            why = f"beyond the {self.max_pairs:,} embedded views (max_pairs)" if i is not None else "pair not linked"
            return f'<span class="empty" title="{esc(why)}">no view: {esc(why)}</span>'
        extra = f" data-then='{esc(then)}'" if then else ""
        return f'<a href="#{self.viewed[i]}" class="open"{extra}>{esc(label)}</a>'


def _header(result: Any, title: str, npairs: int, conflicts: list[Any]) -> str:
    """The page header: title, overview counts and the table of contents."""
    kinds = Counter(c.kind for _, c in conflicts)
    st = result.stats
    items = [
        f"documents <b>{st.documents:,}</b>",
        f"characters <b>{st.characters:,}</b>",
        f"linked pairs <b>{npairs:,}</b>",
        f"near-duplicate clusters <b>{len(result.near_duplicate_clusters):,}</b>",
        f"story clusters <b>{len(result.story_clusters):,}</b>",
        f"documents in no story <b>{len(result.singletons):,}</b>",
        f"conflicts <b>{len(conflicts):,}</b>"
        + (f" ({esc(', '.join(f'{kinds[k]} {k}' for k in sorted(kinds, key=kind_rank)))})" if kinds else ""),
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
    return (
        f'<header class="top" id="top"><h1>{esc(title)}</h1>'
        '<ul class="stats">' + "".join(f"<li>{i}</li>" for i in items) + f"</ul>{nav}</header>"
    )


def _clusters(result: Any, lengths: dict[str, int], links: _PairLinks, doc: _DocNames) -> str:
    """One card per cluster (near-duplicate clusters, then stories; each kind numbered
    from 1 in its ranking): members, and the evidence linking them."""
    cards = []
    numbered = [*enumerate(result.near_duplicate_clusters, 1), *enumerate(result.story_clusters, 1)]
    for n, c in numbered:
        members = "".join(
            f"<li>{doc(m)} <small>{lengths.get(m, 0):,} chars</small></li>" for m in c.members
        )
        evidence = "".join(_evidence_row(e, links, doc) for e in c.evidence)
        kind = "near-duplicate cluster" if c.kind == "near_duplicate" else "story"
        size = f"{len(c.members):,} document{'' if len(c.members) == 1 else 's'}"
        headline = f' <q class="headline">{esc(excerpt(c.headline, 140))}</q>' if c.headline else ""
        cards.append(
            f'<article class="card" id="{"dup" if c.kind == "near_duplicate" else "story"}-{n}"><h3>{esc(kind)} {n} '
            f"<small>{size}</small>{headline}</h3>"
            f'<ol class="members">{members}</ol>'
            "<table><thead><tr><th>a</th><th>b</th><th>link</th><th>Jaccard</th><th>passages</th>"
            f"<th>conflicts</th><th>confidence</th><th>evidence</th><th></th></tr></thead><tbody>{evidence}</tbody></table></article>"
        )
    return "".join(cards) or '<p class="empty">No clusters: no two documents are linked.</p>'


def _evidence_row(e: Any, links: _PairLinks, doc: _DocNames) -> str:
    """One evidence link of a cluster as a table row."""
    if e.pair is not None:
        return (
            f"<tr><td>{doc(e.a)}</td><td>{doc(e.b)}</td><td>{_reason(e.reason)}</td>"
            f'<td class="num">{e.pair.similarity.jaccard:.3f}</td><td class="num">{len(e.pair.passages)}</td>'
            f'<td class="num">{len(e.pair.conflicts)}</td>'
            f'<td class="num">{e.confidence:.2f}</td>'
            f"<td>{esc(_evidence_note(e.pair))}</td><td>{links.link(e.a, e.b)}</td></tr>"
        )
    return (
        f"<tr><td>{doc(e.a)}</td><td>{doc(e.b)}</td><td>{_reason(e.reason)}</td>"
        '<td class="num">–</td><td class="num">0</td><td class="num">0</td>'
        f'<td class="num">{e.confidence:.2f}</td>'
        f"<td>rare word pairs in common (cosine {e.vocabulary:.2f})</td>"
        '<td><span class="empty">no view: no shared passage to show</span></td></tr>'
    )


def _conflict_table(conflicts: list[Any], links: _PairLinks, doc: _DocNames) -> str:
    """Every conflict across the corpus, each with a link to it in its pair's view."""
    rows: list[str] = []
    for p, c in conflicts:
        then = f'.conf[data-cid="{p.conflicts.index(c) + 1}"]'
        rows.append(
            f'<tr><td><span class="kind k-{esc(c.kind)}">{KIND_BADGE.get(c.kind, "?")} {esc(c.kind)}</span></td>'
            f"<td>{doc(p.a)}</td><td><b>{esc(c.a_text)}</b></td><td>{doc(p.b)}</td><td><b>{esc(c.b_text)}</b></td>"
            f"<td>{links.link(p.a, p.b, 'show', then)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>kind</th><th>a</th><th>a says</th><th>b</th><th>b says</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="empty">No conflicting details between linked documents.</p>'
    )


def _variant_list(result: Any, doc: _DocNames) -> str:
    """The name variants: each spelling and the documents that use it."""
    variant_items: list[str] = []
    for v in result.name_variants:
        spellings = "".join(
            f"<li><b>{esc(sp.text)}</b> in {', '.join(doc(d) for d in sp.docs)}</li>" for sp in v.spellings
        )
        variant_items.append(f'<li class="variant"><ul>{spellings}</ul></li>')
    return f'<h3>Name variants</h3><ul class="variants">{"".join(variant_items)}</ul>' if variant_items else ""


def _reused(result: Any, doc: _DocNames) -> str:
    """The most reused passages, each with the documents it occurs in."""
    reused = "".join(
        f'<li><blockquote>{esc(excerpt(r.text, 400))}</blockquote><p class="meta">in {len(r.docs)} document{"" if len(r.docs) == 1 else "s"}'
        + (" (boilerplate: does not link stories)" if r.boilerplate else "")
        + ": "
        + ", ".join(doc(d) for d in r.docs)
        + "</p></li>"
        for r in result.reused_passages
    )
    return f'<ol class="reused">{reused}</ol>' if reused else '<p class="empty">No passage is shared.</p>'


def _pair_table(pairs: list[Any], order: list[int], links: _PairLinks, doc: _DocNames) -> str:
    """Every linked pair, best first, with a link to its view."""
    rows = []
    for i in order:
        p = pairs[i]
        s_ = p.similarity
        rows.append(
            f"<tr><td>{doc(p.a)}</td><td>{doc(p.b)}</td><td>{_reason(p.link)}</td>"
            f'<td class="num">{s_.jaccard:.3f}</td><td class="num">{s_.containment_a:.3f}</td>'
            f'<td class="num">{s_.containment_b:.3f}</td><td class="num">{len(p.passages)}</td>'
            f'<td class="num">{len(p.conflicts)}</td><td>{links.link(p.a, p.b)}</td></tr>'
        )
    hidden = len(pairs) - len(links.viewed)
    return (
        "<table><thead><tr><th>a</th><th>b</th><th>link</th><th>Jaccard</th><th>a in b</th><th>b in a</th>"
        f"<th>passages</th><th>conflicts</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (f'<p class="meta">{hidden:,} more pairs have no embedded view (max_pairs={links.max_pairs}).</p>' if hidden else "")
        if rows
        else '<p class="empty">No linked pairs.</p>'
    )


def _pair_view(p: Any, vid: str, text_of: Callable[[str], str], doc: _DocNames) -> str:
    """The embedded compare view of one linked pair (shown when its link is followed)."""
    a_text, b_text = text_of(p.a), text_of(p.b)
    cmp = Comparison(len(a_text), len(b_text), p.similarity, p.near_duplicate, p.passages, p.conflicts, p.a, p.b)
    note = _evidence_note(p)
    return (
        f'<section class="pairview" id="{vid}"><header><a href="#top" class="back">↑ overview</a>'
        f"<h2>{_reason(p.link)} {doc(p.a)} ↔ {doc(p.b)}</h2>"
        + (f'<p class="meta">{esc(note)}</p>' if note else "")
        + doc.first_note(p)
        + f"{stats_list(cmp, 'a', 'b')}{LEGEND}</header>"
        + compare_view(cmp, a_text, b_text, p.a, p.b, f"{vid}-view", f"{vid}-")
        + "</section>"
    )


def _evidence_note(p: Any) -> str:
    """One line on why a pair is linked: shared text, or the names and dates it shares."""
    if p.passages:
        shared = sum(len(x.a) for x in p.passages)
        return f"{len(p.passages)} shared passage{'s' if len(p.passages) != 1 else ''}, {shared:,} characters"
    ev = getattr(p, "same_event", None)
    if ev is not None:
        return "same names " + ", ".join(ev.names[:6]) + ("; same date " + ", ".join(ev.dates) if ev.dates else "")
    return ""
