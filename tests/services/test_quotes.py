"""Quotes below the API: rate cards, failures per account, and a slow carrier left behind."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.carriers.parcel2go.settings import SANDBOX_COLLECTION_ADDRESS
from shipmux.domain.errors import ValidationFailed
from shipmux.domain.rate_cards import read_csv
from shipmux.domain.routing import QuoteStrategy
from shipmux.sandboxes.click_and_drop import create_app as create_click_and_drop
from shipmux.sandboxes.parcel2go import create_app as create_parcel2go
from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext
from shipmux.services.quotes import QUOTE_PLACEHOLDER, quotable_order, quote_order
from shipmux.services.rate_cards import read_rate_card, replace_rate_card
from shipmux.services.routing import NotResolved, Resolved, resolve_by_quotes
from shipmux.storage.tables import CarrierAccountRow, ExchangeRow
from tests.factories import make_address, make_order
from tests.support.live_server import serve

pytestmark = pytest.mark.anyio

CARD = read_csv(
    (Path(__file__).parents[2] / "examples" / "rate-cards" / "click-and-drop.csv").read_text()
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def click_and_drop() -> Iterator[str]:
    with serve(create_click_and_drop()) as root:
        yield root


@pytest.fixture(scope="module")
def parcel2go() -> Iterator[str]:
    with serve(create_parcel2go()) as root:
        yield root


@pytest.fixture(scope="module")
def silent_server() -> Iterator[str]:
    """A real HTTP server that takes every request and never answers it."""

    async def hang(request: Request) -> Response:
        await asyncio.sleep(3600)
        return Response(status_code=204)

    app = Starlette(routes=[Route("/{path:path}", hang, methods=["GET", "POST"])])
    with serve(app, graceful_shutdown_seconds=1) as root:
        yield root


def _connect_parcel2go(hub: HubContext, tenant_id: str, name: str, root: str) -> str:
    view = accounts.connect_account(
        hub.db,
        hub.secret_box,
        tenant_id,
        name=name,
        carrier="parcel2go",
        settings={
            "base_url": root,
            "client_id": f"shipmux-{secrets.token_hex(6)}",
            "client_secret": secrets.token_urlsafe(24),
            "collection_address": SANDBOX_COLLECTION_ADDRESS.model_dump(mode="json"),
        },
    )
    return view.id


def _connect(hub: HubContext, tenant_id: str, name: str, root: str, default: bool = False) -> str:
    view = accounts.connect_account(
        hub.db,
        hub.secret_box,
        tenant_id,
        name=name,
        carrier="click-and-drop",
        settings={"base_url": f"{root}/api/v1", "api_key": secrets.token_hex(18)},
        is_default=default,
    )
    return view.id


async def test_accounts_are_priced_from_their_cards_and_the_rest_say_why_not(
    hub: HubContext, click_and_drop: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    priced = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, priced, CARD)
    bare = _connect(hub, tenant_id, "no-card", click_and_drop)
    paused = _connect(hub, tenant_id, "paused", click_and_drop)
    replace_rate_card(hub.db, tenant_id, paused, CARD)
    accounts.pause_account(hub.db, tenant_id, paused, "credentials refused")

    board = await quote_order(hub, tenant_id, make_order(), timeout=5)

    assert [(e.rate.service_code, e.rate.price) for e in board.entries] == [
        ("CRL48", Decimal("2.15")),
        ("CRL24", Decimal("2.75")),
        ("TPS48", Decimal("3.55")),
        ("TPN24", Decimal("4.45")),
        ("SD1", Decimal("8.25")),
    ]
    first = board.entries[0]
    assert (first.account_id, first.source, first.rate.collection) == (
        priced,
        "rate_card",
        "drop_off",
    )
    assert first.rate.estimated_delivery is not None
    sd1 = board.entries[-1].rate
    assert [x.kind for x in sd1.extras] == ["Signature"]
    assert {(f.account_id, f.code) for f in board.failures} == {
        (bare, "no_rate_card"),
        (paused, "paused"),
    }
    assert "upload a rate card" in next(f.reason for f in board.failures if f.account_id == bare)


async def test_an_order_no_line_fits_is_a_failure_not_an_error(
    hub: HubContext, click_and_drop: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    account_id = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, account_id, CARD)
    brazil = make_order(recipient=make_address(country="BR", postcode="01000-000"))
    board = await quote_order(hub, tenant_id, brazil, timeout=5)
    assert board.entries == []
    [failure] = board.failures
    assert failure.code == "no_rates"
    assert "BR" in failure.reason


async def test_cheapest_picks_a_service_the_carrier_then_accepts(
    hub: HubContext, click_and_drop: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    account_id = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, account_id, CARD)
    order = make_order(packages=[{"weight_grams": 1200}], service_code=None)

    cheapest = await resolve_by_quotes(hub, tenant_id, order, QuoteStrategy.CHEAPEST, 5)
    fastest = await resolve_by_quotes(hub, tenant_id, order, QuoteStrategy.FASTEST, 5)

    assert isinstance(cheapest, Resolved)
    assert (cheapest.account_id, cheapest.rate.service_code) == (account_id, "CRL48")
    assert isinstance(fastest, Resolved)
    assert fastest.rate.service_code == "CRL24"  # next working day, cheapest of those
    # The card's service codes are Click & Drop's own: the sandbox books the chosen one.
    with hub.db.reading() as session:
        row = session.get(CarrierAccountRow, account_id)
    assert row is not None
    connector = hub.carriers.get(row)
    booked = order.model_copy(update={"service_code": cheapest.rate.service_code})
    [result] = await connector.create_orders([booked])
    assert result.ok, result.problems
    async with httpx.AsyncClient(timeout=10) as control:
        stored = (await control.get(f"{click_and_drop}/_sandbox/orders")).json()["orders"]
    mine = [o for o in stored if o["orderReference"] == order.reference]
    assert [o["serviceCode"] for o in mine] == ["CRL48"]
    await hub.carriers.aclose()


async def test_nothing_to_quote_is_not_resolved_with_reasons(
    hub: HubContext, click_and_drop: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    outcome = await resolve_by_quotes(hub, tenant_id, make_order(), QuoteStrategy.CHEAPEST, 5)
    assert isinstance(outcome, NotResolved)
    assert "royal-mail: no rates: upload a rate card" in outcome.reason
    empty = tenants.create_tenant(hub.db, "empty")
    nothing = await resolve_by_quotes(hub, empty, make_order(), QuoteStrategy.FASTEST, 5)
    assert isinstance(nothing, NotResolved)
    assert "no carrier account" in nothing.reason


async def test_quotes_and_cards_stay_within_their_tenant(
    hub: HubContext, click_and_drop: str
) -> None:
    mine = tenants.create_tenant(hub.db, "mine")
    theirs = tenants.create_tenant(hub.db, "theirs")
    my_account = _connect(hub, mine, "rm", click_and_drop, default=True)
    their_account = _connect(hub, theirs, "rm", click_and_drop, default=True)
    replace_rate_card(hub.db, theirs, their_account, CARD)

    board = await quote_order(hub, mine, make_order(), timeout=5)
    assert [f.code for f in board.failures] == ["no_rate_card"]
    with pytest.raises(ValidationFailed) as caught:
        await quote_order(hub, mine, make_order(), account_ids=[their_account], timeout=5)
    assert [p.field for p in caught.value.problems] == ["account_id"]
    assert read_rate_card(hub.db, mine, my_account) == []
    # Replacing my card leaves theirs alone.
    replace_rate_card(hub.db, mine, my_account, CARD[:2])
    assert len(read_rate_card(hub.db, theirs, their_account)) == len(CARD)
    assert len(read_rate_card(hub.db, mine, my_account)) == 2


def test_a_quote_needs_only_what_prices_depend_on() -> None:
    order = quotable_order(
        {
            "recipient": {"country": "DE", "postcode": "10117"},
            "sender": {"country": "GB", "postcode": "SW1A 2AA"},
            "packages": [
                {
                    "weight_grams": 800,
                    "dimensions": {"length_mm": 300, "width_mm": 200, "height_mm": 100},
                }
            ],
            "subtotal": Decimal("25.00"),
        }
    )
    assert order.reference == QUOTE_PLACEHOLDER
    assert (order.recipient.country, order.total_weight_grams) == ("DE", 800)
    with pytest.raises(ValidationFailed) as caught:
        quotable_order({"recipient": {"country": "XX"}, "packages": [{"weight_grams": 0}]})
    assert {p.field for p in caught.value.problems} == {
        "recipient.country",
        "packages[0].weight_grams",
    }


async def test_a_carrier_that_never_answers_holds_up_nobody(
    hub: HubContext, click_and_drop: str, silent_server: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    carded = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, carded, CARD)
    silent = _connect_parcel2go(hub, tenant_id, "p2g-silent", silent_server)

    started = time.monotonic()
    board = await quote_order(hub, tenant_id, make_order(), timeout=0.5)
    elapsed = time.monotonic() - started

    assert elapsed < 3
    assert {e.account_id for e in board.entries} == {carded}
    [failure] = board.failures
    assert (failure.account_id, failure.code, failure.carrier) == (silent, "timeout", "parcel2go")
    assert failure.reason == "no answer within 0.5 s"
    chosen = await resolve_by_quotes(hub, tenant_id, make_order(), QuoteStrategy.CHEAPEST, 0.5)
    assert isinstance(chosen, Resolved)
    assert chosen.account_id == carded
    assert [f.code for f in chosen.failures] == ["timeout"]
    await hub.carriers.aclose()


async def _set_faults(root: str, **faults: object) -> None:
    async with httpx.AsyncClient(timeout=10) as control:
        (await control.put(f"{root}/_sandbox/faults", json=faults)).raise_for_status()


async def test_parcel2go_quotes_and_a_rate_card_share_one_board(
    hub: HubContext, click_and_drop: str, parcel2go: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    carded = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, carded, CARD)
    p2g = _connect_parcel2go(hub, tenant_id, "p2g", parcel2go)

    board = await quote_order(hub, tenant_id, make_order(), timeout=10)

    assert board.failures == []
    sources = {(e.account_id, e.source) for e in board.entries}
    assert sources == {(carded, "rate_card"), (p2g, "carrier")}
    prices = [e.rate.price for e in board.entries]
    assert prices == sorted(prices)
    quoted = [e.rate for e in board.entries if e.account_id == p2g]
    assert all(r.currency == "GBP" and r.price >= r.price_ex_vat for r in quoted)
    assert {r.collection for r in quoted} <= {"collection", "drop_off"}
    assert any(r.available_extras for r in quoted)

    cheapest = await resolve_by_quotes(hub, tenant_id, make_order(), QuoteStrategy.CHEAPEST, 10)
    fastest = await resolve_by_quotes(hub, tenant_id, make_order(), QuoteStrategy.FASTEST, 10)
    assert isinstance(cheapest, Resolved)
    assert isinstance(fastest, Resolved)
    assert cheapest.rate.price == min(prices)
    earliest = min(e.rate.estimated_delivery for e in board.entries if e.rate.estimated_delivery)
    assert fastest.rate.estimated_delivery == earliest
    await hub.carriers.aclose()


async def test_every_quote_call_is_recorded_under_its_account(
    hub: HubContext, parcel2go: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    p2g = _connect_parcel2go(hub, tenant_id, "p2g", parcel2go)
    await quote_order(hub, tenant_id, make_order(), timeout=10)
    with hub.db.reading() as session:
        rows = session.scalars(select(ExchangeRow).where(ExchangeRow.tenant_id == tenant_id))
        recorded = [(r.carrier_account_id, r.operation, r.status) for r in rows]
    assert (p2g, "quote", 200) in recorded
    assert {account for account, _, _ in recorded} == {p2g}
    await hub.carriers.aclose()


async def test_a_slow_parcel2go_times_out_while_the_card_still_prices(
    hub: HubContext, click_and_drop: str, parcel2go: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    carded = _connect(hub, tenant_id, "royal-mail", click_and_drop, default=True)
    replace_rate_card(hub.db, tenant_id, carded, CARD)
    p2g = _connect_parcel2go(hub, tenant_id, "p2g", parcel2go)
    await _set_faults(parcel2go, latency_ms=3000)
    try:
        started = time.monotonic()
        board = await quote_order(hub, tenant_id, make_order(), timeout=0.5)
        elapsed = time.monotonic() - started
    finally:
        await _set_faults(parcel2go)
    assert elapsed < 2.5
    assert {e.account_id for e in board.entries} == {carded}
    assert [(f.account_id, f.code) for f in board.failures] == [(p2g, "timeout")]
    await hub.carriers.aclose()


async def test_a_refused_parcel2go_quote_is_listed_with_the_carriers_reason(
    hub: HubContext, parcel2go: str
) -> None:
    tenant_id = tenants.create_tenant(hub.db, "t")
    p2g = _connect_parcel2go(hub, tenant_id, "p2g", parcel2go)
    await _set_faults(parcel2go, error_rate=1.0)
    try:
        board = await quote_order(hub, tenant_id, make_order(), timeout=10)
    finally:
        await _set_faults(parcel2go)
    assert board.entries == []
    [failure] = board.failures
    assert (failure.account_id, failure.code) == (p2g, "carrier_error")
    assert "parcel2go" in failure.reason
    await hub.carriers.aclose()
