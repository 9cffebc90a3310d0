"""The exception tree: every error ``overlap`` raises on purpose is an ``OverlapError``.

The CLI turns these into one line on stderr and a non-zero exit; anything else is a bug.
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "OverlapError"]


class OverlapError(Exception):
    """Base class of the errors ``overlap`` raises on purpose."""


class ConfigError(OverlapError, ValueError):
    """An option or parameter is out of range; the message quotes the bad value."""


class InputError(OverlapError):
    """An input cannot be read as text: missing, a directory, empty, binary, undecodable."""
