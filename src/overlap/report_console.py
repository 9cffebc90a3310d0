"""The terminal reports' console: colour decisions, visible control characters, shared helpers.

``make_console(file=None, width=None, color=None) -> rich.console.Console``
    A console that honours ``NO_COLOR``, a non-TTY output and a width override, and
    shows control characters of anything it prints visibly.
``visible(s) -> str``
    ``s`` with every control character (C0 but tab and newline, DEL, C1) replaced by
    one visible stand-in (``␛`` for ESC, ``�`` for C1), so text, ids and file names cannot
    move the cursor, clear the screen or set a window title.  Length is kept, so spans
    into a text stay valid on its visible form.
``plain(console)``, ``kind_counts(kinds)``, ``excerpt(s, n)``, ``KIND_STYLES``, ``KIND_ORDER``
    What ``report`` (one comparison) and ``report_scan`` (a corpus) both use.

rich is imported inside the functions: ``import overlap`` stays fast.  Cost: linear in
what is printed.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

__all__ = ["KIND_ORDER", "KIND_STYLES", "excerpt", "kind_counts", "make_console", "plain", "visible"]

# Colour of each conflict kind in the terminal (the kind is also printed as a word).
KIND_STYLES = {
    "spelling": "yellow",
    "name": "magenta",
    "number": "cyan",
    "date": "green",
}
KIND_ORDER = ("spelling", "name", "number", "date")
# One character for one character (spans stay valid): C0 controls become their Unicode
# "control picture" (ESC -> ␛), DEL -> ␡, C1 controls (CSI 0x9b acts like ESC [ on some
# terminals) -> U+FFFD.  Tab and newline are layout, not control.
_VISIBLE = {c: 0x2400 + c for c in range(32) if chr(c) not in "\t\n"}
_VISIBLE.update({0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}})


def visible(s: str) -> str:
    """``s`` with control characters shown visibly (see the module docstring); linear time.

    >>> visible("a\x1b[2Jb")
    'a␛[2Jb'
    """
    return s.translate(_VISIBLE)


def _visible_hook() -> Any:
    """A rich render hook making every printed segment visible: the safety net that covers
    user text reaching a report by any path (ids, passages, names), colour on or off."""
    from rich.console import RenderHook
    from rich.measure import Measurement
    from rich.segment import Segment

    class _Visible:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __rich_console__(self, console: Any, options: Any) -> Any:
            for seg in console.render(self.inner, options):
                if seg.control or not seg.text:
                    yield seg
                else:
                    yield Segment(seg.text.translate(_VISIBLE), seg.style)

        def __rich_measure__(self, console: Any, options: Any) -> Any:
            return Measurement.get(console, options, self.inner)

    class _Hook(RenderHook):
        def process_renderables(self, renderables: list[Any]) -> list[Any]:
            return [_Visible(r) for r in renderables]

    return _Hook()


def make_console(file: IO[str] | None = None, width: int | None = None, color: bool | None = None) -> Console:
    """A rich ``Console`` for ``overlap``'s human output.

    ``color=None`` decides automatically: no colour when ``NO_COLOR`` is set or ``file``
    (stdout by default) is not a terminal; rich then writes no control codes at all.
    ``color=True`` forces colour even into a pipe (``--color``); ``color=False`` turns it
    off (``--no-color``).  ``width=None`` uses the terminal's width (80 when piped, or
    ``$COLUMNS``); an explicit width must be at least 20.
    """
    from rich.console import Console

    if width is not None and (not isinstance(width, int) or isinstance(width, bool) or width < 20):
        raise ValueError(f"width must be an integer >= 20: {width!r}")
    kwargs: dict[str, Any] = {
        "file": file if file is not None else sys.stdout,
        "width": width,
        "highlight": False,  # never colour numbers/URLs inside the articles
        "emoji": False,
        "soft_wrap": False,
    }
    if color is True:
        kwargs.update(force_terminal=True, no_color=False)
    elif color is False:
        kwargs.update(no_color=True)
    console = Console(**kwargs)
    console.push_render_hook(_visible_hook())
    return console


def plain(console: Console) -> bool:
    """True when colour will not reach the reader, so plain-text markers are needed."""
    return console.no_color or console.color_system is None


def kind_counts(kinds: Iterable[str]) -> list[tuple[str, int]]:
    """``(kind, count)`` of conflict kinds, in ``KIND_ORDER`` (unknown kinds last, by name)."""
    counts = Counter(kinds)
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def excerpt(s: str, n: int) -> str:
    """``s`` on one line (white space collapsed), cut to ``n`` characters with an ellipsis."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"
