"""The ``overlap`` command: a thin layer over the library.

Each subcommand builds its options, makes one library call and prints.  Every error the
library raises on purpose (``OverlapError``) and every usage error becomes one line on
stderr and a non-zero exit: 2 for bad usage or options, 1 for bad input.  No tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, NoReturn, Sequence

from .errors import ConfigError, InputError, OverlapError

__all__ = ["main"]

EXIT_INPUT = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """Bad command-line usage; the message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message} (see --help)")


def _fraction(flag: str) -> Callable[[str], float]:
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number in [0, 1]: {s!r}") from None
        if not 0.0 <= v <= 1.0:
            raise argparse.ArgumentTypeError(f"{flag} must be in [0, 1]: {s}")
        return v

    return parse


def _count(flag: str, lo: int = 1, hi: int = 1000) -> Callable[[str], int]:
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be an integer in [{lo}, {hi}]: {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{flag} must be in [{lo}, {hi}]: {s}")
        return v

    return parse


def _add_output_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (schema in the README) instead of the report")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--width", type=_count("--width", 40, 1000), help="report width in columns (default: terminal)")
    color = p.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="no colour (also: NO_COLOR=1)")


def _add_compare_flags(p: argparse.ArgumentParser) -> None:
    from .pipeline import CompareOptions

    d = CompareOptions()
    g = p.add_argument_group("matching")
    g.add_argument("--near-duplicate", type=_fraction("--near-duplicate"), default=d.near_duplicate, metavar="J",
                   help=f"Jaccard at or above which texts are near-duplicates (default {d.near_duplicate})")
    g.add_argument("--shingle-size", type=_count("--shingle-size"), default=d.shingle_size, metavar="K",
                   help=f"tokens per shingle for similarity (default {d.shingle_size})")
    g.add_argument("--min-tokens", type=_count("--min-tokens"), default=d.min_tokens, metavar="N",
                   help=f"matched tokens a shared passage needs (default {d.min_tokens})")
    g.add_argument("--max-gap", type=_count("--max-gap", 0), default=d.max_gap, metavar="N",
                   help=f"differing tokens a passage may bridge (default {d.max_gap})")
    g.add_argument("--seed-size", type=_count("--seed-size"), default=d.seed_size, metavar="K",
                   help=f"tokens in an exact seed match (default {d.seed_size})")
    g.add_argument("--min-density", type=_fraction("--min-density"), default=d.min_density, metavar="F",
                   help=f"share of a passage's tokens that must match (default {d.min_density})")
    p.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8; e.g. cp1258, latin-1)")


def _compare_options(args: argparse.Namespace) -> Any:
    from .pipeline import CompareOptions

    return CompareOptions(
        shingle_size=args.shingle_size,
        near_duplicate=args.near_duplicate,
        seed_size=args.seed_size,
        max_gap=args.max_gap,
        min_tokens=args.min_tokens,
        min_density=args.min_density,
    )


def _write_html(path: str, html: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a report."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"{path}: cannot write HTML report ({e.strerror or e})") from None


def _cmd_compare(args: argparse.Namespace) -> int:
    from .pipeline import compare
    from .textio import read_text

    if args.a == "-" and args.b == "-":
        raise _UsageError("overlap compare: only one of A and B can be - (stdin)")
    options = _compare_options(args)
    a_text = read_text(args.a, encoding=args.encoding)
    b_text = read_text(args.b, encoding=args.encoding)
    cmp = compare(a_text, b_text, options=options)
    from dataclasses import replace

    cmp = replace(cmp, a_path=args.a, b_path=args.b)
    if args.html:
        from .html import comparison_html

        _write_html(args.html, comparison_html(cmp, a_text, b_text, a_name=args.a, b_name=args.b))
    if args.json:
        json.dump(cmp.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from .report import render_comparison

        render_comparison(cmp, a_text, b_text, width=args.width, color=args.color)
    return 0


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (the lookup is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from . import __version__

        print(f"overlap {__version__}")
        parser.exit()


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="overlap",
        description="Find shared passages between news texts and the details they disagree on.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "compare",
        help="compare two texts: similarity, shared passages, conflicting details",
        description="Compare two texts: similarity, shared passages with offsets on both sides, "
        "and the details (names, numbers, dates) they disagree on. Use - for stdin.",
    )
    p.add_argument("a", metavar="A", help="first text file (or - for stdin)")
    p.add_argument("b", metavar="B", help="second text file (or - for stdin)")
    _add_output_flags(p)
    _add_compare_flags(p)
    p.set_defaults(run=_cmd_compare)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Subcommands defined in other modules register here (kept as a list so the parser is
# built in one place and each command's code stays next to its library stage).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _build_parser().parse_args(argv)
        return int(args.run(args))
    except _UsageError as e:
        _fail(str(e))
        return EXIT_USAGE
    except ConfigError as e:
        _fail(f"overlap: {e}")
        return EXIT_USAGE
    except OverlapError as e:
        _fail(f"overlap: {e}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _fail("overlap: interrupted")
        return 130
    except BrokenPipeError:
        # Output went to a closed pipe (`overlap ... | head`): stop quietly.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0


def _fail(message: str) -> None:
    sys.stderr.write(message.replace("\n", " ") + "\n")
