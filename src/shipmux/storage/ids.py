"""Identifiers: a type prefix and a time-ordered random part (sortable like ULIDs).

Time order lets list endpoints page by id alone; the prefix tells a reader what
an id names (``ord_…`` is an order) and stops one kind being used for another.
"""

from __future__ import annotations

import os
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """``<prefix>_`` + 10 chars of milliseconds + 16 chars of randomness."""
    millis = time.time_ns() // 1_000_000
    randomness = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_base32(millis, 10)}{_base32(randomness, 16)}"
