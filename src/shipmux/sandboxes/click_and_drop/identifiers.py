"""Parse the ``{orderIdentifiers}`` path segment (research notes, section 1.1).

Spec: "One or several Order Identifiers or Order References separated by semicolon.
Order Identifiers are integer numbers. Order References are strings - each must be
percent-encoded and surrounded by double quotation marks. The maximum number of
identifiers is 100."

The segment arrives raw (a ``/`` in a reference is still ``%2F``). It is URL-decoded
once and split on ``;`` -- outside double quotes, so both the reference client's
doubly encoded form (``1001%3B%22Ref%253Bx%22``) and the help centre's singly encoded
example (``1001;"Reference%3BWith%3BSpecial%3BSymbols!"``) work -- and every quoted
token is percent-decoded once more into a reference; other tokens must be integers.
"""

from __future__ import annotations

from urllib.parse import unquote

MAX_IDENTIFIERS = 100

OrderKey = int | str


class IdentifierError(ValueError):
    """The segment is not a valid list of identifiers; ``str()`` is the message."""


def _split_outside_quotes(text: str) -> list[str]:
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise IdentifierError("An order reference is missing its closing double quotation mark.")
    tokens.append("".join(current))
    return tokens


def _parse_token(token: str) -> OrderKey:
    if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
        reference = unquote(token[1:-1])
        if not reference:
            raise IdentifierError("An order reference must not be empty.")
        return reference
    if token.isascii() and token.isdigit():
        return int(token)
    raise IdentifierError(
        f"'{token}' is neither an order identifier (an integer) nor an order reference "
        "(percent-encoded and surrounded by double quotation marks)."
    )


def parse_order_identifiers(raw_segment: str) -> list[OrderKey]:
    """The identifiers in a raw path segment, in the order given (duplicates kept)."""
    tokens = [t.strip() for t in _split_outside_quotes(unquote(raw_segment))]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise IdentifierError("At least one order identifier or reference is required.")
    if len(tokens) > MAX_IDENTIFIERS:
        raise IdentifierError(
            f"The maximum number of identifiers is {MAX_IDENTIFIERS}, was {len(tokens)}."
        )
    return [_parse_token(token) for token in tokens]


def describe(key: OrderKey) -> tuple[int | None, str | None]:
    """Split a key into the (identifier, reference) pair the error bodies carry."""
    return (key, None) if isinstance(key, int) else (None, key)
