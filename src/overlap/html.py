"""Self-contained HTML reports: two texts side by side, shared passages and conflicts marked.

Contents:

- ``comparison_html(cmp, a_text, b_text, *, a_name="a", b_name="b", title=None) -> str``:
  one complete HTML document for one comparison.
- ``scan_html(result, texts=None, *, title=None, max_pairs=200, title_field="title",
  url_field="url") -> str``: a corpus report for an ``overlap.scan`` result (clusters
  with their evidence, conflicts and name variants across the corpus, reused passages,
  and a compare view per linked pair; documents named by their kept title and url).

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

Modules: ``html_page`` (the page: style, script, escaping, colours), ``html_view`` (one
comparison's marked-up panes and tables), ``html_scan`` (the corpus report); this module
is their public face.  Cost: O(boundaries x ranges) string work per side, a few
milliseconds for news articles; the document is roughly 1.5-3x the size of the two texts.
"""

from __future__ import annotations

from .html_page import KIND_COLOURS, LEGEND, esc, page, passage_colour
from .html_scan import scan_html
from .html_view import compare_view, stats_list
from .records import Comparison

__all__ = ["KIND_COLOURS", "comparison_html", "passage_colour", "scan_html"]


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
        f'<header class="top"><h1>{esc(title)}</h1>'
        f'<p class="meta">a: {esc(a_name)} ({cmp.a_length:,} chars) · '
        f"b: {esc(b_name)} ({cmp.b_length:,} chars)</p>"
        f"{stats_list(cmp, a_name, b_name)}{LEGEND}</header>"
    )
    return page(title, header + "<main>" + compare_view(cmp, a_text, b_text, a_name, b_name, "cmp") + "</main>")
