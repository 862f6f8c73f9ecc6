"""Read request JSON the way ASP.NET model binding does: keys match in any case.

ADR 0006 §3 and research §2: the official plugin sends ``"type"`` where the docs write
``"Type"``, and both work. Every read of a client's body goes through these helpers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def member(obj: Any, name: str) -> Any:
    """``obj[name]`` with the key matched case-insensitively; ``None`` when absent."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    wanted = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return None


def text(obj: Any, name: str) -> str | None:
    """A member as stripped text; blank, absent and non-scalar values read as ``None``."""
    value = member(obj, name)
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    result = str(value).strip()
    return result or None


def number(obj: Any, name: str) -> Decimal | None:
    """A member as a decimal; numbers sent as strings (the seed's ``"Quantity": "1"``) count."""
    value = member(obj, name)
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def objects(obj: Any, name: str) -> list[dict[str, Any]]:
    """A member that should be a list of objects; anything else reads as empty."""
    value = member(obj, name)
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def extra_types(obj: Any, name: str) -> list[str]:
    """Extra/upsell types from ``[{"Type": "Sms"}]`` (ADR §3) or the older ``["Sms"]``."""
    value = member(obj, name)
    if not isinstance(value, list):
        return []
    types: list[str] = []
    for entry in value:
        kind = text(entry, "Type") if isinstance(entry, dict) else entry
        if isinstance(kind, str) and kind.strip():
            types.append(kind.strip())
    return types
