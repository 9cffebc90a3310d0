"""The closing "Recommended defaults" section of quality.md, quoting the measured figures."""

from __future__ import annotations

from typing import Any

__all__ = ["recommendations"]


def recommendations(facts: dict[str, Any]) -> list[str]:
    return ["## 6. Recommended defaults", "", "(pending)", ""]
