"""The corpus view in the terminal: an ``overlap.scan`` result, drawn with rich.

``render_scan(result, *, console=None, width=None, color=None, max_rows=50, min_confidence=0.0, title_field="title")``
    Summary, clusters with their evidence, conflicts across the corpus, name variants,
    most reused passages.

Document ids are shortened to fit their columns whole (``_short_id``) and said relative
to the directory they share.  Documents with a kept title are named by it instead, cut
to the same width (``_short_title``).  Cost: linear in the rows printed (at most
``max_rows`` per table), titles looked up for the documents printed only; rich's layout
dominates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .report_console import KIND_STYLES, excerpt, kind_counts, make_console, visible
from .reuse import MIN_SIMILARITY as REUSE_MIN_SIMILARITY

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

__all__ = ["render_scan"]


def render_scan(
    result: Any,
    *,
    console: Console | None = None,
    width: int | None = None,
    color: bool | None = None,
    max_rows: int = 50,
    min_confidence: float = 0.0,
    title_field: str = "title",
) -> None:
    """Print an ``overlap.scan`` result for a human.

    Conflicts below ``min_confidence`` are counted, not listed; the rest are ranked by
    confidence.

    Sections: a summary table; each cluster (near-duplicate clusters, then stories) with
    its members and the evidence linking them; conflicts across the corpus (kind, both
    documents, both texts) and the name variants; the most reused passages.  Tables are
    cut at ``max_rows`` rows with a note saying how many were left out (``--json`` has
    everything).  Console as in ``render_comparison``.

    Documents whose kept fields (``DocInfo.fields``) have a ``title_field`` are named by
    that title, on one line and cut with "…" to the width an id gets; printed documents
    whose shortened titles read the same also show their id, and the members line gives
    each title's id.  Without kept titles the report names documents by id, as before.
    """
    from rich.text import Text

    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ValueError(f"max_rows must be an integer >= 1: {max_rows!r}")
    if not isinstance(title_field, str):
        raise TypeError(f"title_field must be a field name (str): {title_field!r}")
    con = console if console is not None else make_console(width=width, color=color)
    conflicts = list(result.conflicts)
    clusters = [*result.near_duplicate_clusters[:max_rows], *result.story_clusters[:max_rows]]
    confident = sorted((pc for pc in conflicts if pc[1].confidence >= min_confidence), key=lambda pc: -pc[1].confidence)
    titles: dict[str, str] = {}
    # Titles of the documents the report names only: measuring a title's cells is not
    # free, and a corpus may hold millions.
    if result.field_names():
        for d in {m for c in clusters for m in c.members} | {x for p, _ in confident[:max_rows] for x in (p.a, p.b)}:
            t = (result.document(d).fields or {}).get(title_field)
            if isinstance(t, str) and t.strip():
                titles[d] = t
    out = _Printer(con, max_rows, _common_dir([d.id for d in result.documents]), titles)
    st = result.stats
    con.print(Text(f"overlap scan  {st.documents:,} documents, {st.characters:,} characters", style="bold"))
    if out.prefix:
        con.print(Text(f"document ids below are relative to {out.prefix}", style="dim"))
    con.print()
    con.print(_summary(result, conflicts))
    for c in clusters:
        _print_cluster(out, result, c)
    out.more(len(result.near_duplicate_clusters), "near-duplicate clusters")
    out.more(len(result.story_clusters), "stories")
    con.print()
    _print_conflicts(out, conflicts, confident, min_confidence)
    _print_variants(out, result.name_variants)
    _print_reused(out, result.reused_passages)


class _Printer:
    """The console of one ``render_scan``, its row limit, the ids' common directory, and
    the names of documents with a title.

    Names never wrap or get cut by the tables: ids are said relative to ``prefix`` and
    shortened to fit two per row (``_short_id``); titles are cut to the same width
    (``_short_title``); their columns are given that width.
    """

    def __init__(self, con: Console, max_rows: int, prefix: str, titles: Mapping[str, str] | None = None) -> None:
        self.con, self.max_rows, self.prefix = con, max_rows, prefix
        self.id_limit = max(12, min(32, (con.width - 44) // 2))
        # Titles get no more room than an id and at most _TITLE_CELLS, so the columns
        # beside them (what each document says, in the conflicts table) keep theirs.
        self.title_limit = min(self.id_limit, _TITLE_CELLS)
        self.titles = titles or {}
        self.names = {d: _short_title(t, self.title_limit) for d, t in self.titles.items()}
        # Copies often share a title: those that would read the same also show their id.
        same = Counter(self.names.values())
        for d, name in self.names.items():
            if same[name] > 1:
                sid = self.short_id(d)
                room = self.title_limit - _cells(sid) - 3  # " (" and ")"
                self.names[d] = f"{_short_title(self.titles[d], room)} ({sid})" if room >= 8 else sid

    def short_id(self, doc_id: str) -> str:
        # Ids share a long directory prefix when a directory is scanned by absolute path;
        # it is said once above and left out of the tables.
        p = self.prefix
        return _short_id(doc_id[len(p) :] if p and doc_id.startswith(p) else doc_id, self.id_limit)

    def short(self, doc_id: str) -> str:
        """How the tables name a document: its shortened title, else its shortened id."""
        name = self.names.get(doc_id)
        return name if name is not None else self.short_id(doc_id)

    def member(self, doc_id: str) -> str:
        """How the members line names a document: as ``short``, with the id after a title."""
        if doc_id not in self.names:
            return self.short_id(doc_id)
        name, sid = self.names[doc_id], self.short_id(doc_id)
        return name if name.endswith(f" ({sid})") else f"{name} ({sid})"

    def more(self, n: int, what: str) -> None:
        """A note saying how many of ``n`` rows the ``max_rows`` cut left out."""
        from rich.text import Text

        if n > self.max_rows:
            self.con.print(Text(f"… and {n - self.max_rows:,} more {what} (see --json or --html)", style="dim"))


def _summary(result: Any, conflicts: list[Any]) -> Any:
    """The summary table: pairs, clusters, conflicts by kind, variants, reused passages."""
    from rich.table import Table
    from rich.text import Text

    summary = Table(title="Summary", title_justify="left", show_header=False, box=None, padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("linked pairs", f"{len(result.pairs):,}")
    summary.add_row("near-duplicate clusters", f"{len(result.near_duplicate_clusters):,}")
    summary.add_row("story clusters", f"{len(result.story_clusters):,}")
    summary.add_row("documents in no story", f"{len(result.singletons):,}")
    kinds = Text(f"{len(conflicts):,}")
    for i, (kind, n) in enumerate(kind_counts(c.kind for _, c in conflicts)):
        kinds.append(": " if i == 0 else ", ")
        kinds.append(f"{n} {kind}", style=KIND_STYLES.get(kind, "bold"))
    summary.add_row("conflicts", kinds)
    summary.add_row("name variants", f"{len(result.name_variants):,}")
    summary.add_row("reused passages", f"{len(result.reused_passages):,}")
    return summary


def _print_cluster(out: _Printer, result: Any, c: Any) -> None:
    """One cluster: its title, the evidence links (at most ``max_rows``) and its members."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con, short = out.con, out.short
    # Each kind is numbered from 1, in its ranking (largest and strongest first).
    n = (result.near_duplicate_clusters if c.kind == "near_duplicate" else result.story_clusters).index(c) + 1
    label = "near-duplicate cluster" if c.kind == "near_duplicate" else "story"
    con.print()
    title = Text(f"{label} {n}: {_count(len(c.members), 'document')}", style="bold")
    if c.headline:
        title.append(f"  {excerpt(c.headline, 100)}", style="italic")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    shown_ev = c.evidence[: out.max_rows]
    idw = max((_cells(short(x)) for e in shown_ev for x in (e.a, e.b)), default=1)
    table.add_column("a", no_wrap=True, min_width=idw)
    table.add_column("b", no_wrap=True, min_width=idw)
    table.add_column("link", no_wrap=True, min_width=max((len(_LINK_LABELS.get(e.reason, e.reason)) for e in shown_ev), default=4))
    table.add_column("confidence", justify="right", no_wrap=True)
    table.add_column("Jaccard", justify="right", no_wrap=True)
    table.add_column("evidence", ratio=3)
    for e in shown_ev:
        reason = _LINK_LABELS.get(e.reason, e.reason)
        style = {"near_duplicate": "bold red", "long_passage": "bold blue", "short_passage": "blue"}.get(e.reason, "")
        table.add_row(
            Text(short(e.a)), Text(short(e.b)), Text(reason, style=style), f"{e.confidence:.2f}",
            f"{e.pair.similarity.jaccard:.3f}" if e.pair is not None else "–",
            Text(_evidence(e.pair) if e.pair is not None else f"rare word pairs in common (cosine {e.vocabulary:.2f})"),
        )
    con.print(table)
    members = ", ".join(out.member(m) for m in c.members)
    if len(c.evidence) > out.max_rows:
        out.more(len(c.evidence), "links")
    con.print(Text("members: ", style="bold") + Text(members))
    first = result.first_published(c)
    if first is not None:  # with a date field: as dedup's first_published
        date = result.document(first).fields[result.options.date_field]
        con.print(Text("first published: ", style="bold") + Text(f"{out.member(first)} ({date})"))


def _print_conflicts(out: _Printer, conflicts: list[Any], confident: list[Any], min_confidence: float) -> None:
    """The ``confident`` conflicts (``min_confidence`` or more, most confident first) of
    all ``conflicts`` across the corpus, and a line on how many are below it."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con, short = out.con, out.short
    if confident:
        table = Table(title="Conflicting details across the corpus", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("a", no_wrap=True)
        table.add_column("a says", ratio=2)
        table.add_column("b", no_wrap=True)
        table.add_column("b says", ratio=2)
        table.add_column("conf.", no_wrap=True, justify="right")
        for p, c in confident[: out.max_rows]:
            style = KIND_STYLES.get(c.kind, "bold")
            table.add_row(
                Text(c.kind, style=f"bold {style}"),
                Text(f"{short(p.a)} {c.a.start}–{c.a.end}"),
                Text(c.a_text, style=style),
                Text(f"{short(p.b)} {c.b.start}–{c.b.end}"),
                Text(c.b_text, style=style),
                f"{c.confidence:.2f}",
            )
        con.print(table)
        out.more(len(confident), "conflicts")
    else:
        con.print(Text("No conflicting details between linked documents.", style="dim"))
    if len(conflicts) > len(confident):
        hidden = len(conflicts) - len(confident)
        con.print(Text(f"{hidden:,} conflict{'s' if hidden != 1 else ''} below confidence {min_confidence:g} not shown "
                       "(--min-confidence 0 or --json shows them).", style="dim"))


def _print_variants(out: _Printer, variants: Any) -> None:
    """Each name variant: its spellings and how many documents use each."""
    from rich.text import Text

    if not variants:
        return
    out.con.print()
    out.con.print(Text("Name variants", style="bold"))
    for v in variants[: out.max_rows]:
        line = Text("  ")
        for i, sp in enumerate(v.spellings):
            if i:
                line.append("  |  ")
            line.append(sp.text, style="bold yellow")
            line.append(f" ({len(sp.docs)} doc{'s' if len(sp.docs) != 1 else ''})")
        out.con.print(line)
    out.more(len(variants), "name variants")


def _print_reused(out: _Printer, reused: Any) -> None:
    """The most reused passages: how many documents hold each, and its text."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not reused:
        return
    out.con.print()
    table = Table(title="Most reused passages", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("docs", justify="right", no_wrap=True)
    table.add_column("text", ratio=1)
    for r in reused[: out.max_rows]:
        text = Text(excerpt(r.text, 240))
        if r.boilerplate:
            text.append("  (boilerplate: does not link stories)", style="dim")
        table.add_row(str(len(r.docs)), text)
    out.con.print(table)
    out.con.print(Text(f"Every occurrence of a passage matches its text at similarity >= {REUSE_MIN_SIMILARITY:g}.", style="dim"))
    out.more(len(reused), "reused passages")


def _common_dir(ids: list[str]) -> str:
    """The longest ``.../`` directory prefix shared by all ``ids`` ("" if none or one id)."""
    if len(ids) < 2:
        return ""
    first, last = min(ids), max(ids)  # the common prefix of all is that of the extremes
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[: first.rfind("/", 0, n) + 1] if "/" in first[:n] else ""


_TITLE_CELLS = 24
"""The most terminal cells a title takes in the tables (an id may take up to 32)."""

_LINK_LABELS = {
    "near_duplicate": "near-dup",
    "long_passage": "long passage",
    "short_passage": "passage",
    "passage": "passage",
    "same_event": "same event",
    "shared_vocabulary": "vocabulary",
}


def _count(n: int, noun: str) -> str:
    """``"1 document"``, ``"2 documents"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _short_id(doc_id: str, limit: int = 32) -> str:
    """A document id that fits a table cell whole (the columns do not wrap, so no id is
    ever cut mid-name): an id longer than ``limit`` keeps its last path part (the file
    name, which tells documents apart) and as much of its head as fits, around one "…".
    ``--json`` has the full id.

    >>> _short_id("reuters/2017/01/very-long-directory-name/21454551.txt", 24)
    'reuters/20…/21454551.txt'
    >>> _short_id("21454551")
    '21454551'
    """
    if len(doc_id) <= limit:
        return doc_id
    slash = doc_id.rfind("/")
    tail = doc_id[slash:] if slash >= 0 else ""
    if not tail or len(tail) > limit - 4:
        head = (limit - 1) // 3
        return doc_id[:head] + "…" + doc_id[len(doc_id) - (limit - 1 - head) :]
    return doc_id[: limit - 1 - len(tail)] + "…" + tail


def _cells(s: str) -> int:
    """Terminal cells ``s`` takes (wide characters count two, combining marks none)."""
    from rich.cells import cell_len

    return cell_len(s)


def _short_title(title: str, limit: int) -> str:
    """A title on one line (white space collapsed, control characters visible) that
    takes at most ``limit`` terminal cells, cut with "…" when longer.

    >>> _short_title("  Talks in\\nGeneva end  ", 32), _short_title("Talks in Geneva end without a deal", 16)
    ('Talks in Geneva end', 'Talks in Geneva…')
    """
    from rich.cells import set_cell_size

    s = visible(" ".join(title.split()))
    if _cells(s) <= limit:
        return s
    return set_cell_size(s, limit - 1).rstrip() + "…"


def _evidence(pair: Any) -> str:
    """Why a pair is linked, in a few words."""
    if pair.passages:
        shared = sum(len(x.a) for x in pair.passages)
        n = len(pair.passages)
        out = f"{n} shared passage{'s' if n != 1 else ''}, {shared:,} chars"
        if pair.conflicts:
            out += f"; {len(pair.conflicts)} conflict{'s' if len(pair.conflicts) != 1 else ''}"
        return out
    ev = getattr(pair, "same_event", None)
    if ev is not None:
        return "same names " + ", ".join(ev.names[:5]) + ("; same date " + ", ".join(ev.dates) if ev.dates else "")
    return ""
