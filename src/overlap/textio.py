"""Read user files as text, refusing what is not text with one clear ``InputError``.

``read_text(path, *, encoding="utf-8", max_bytes=MAX_BYTES) -> str``

Decoding rules: a UTF-8 or UTF-16 byte-order mark is honoured and removed; otherwise the
bytes must be valid in ``encoding`` (UTF-8 by default).  Invalid UTF-8 is an error that
names the byte offset, not a silent replacement: offsets into a text with replacement
characters would point at the wrong places.  Pass another codec (``cp1258`` for old
Vietnamese Windows files, ``latin-1``) to read such files on purpose.  ``-`` reads stdin.
"""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path
from typing import BinaryIO

from .errors import ConfigError, InputError

__all__ = ["MAX_BYTES", "check_encoding", "decode", "read_text"]

MAX_BYTES = 64 * 1024 * 1024  # one document; a bigger "article" is almost surely not one
_SNIFF = 8192
_CHUNK = 1 << 20


def _name(path: str | os.PathLike[str]) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


def check_encoding(encoding: str) -> None:
    """``ConfigError`` naming ``encoding`` unless Python knows it as a *text* codec
    (``rot13``, ``hex``, ``base64``, ``zlib_codec`` are codecs but not bytes -> str)."""
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise ConfigError(f"unknown encoding: {encoding!r} (try utf-8, cp1258 or latin-1)") from None
    try:
        b"a".decode(encoding, errors="ignore")  # b"" short-cuts the check
    except LookupError:
        raise ConfigError(f"{encoding!r} is not a text encoding (try utf-8, cp1258 or latin-1)") from None


def _wide(encoding: str) -> bool:
    """True for UTF-16/UTF-32, whose text is full of NUL bytes."""
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def _read_limited(f: BinaryIO, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes in 1 MiB chunks: memory follows the file, not the cap."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = f.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def decode(data: bytes, name: str, *, encoding: str = "utf-8") -> str:
    """Decode one document's bytes under the rules above; ``name`` goes into errors."""
    if not data.strip():
        raise InputError(f"{name}: empty file")
    check_encoding(encoding)
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[3:], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data[:_SNIFF] and not _wide(encoding):
        # An explicit UTF-16/32 encoding is honoured without a BOM (NULs are its text).
        raise InputError(f"{name}: binary file (NUL bytes), expected text")
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ConfigError(f"{encoding!r} is not a text encoding (try utf-8, cp1258 or latin-1)") from None
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name}: not valid {encoding} at byte {e.start}; re-encode it or pass --encoding (e.g. cp1258)"
        ) from None
    sample = text[:_SNIFF]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\x0c")
    if controls > max(8, len(sample) // 100):
        raise InputError(f"{name}: binary file ({controls} control characters in the first {len(sample)}), expected text")
    if not text.strip():
        raise InputError(f"{name}: empty file")
    return text


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8", max_bytes: int = MAX_BYTES) -> str:
    """Read one text file (or stdin for ``-``) and decode it; see the module docstring."""
    name = _name(path)
    if str(path) == "-":
        data = _read_limited(sys.stdin.buffer, max_bytes)
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise InputError(f"{name}: is a directory, expected a text file")
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(f"{name}: too large ({size:,} bytes > {max_bytes:,}); split it into documents")
            with p.open("rb") as f:
                data = _read_limited(f, max_bytes)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, expected a text file") from None
        except OSError as e:
            raise InputError(f"{name}: cannot read ({e.strerror or e})") from None
    if len(data) > max_bytes:
        raise InputError(f"{name}: too large (> {max_bytes:,} bytes); split it into documents")
    return decode(data, name, encoding=encoding)
