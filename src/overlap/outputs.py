"""Write output files safely: atomically, never over an input, an index or through a link.

``check_output_path(path, *, inputs=(), what="output") -> Path``
    Refuse (``InputError``, one line) an empty path, a directory, a symlink, one of the
    ``inputs``, or an existing ``overlap`` index file; return the path to write.
``atomic_writer(path, *, mode="w", encoding="utf-8") -> context manager``
    A file object on a temporary file beside ``path``; on a clean exit it is flushed,
    fsynced and renamed over ``path`` (``os.replace``), so a reader sees the old file or
    the whole new one, never half of it.  On an error the temporary file is removed and
    ``path`` is untouched.
``atomic_write_text(path, text)``
    The two together for one string.
``output_stream(path, *, mode="w", encoding="utf-8") -> context manager``
    ``atomic_writer``, or standard output when ``path`` is ``-`` (left open).
``spreadsheet_safe(value) -> value``
    A CSV report cell that a spreadsheet shows as text instead of running it as a
    formula (CSV injection): text starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a leading ``'``; numbers, and text that is a plain number
    (``-0.5``), are left alone.

Cost: one extra ``fsync`` and ``rename`` per file; ``spreadsheet_safe`` is O(1) for
most cells (one character looked at).
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError

__all__ = [
    "atomic_write_text", "atomic_writer", "check_output_path", "is_index_file", "output_stream", "spreadsheet_safe",
]

# The first 16 bytes of every SQLite database file.
_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_index_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is an existing SQLite database (an ``overlap`` index or another)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output_path(
    path: str | os.PathLike[str] | None,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    what: str = "output",
) -> Path:
    """The path to write ``what`` to, or ``InputError`` saying why it would destroy data.

    >>> check_output_path("")
    Traceback (most recent call last):
    ...
    overlap.errors.InputError: output: empty file name
    """
    if path is None or str(path) == "":
        raise InputError(f"{what}: empty file name")
    p = Path(path)
    if p.is_symlink():
        raise InputError(f"{p}: refusing to write {what} through a symbolic link")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, cannot write {what} there")
    for src in inputs:
        if str(src) in ("", "-"):
            continue
        if _same_file(p, Path(src)):
            raise InputError(f"{p}: refusing to write {what} over an input file")
        if p.exists() and Path(src).is_dir() and _inside(p, Path(src)):
            raise InputError(f"{p}: refusing to write {what} over a file in input directory {src}")
    if p.exists() and is_index_file(p):
        raise InputError(f"{p}: refusing to write {what} over a database file (an index?)")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{p}: cannot write {what}: directory {parent} does not exist")
    return p


def _inside(p: Path, directory: Path) -> bool:
    try:
        return p.resolve().is_relative_to(directory.resolve())
    except OSError:
        return False


@contextmanager
def atomic_writer(path: str | os.PathLike[str], *, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """A file object whose content replaces ``path`` only when the block ends cleanly."""
    p = Path(path)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent) if str(p.parent) else ".")
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            try:
                os.chmod(tmp, os.stat(p).st_mode & 0o7777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def output_stream(path: str | os.PathLike[str], *, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """``atomic_writer(path)``, or standard output when ``path`` is ``"-"``: bytes for a
    binary ``mode``, else text in ``encoding``; flushed, never closed."""
    if str(path) != "-":
        with atomic_writer(path, mode=mode, encoding=encoding) as f:
            yield f
        return
    sys.stdout.flush()
    if "b" in mode:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    text = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding or "utf-8", newline="", write_through=True)
    try:
        yield text
        text.flush()
    finally:
        text.detach()  # stdout stays open for the caller


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; ``InputError`` on an OS error."""
    try:
        with atomic_writer(path) as f:
            f.write(text)
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from None


# The first characters that make Excel, LibreOffice and Google Sheets read a cell as a
# formula (OWASP "CSV Injection"): "=1+1", "+cmd|...", "-2+3", "@SUM(...)", and tab or
# carriage return, which some importers strip before looking again.
_FORMULA_START = frozenset("=+-@\t\r")
# A sign followed by a plain decimal number is read as that number, never run: a
# negative value must stay a number, so it is not guarded.
_SIGNED_NUMBER = re.compile(r"[+-](?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as a CSV report cell a spreadsheet will not run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading single quote, which spreadsheets take as "show as text" (and hide); reading
    the file back with ``csv`` gives the text with that quote.  Everything else is
    returned as it is: numbers, None, and text that is a plain signed number.
    For reports (``overlap scan --csv``, ``dedup --removed`` CSV), not for a user's own
    data passed through, which must stay byte-faithful.

    >>> spreadsheet_safe("=SUM(A1:A9)"), spreadsheet_safe("-0.25"), spreadsheet_safe(-3)
    ("'=SUM(A1:A9)", '-0.25', -3)
    >>> spreadsheet_safe("-2+3"), spreadsheet_safe("Hà Nội")
    ("'-2+3", 'Hà Nội')
    """
    if (isinstance(value, str) and value and value[0] in _FORMULA_START
            and _SIGNED_NUMBER.fullmatch(value) is None):
        return "'" + value
    return value
