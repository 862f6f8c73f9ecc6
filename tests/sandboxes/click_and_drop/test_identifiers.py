"""The ``{orderIdentifiers}`` path parameter: ids, quoted percent-encoded references."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from shipmux.sandboxes.click_and_drop.identifiers import IdentifierError, parse_order_identifiers
from tests.sandboxes.click_and_drop.factories import create_one, order

TRICKY = 'Ref;With Space/Slash"q'


def client_encoding(*keys: int | str) -> str:
    """What the reference client sends: quote each reference, then the whole segment."""
    inner = ";".join(str(k) if isinstance(k, int) else f'"{quote(k)}"' for k in keys)
    return quote(inner, safe="")


def test_parse_ids_and_references() -> None:
    assert parse_order_identifiers("1001") == [1001]
    assert parse_order_identifiers(client_encoding(1001, TRICKY)) == [1001, TRICKY]
    # The help centre's example: semicolons inside a reference, encoded once.
    example = '"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols!";2345'
    assert parse_order_identifiers(example) == [
        "ref",
        1001,
        "Reference;With;Special;Symbols!",
        2345,
    ]
    assert parse_order_identifiers("1001;1001;") == [1001, 1001]


@pytest.mark.parametrize(
    "segment", ["", "abc", "10.5", '"unterminated', '""', ";".join(["1"] * 101)]
)
def test_parse_rejects_bad_segments(segment: str) -> None:
    with pytest.raises(IdentifierError):
        parse_order_identifiers(segment)


def test_get_by_id_and_by_references_with_semicolon_and_slash(api: httpx.Client) -> None:
    tricky = create_one(api, order(TRICKY))
    plain = create_one(api, order("PLAIN-1"))
    response = api.get(f"/orders/{client_encoding(plain['orderIdentifier'], TRICKY)}")
    assert response.status_code == 200, response.text
    assert [o["orderIdentifier"] for o in response.json()] == [
        plain["orderIdentifier"],
        tricky["orderIdentifier"],
    ]
    assert response.json()[1]["orderReference"] == TRICKY


def test_singly_encoded_form_from_the_help_centre(api: httpx.Client) -> None:
    created = create_one(api, order("Reference;With;Special;Symbols!"))
    response = api.get('/orders/1001;"Reference%3BWith%3BSpecial%3BSymbols!"')
    assert response.status_code == 200
    identifiers = [o["orderIdentifier"] for o in response.json()]
    assert identifiers == [1001, created["orderIdentifier"]]


def test_unknown_identifiers(api: httpx.Client) -> None:
    create_one(api)
    some = api.get("/orders/1001;9999")
    assert some.status_code == 200
    assert [o["orderIdentifier"] for o in some.json()] == [1001]
    none = api.get(f"/orders/9999;{client_encoding('nope')}")
    assert none.status_code == 404
    assert [e["code"] for e in none.json()] == ["OrderNotFound", "OrderNotFound"]
    assert none.json()[1]["channelOrderReference"] == "nope"


def test_invalid_segment_is_400_order_error_response(api: httpx.Client) -> None:
    response = api.get("/orders/abc")
    assert response.status_code == 400
    assert set(response.json()[0]) == {
        "accountOrderNumber",
        "channelOrderReference",
        "code",
        "message",
    }
    too_many = ";".join(str(1001 + i) for i in range(101))
    assert api.get(f"/orders/{too_many}").status_code == 400
