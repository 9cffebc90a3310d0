"""What every ``overlap`` subcommand shares: the one-line usage error, argument types,
input flags, the document reader with ``--skip-bad``, HTML output and the error line.

``UsageError``, ``Parser``: a usage error is one line (``see --help``), never usage + message.
``fraction(flag)``, ``count(flag, lo, hi)``, ``encoding(s)``: argparse types that quote the bad value.
``add_input_flags(p)``, ``documents(args)``: the input group of ``scan``/``index add`` and its reader;
``add_glob_flags(g)``: ``--include``/``--exclude`` for directory inputs.
``html_target(args, inputs)``, ``write_html(path, html)``: ``--html`` checked before work, written atomically.
``fail(message)``: one line on stderr, control characters shown visibly.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, NoReturn, Sequence

from .errors import ConfigError

__all__ = [
    "Parser", "UsageError", "add_glob_flags", "add_input_flags", "count", "documents", "encoding", "fail", "field_list",
    "fraction", "glob", "html_target", "visible", "write_html",
]


class UsageError(Exception):
    """Bad command-line usage; the message is the one line to print."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def fraction(flag: str) -> Callable[[str], float]:
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number in [0, 1]: {s!r}") from None
        if not 0.0 <= v <= 1.0:
            raise argparse.ArgumentTypeError(f"{flag} must be in [0, 1]: {s}")
        return v

    return parse


def count(flag: str, lo: int = 1, hi: int = 1000) -> Callable[[str], int]:
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be an integer in [{lo}, {hi}]: {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{flag} must be in [{lo}, {hi}]: {s}")
        return v

    return parse


def encoding(s: str) -> str:
    """``--encoding``: a text codec Python knows (not rot13, hex, base64, zlib_codec...)."""
    from .textio import check_encoding

    try:
        check_encoding(s)
    except ConfigError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return s


def html_target(args: argparse.Namespace, inputs: Sequence[str]) -> Any:
    """The checked ``--html`` path (``None`` when not asked), validated before any work:
    never empty, an input, an index, a directory or a symbolic link (``overlap.outputs``)."""
    if args.html is None:
        return None
    from .outputs import check_output_path

    return check_output_path(args.html, inputs=inputs, what="HTML report")


def write_html(path: Any, html: str) -> None:
    """Write via a temporary file and rename (``overlap.outputs``): never half a report."""
    from .outputs import atomic_write_text

    atomic_write_text(path, html)


def add_input_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("input")
    g.add_argument("--text-field", default="text", metavar="F", help="JSONL/CSV/Parquet field holding the text (default text)")
    g.add_argument("--id-field", default="id", metavar="F",
                   help="field holding the document id (default id; '' numbers records as file:line)")
    g.add_argument("--format", dest="fmt", choices=("dir", "txt", "jsonl", "csv", "parquet"),
                   help="input format of every PATH (default: from the extension; a directory is searched for .txt)")
    g.add_argument("--encoding", type=encoding, default="utf-8", help="input encoding (default utf-8; e.g. cp1258, latin-1)")
    g.add_argument("--skip-bad", action="store_true",
                   help="skip bad records and unreadable files with a warning on stderr instead of stopping")
    add_glob_flags(g)


def add_glob_flags(g: Any) -> None:
    """``--include GLOB`` / ``--exclude GLOB`` (repeatable) for directory inputs."""
    g.add_argument("--include", action="append", type=glob, metavar="GLOB",
                   help="in directories, read the files whose path inside the directory matches GLOB "
                   "(repeatable; default *.txt and *.text; * also matches /)")
    g.add_argument("--exclude", action="append", type=glob, default=[], metavar="GLOB",
                   help="in directories, skip the files whose path inside the directory matches GLOB "
                   "(repeatable; e.g. '*.info.txt')")


def field_list(s: str) -> tuple[str, ...]:
    """``--keep-fields title,url,date``: comma-separated, non-empty field names."""
    names = tuple(x.strip() for x in s.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"--keep-fields must be comma-separated field names, e.g. title,url: {s!r}")
    return names


def glob(s: str) -> str:
    """``--include``/``--exclude``: a non-empty pattern."""
    if not s:
        raise argparse.ArgumentTypeError("a glob pattern cannot be empty")
    return s


def documents(args: argparse.Namespace) -> Any:
    from .sources import iter_documents

    def warn(e: Exception) -> None:
        fail(f"overlap: skipped {e}")

    return iter_documents(
        args.paths,
        text_field=args.text_field,
        id_field=args.id_field,
        encoding=args.encoding,
        fmt=args.fmt,
        on_bad=warn if args.skip_bad else None,
        include=args.include,
        exclude=args.exclude,
        keep_fields=getattr(args, "keep_fields", ()),  # only commands that carry fields define it
    )


def visible(s: str) -> str:
    from .report import visible

    return visible(s)


def fail(message: str) -> None:
    """One line on stderr; control characters in file names or ids shown visibly."""
    sys.stderr.write(visible(message.replace("\n", " ").rstrip()) + "\n")
