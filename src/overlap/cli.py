"""The ``overlap`` command: a thin layer over the library.

``overlap compare A B`` (here), ``overlap scan PATH...`` (``cli_scan``),
``overlap index add|query|stats|remove|list|export|vacuum`` (``cli_index``),
``overlap dedup INPUT... -o OUTPUT`` (``cli_dedup``); shared flags and types in ``cli_common``.

Each subcommand builds its options, makes one library call and prints.  Every error the
library raises on purpose (``OverlapError``) and every usage error becomes one line on
stderr and a non-zero exit: 2 for bad usage or options, 1 for bad input.  No tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from .cli_common import Parser, UsageError, count, encoding, fail, fraction, html_target, write_html
from .errors import ConfigError, OverlapError

__all__ = ["main"]

EXIT_INPUT = 1
EXIT_USAGE = 2


def _add_output_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (schema in the README) instead of the report")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--width", type=count("--width", 40, 1000), help="report width in columns (default: terminal)")
    color = p.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="no colour (also: NO_COLOR=1)")


def _add_compare_flags(p: argparse.ArgumentParser) -> None:
    from .language import LANGUAGES
    from .pipeline import CompareOptions

    d = CompareOptions()
    g = p.add_argument_group("matching")
    g.add_argument("--near-duplicate", type=fraction("--near-duplicate"), default=d.near_duplicate, metavar="J",
                   help=f"Jaccard at or above which texts are near-duplicates (default {d.near_duplicate})")
    g.add_argument("--duplicate-coverage", type=fraction("--duplicate-coverage"), default=d.duplicate_coverage,
                   metavar="F", help="also near-duplicates when shared passages cover this share of both texts "
                   f"(default {d.duplicate_coverage})")
    g.add_argument("--shingle-size", type=count("--shingle-size"), default=d.shingle_size, metavar="K",
                   help=f"tokens per shingle for similarity (default {d.shingle_size})")
    g.add_argument("--min-tokens", type=count("--min-tokens"), default=d.min_tokens, metavar="N",
                   help=f"matched tokens a shared passage needs (default {d.min_tokens})")
    g.add_argument("--max-gap", type=count("--max-gap", 0), default=d.max_gap, metavar="N",
                   help=f"differing tokens a passage may bridge (default {d.max_gap})")
    g.add_argument("--seed-size", type=count("--seed-size"), default=d.seed_size, metavar="K",
                   help=f"tokens in an exact seed match (default {d.seed_size})")
    g.add_argument("--min-density", type=fraction("--min-density"), default=d.min_density, metavar="F",
                   help=f"share of a passage's tokens that must match (default {d.min_density})")
    g.add_argument("--no-paraphrase", dest="paraphrase", action="store_false", default=d.paraphrase,
                   help="verbatim passages only: do not look for reworded reuse")
    g.add_argument("--language", choices=LANGUAGES, default=d.language,
                   help="language of the texts for reworded reuse (default auto: detected per text)")
    p.add_argument("--encoding", type=encoding, default="utf-8", help="input encoding (default utf-8; e.g. cp1258, latin-1)")


def _compare_options(args: argparse.Namespace) -> Any:
    from .pipeline import CompareOptions

    return CompareOptions(
        shingle_size=args.shingle_size,
        near_duplicate=args.near_duplicate,
        duplicate_coverage=args.duplicate_coverage,
        seed_size=args.seed_size,
        max_gap=args.max_gap,
        min_tokens=args.min_tokens,
        min_density=args.min_density,
        paraphrase=args.paraphrase,
        language=args.language,
    )


def _cmd_compare(args: argparse.Namespace) -> int:
    from .pipeline import compare
    from .textio import read_text

    if args.a == "-" and args.b == "-":
        raise UsageError("overlap compare: only one of A and B can be - (stdin)")
    options = _compare_options(args)
    html_path = html_target(args, [args.a, args.b])
    a_text = read_text(args.a, encoding=args.encoding)
    b_text = read_text(args.b, encoding=args.encoding)
    cmp = compare(a_text, b_text, options=options)
    from dataclasses import replace

    cmp = replace(cmp, a_path=args.a, b_path=args.b)
    if args.json and args.min_confidence is not None:  # JSON gives every conflict unless asked
        cmp = replace(cmp, conflicts=tuple(c for c in cmp.conflicts if c.confidence >= args.min_confidence))
    if html_path is not None:
        from .html import comparison_html

        write_html(html_path, comparison_html(cmp, a_text, b_text, a_name=args.a, b_name=args.b))
    if args.json:
        json.dump(cmp.to_dict(a_text), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from .report import render_comparison

        render_comparison(cmp, a_text, b_text, width=args.width, color=args.color, min_confidence=_shown_confidence(args))
    return _compare_status(cmp, args.fail_on, _shown_confidence(args))


def _shown_confidence(args: argparse.Namespace) -> float:
    """The least confidence of a conflict the report shows (``--min-confidence``, else the default)."""
    from .confidence import DEFAULT_MIN_CONFIDENCE

    return DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else float(args.min_confidence)


def _compare_status(cmp: Any, fail_on: str | None, min_confidence: float) -> int:
    """Exit status of ``compare --fail-on``: 1 when the asked-for finding is present
    (for conflicts: one at or above the confidence the report shows)."""
    if fail_on == "near-duplicate":
        return int(bool(cmp.near_duplicate))
    if fail_on == "conflict":
        return int(any(c.confidence >= min_confidence for c in cmp.conflicts))
    return 0


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (the lookup is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from . import __version__

        print(f"overlap {__version__}")
        parser.exit()


def _build_parser(command: str | None = None) -> Parser:
    """The full parser; for ``command == "compare"`` only that subcommand (the others'
    defaults come from their modules, and importing ``overlap.corpus`` would slow a cold
    ``overlap compare``)."""
    parser = Parser(
        prog="overlap",
        description="Find shared passages between news texts and the details they disagree on.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
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
    p.add_argument("--min-confidence", type=fraction("--min-confidence"), default=None, metavar="C",
                   help="show conflicts whose confidence (how sure it is that both sides state the same fact) "
                   "is at least C; default 0.7 in the report, all conflicts in --json")
    p.add_argument("--fail-on", choices=("near-duplicate", "conflict"),
                   help="exit with status 1 when the texts are near-duplicates / have a conflicting detail (like diff)")
    p.set_defaults(run=_cmd_compare)

    if command != "compare":
        from . import cli_dedup, cli_index, cli_scan

        for module in (cli_scan, cli_index, cli_dedup):
            module.register(sub)
    return parser

def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = _build_parser(argv[0] if argv else None).parse_args(argv)
        status = int(args.run(args))
        sys.stdout.flush()  # here, not at exit, so a full disk or closed pipe is reported below
        return status
    except UsageError as e:
        fail(str(e))
        return EXIT_USAGE
    except ConfigError as e:
        fail(f"overlap: {e}")
        return EXIT_USAGE
    except OverlapError as e:
        fail(f"overlap: {e}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        fail("overlap: interrupted")
        return 130
    except BrokenPipeError:
        # Output went to a closed pipe (`overlap ... | head`): stop quietly, with the status
        # a process stopped by SIGPIPE has in the shell (128 + 13).
        _silence_stdout()
        return 141
    except MemoryError:
        _silence_stdout()
        fail("overlap: out of memory; split the input or use fewer --workers")
        return EXIT_INPUT
    except RecursionError:
        fail("overlap: input nested too deeply")
        return EXIT_INPUT
    except OSError as e:
        # An OS error no stage turned into an InputError: most often stdout on a full disk.
        _silence_stdout()
        where = e.filename if e.filename else "output"
        fail(f"overlap: {where}: {e.strerror or e}")
        return EXIT_INPUT
    except Exception as e:
        if type(e).__name__ == "BrokenProcessPool":
            fail("overlap: a worker process died (killed, or out of memory); retry with fewer --workers")
            return EXIT_INPUT
        raise


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the flush at interpreter exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
