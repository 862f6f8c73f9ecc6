"""The courier partners the sandbox knows, and their waybills.

Clickpost's list lives at track.clickpost.in/courier_partner and is not copied here; the
sandbox accepts any positive ``courier_partner`` id and names the ones its docs show.
"""

from __future__ import annotations

from typing import Any

# Ids and names as they appear in the slate samples (_create.md, _track.md).
_KNOWN_NAMES = {1: "Fedex", 9: "Shadowfax"}


def courier_name(courier_partner_id: int) -> str:
    return _KNOWN_NAMES.get(courier_partner_id, f"Sandbox Courier {courier_partner_id}")


def courier_partner_id(value: Any) -> int | None:
    """The id if ``value`` is a positive integer (or its digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def waybill_for(courier_partner_id: int, sequence: int) -> str:
    """A 12-digit waybill like the samples' ``785578015860``, unique per sandbox run."""
    return f"7{courier_partner_id % 100:02d}{sequence:09d}"
