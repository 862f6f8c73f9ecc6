"""The connector against the Parcel2Go sandbox over real HTTP: every endpoint it uses."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pypdf
import pytest

from shipmux.carriers.base import CarrierOrder, LabelRequest, TrackingStage
from shipmux.carriers.errors import (
    CarrierRejected,
    FeatureUnavailable,
    OutcomeUnknown,
    PriceChanged,
)
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.carriers.parcel2go import Parcel2Go
from shipmux.domain.orders import Order
from tests.carriers.parcel2go.conftest import Sandbox
from tests.factories import make_international_order, make_item, make_order

pytestmark = pytest.mark.anyio


def p2g_order(**overrides: Any) -> Order:
    """A domestic order that names no service: the connector books the cheapest quote."""
    return make_order(**({"service_code": None} | overrides))


async def create(carrier: Parcel2Go, order: Order | None = None) -> CarrierOrder:
    [result] = await carrier.create_orders([order or p2g_order()])
    assert result.created is not None, (result.problems, result.message)
    return result.created


async def create_and_pay(carrier: Parcel2Go, order: Order | None = None) -> CarrierOrder:
    order = order or p2g_order()
    placed = await create(carrier, order)
    return await carrier.pay(order, placed, None)


@pytest.fixture
def sink() -> Iterator[list[Exchange]]:
    exchanges: list[Exchange] = []
    token = exchange_sink.set(exchanges)
    try:
        yield exchanges
    finally:
        exchange_sink.reset(token)


def operations(sink: list[Exchange]) -> list[str]:
    return [e.operation for e in sink]


# --- auth -----------------------------------------------------------------------------------


async def test_one_token_serves_many_calls(sandbox: Sandbox, sink: list[Exchange]) -> None:
    async with sandbox.connector() as carrier:
        await asyncio.gather(*(carrier.find_orders([f"NONE-{i}"]) for i in range(4)))
        await carrier.quote(p2g_order())
    assert operations(sink).count("token") == 1


async def test_a_token_is_refreshed_before_it_expires(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    sandbox.configure(token_lifetime_seconds=1)
    async with sandbox.connector() as carrier:
        await carrier.find_orders(["NONE"])
        await asyncio.sleep(1.0)
        await carrier.find_orders(["NONE"])
    assert operations(sink).count("token") == 2
    assert all(e.status != 401 for e in sink)


async def test_a_token_refused_with_401_is_replaced_and_the_call_sent_once_more(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    sandbox.configure(token_lifetime_seconds=60)
    async with sandbox.connector() as carrier:
        await carrier.find_orders(["NONE"])
        sandbox.advance(120)  # expired on the sandbox's clock, not yet on ours
        assert await carrier.find_orders(["NONE"]) == {}
    assert operations(sink) == [
        "token",
        "order_history",
        "order_history",
        "token",
        "order_history",
    ]
    assert [e.status for e in sink][2] == 401


async def test_exchanges_keep_no_secret_and_no_token(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    settings = sandbox.settings()
    async with sandbox.connector(settings) as carrier:
        paid = await create_and_pay(carrier)
        await carrier.fetch_label(paid, LabelRequest())
        token = await carrier._tokens.token()  # the test must know what to look for
    assert {"token", "quote", "verify_order", "create_order", "pay_with_prepay"} <= set(
        operations(sink)
    )
    for exchange in sink:
        kept = " ".join(
            [
                exchange.url,
                exchange.request_body or "",
                exchange.response_body or "",
                *exchange.request_headers.values(),
            ]
        )
        for secret in [*settings.secret_values(), token]:
            assert secret not in kept, exchange.operation
        if "authorization" in exchange.request_headers:
            assert exchange.request_headers["authorization"] == "***"
    [issued] = [e for e in sink if e.operation == "token"]
    assert re.search(r'"access_token"\s*:\s*"\*\*\*"', issued.response_body or "")


# --- quotes ---------------------------------------------------------------------------------


async def test_quote_prices_the_extras_asked_for(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        plain = {r.service_code: r for r in await carrier.quote(p2g_order())}
        extras = await carrier.quote(p2g_order(extras={"sms_notification": True}))
    assert plain
    with_sms = [r for r in extras if any(e.kind == "Sms" for e in r.extras)]
    assert with_sms, "some service offers Sms"
    for rate in with_sms:
        [sms] = [e for e in rate.extras if e.kind == "Sms"]
        assert rate.price == plain[rate.service_code].price + sms.price
        assert rate.currency == "GBP"
        assert rate.price > rate.price_ex_vat
    assert any(e.kind == "Sms" for r in plain.values() for e in r.available_extras)
    assert [r.price for r in extras] == sorted(r.price for r in extras)


async def test_northern_ireland_is_quoted_and_charged_as_its_own_region(sandbox: Sandbox) -> None:
    mainland = p2g_order()
    belfast = p2g_order(recipient=mainland.recipient.model_copy(update={"postcode": "BT1 5GS"}))
    async with sandbox.connector() as carrier:
        here = {r.service_code: r.price for r in await carrier.quote(mainland)}
        there = {r.service_code: r.price for r in await carrier.quote(belfast)}
        placed = await create(carrier, belfast)
    shared = set(here) & set(there)
    assert shared
    assert all(there[code] > here[code] for code in shared)
    # The order carries the region too: it is charged what the NI quote said.
    assert placed.price == there[placed.service_code or ""]


# --- create and read ------------------------------------------------------------------------


async def test_create_verifies_then_creates_an_unpaid_order(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    order = p2g_order()
    async with sandbox.connector() as carrier:
        rates = await carrier.quote(order)
        placed = await create(carrier, order)
        [read] = await carrier.get_orders([placed])
    assert operations(sink)[-3:] == ["verify_order", "create_order", "get_order"]
    assert placed.service_code == rates[0].service_code  # the cheapest
    assert placed.carrier_data["quoted_price"] == str(rates[0].price)
    assert placed.carrier_data["hash"]
    assert placed.carrier_shipment_ref
    assert placed.tracking_number == f"P2G{placed.carrier_shipment_ref}"
    assert placed.price is not None
    assert placed.currency == "GBP"
    assert read.paid_at is None
    assert read.carrier_order_id == placed.carrier_order_id
    assert read.reference == order.reference
    assert read.price == placed.price


async def test_find_orders_by_reference_with_awkward_characters(sandbox: Sandbox) -> None:
    reference = f'A;B/C"D E&{uuid.uuid4().hex[:10]}'
    async with sandbox.connector() as carrier:
        placed = await create(carrier, p2g_order(reference=reference))
        found = await carrier.find_orders([reference, "NEVER-CREATED"])
    assert list(found) == [reference]
    assert found[reference].carrier_order_id == placed.carrier_order_id
    assert found[reference].carrier_data["hash"] == placed.carrier_data["hash"]


async def test_international_without_customs_is_refused_before_any_call(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    order = make_international_order(
        service_code=None, customs=None, items=[make_item(), make_item(origin_country="GB")]
    )
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([order])
    assert not result.ok
    assert [p.field for p in result.problems] == [
        "customs.export_reason",
        "customs.vat_status",
        "items[0].origin_country",
    ]
    assert sink == []


async def test_international_with_customs_is_created(sandbox: Sandbox) -> None:
    order = make_international_order(
        service_code=None, customs={"export_reason": "sale", "vat_status": "private"}
    )
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
    assert placed.carrier_order_id


async def test_parcel2go_refusals_name_our_fields_in_its_words(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([p2g_order(service_code="no-such-service")])
    assert not result.ok
    assert "service_code" in [p.field for p in result.problems]
    assert all(p.message and p.rule.startswith("parcel2go_") for p in result.problems)
    # Refused by verify: nothing was created.
    assert "create_order" not in operations(sink)


# --- payment --------------------------------------------------------------------------------


async def test_pay_draws_the_verified_price_from_prepay_once(sandbox: Sandbox) -> None:
    order = p2g_order()
    async with sandbox.connector() as carrier:
        before = await carrier.prepay_balance()
        placed = await create(carrier, order)
        paid = await carrier.pay(order, placed, max_price=placed.price)
        after = await carrier.prepay_balance()
        [read] = await carrier.get_orders([paid])
    assert paid.paid_at is not None
    assert paid.price == placed.price
    assert before - after == placed.price
    assert read.paid_at is not None


async def test_a_pay_answer_lost_is_unknown_and_the_read_shows_one_charge(
    sandbox: Sandbox,
) -> None:
    order = p2g_order()
    async with sandbox.connector(timeout_seconds=0.5) as carrier:
        before = await carrier.prepay_balance()
        placed = await create(carrier, order)
        [verified] = await carrier.get_orders([placed])
        sandbox.set_faults(commit_then_timeout_rate=1.0, hang_seconds=2)
        with pytest.raises(OutcomeUnknown):
            await carrier.pay(order, placed, None)
        sandbox.set_faults()
        [read] = await carrier.get_orders([placed])
        after = await carrier.prepay_balance()
    assert verified.paid_at is None
    assert read.paid_at is not None
    assert placed.price is not None
    assert before - after == placed.price


async def test_a_price_above_the_ceiling_is_not_paid(sandbox: Sandbox) -> None:
    order = p2g_order()
    async with sandbox.connector() as carrier:
        before = await carrier.prepay_balance()
        placed = await create(carrier, order)
        assert placed.price is not None
        ceiling = placed.price - Decimal("0.01")
        with pytest.raises(PriceChanged) as caught:
            await carrier.pay(order, placed, ceiling)
        [read] = await carrier.get_orders([placed])
        after = await carrier.prepay_balance()
    assert caught.value.verified == str(placed.price)
    assert caught.value.quoted == placed.carrier_data["quoted_price"]
    assert not caught.value.retryable
    assert read.paid_at is None
    assert after == before


async def test_not_enough_prepay_is_refused(sandbox: Sandbox) -> None:
    sandbox.configure(starting_balance="0.50")
    order = p2g_order()
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
        with pytest.raises(CarrierRejected) as caught:
            await carrier.pay(order, placed, None)
    assert caught.value.carrier_code == "InsufficientFunds"


async def test_an_api_client_without_prepay_is_told_so(sandbox: Sandbox) -> None:
    sandbox.configure(prepay_enabled=False)
    order = p2g_order()
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
        with pytest.raises(FeatureUnavailable) as caught:
            await carrier.pay(order, placed, None)
    assert "not enabled for PrePay" in caught.value.message
    assert caught.value.status == 403


# --- labels ---------------------------------------------------------------------------------


def pdf_pages(content: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


@pytest.mark.parametrize("media", ["a4", "4x6", "a4-4x6"])
async def test_pdf_labels_in_each_media(sandbox: Sandbox, media: str) -> None:
    async with sandbox.connector() as carrier:
        paid = await create_and_pay(carrier)
        label = await carrier.fetch_label(paid, LabelRequest(media=media))
    assert label.media_type == "application/pdf"
    pages = pdf_pages(label.content)
    assert pages
    a4 = (595, 842)
    if media == "4x6":
        assert all(abs(w - 288) < 20 and abs(h - 432) < 20 for w, h in pages), pages
    else:
        assert all(abs(w - a4[0]) < 5 and abs(h - a4[1]) < 5 for w, h in pages), pages


@pytest.mark.parametrize("media", ["a4", "4x6"])
async def test_png_labels(sandbox: Sandbox, media: str) -> None:
    async with sandbox.connector() as carrier:
        paid = await create_and_pay(carrier)
        label = await carrier.fetch_label(paid, LabelRequest(format="png", media=media))
    assert label.media_type == "image/png"
    assert label.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_the_accounts_label_media_is_the_default(sandbox: Sandbox) -> None:
    async with sandbox.connector(label_media="a4") as carrier:
        paid = await create_and_pay(carrier)
        label = await carrier.fetch_label(paid, LabelRequest())
    assert all(abs(w - 595) < 5 for w, _ in pdf_pages(label.content))


async def test_no_label_before_payment(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        placed = await create(carrier)
        with pytest.raises(CarrierRejected):
            await carrier.fetch_label(placed, LabelRequest())


# --- tracking, cancel -----------------------------------------------------------------------


async def test_tracking_maps_stages_oldest_first(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        paid = await create_and_pay(carrier)
        booked = await carrier.track(paid)
        sandbox.advance(3 * 24 * 3600)
        later = await carrier.track(paid)
    assert [e.stage for e in booked][:1] == [TrackingStage.LABEL_CREATED]
    assert len(later) > len(booked)
    assert [e.occurred_at for e in later] == sorted(e.occurred_at for e in later)
    stages = [e.stage for e in later]
    assert stages[0] is TrackingStage.LABEL_CREATED
    assert TrackingStage.COLLECTED in stages or TrackingStage.IN_TRANSIT in stages
    assert all(e.carrier_shipment_ref == paid.carrier_shipment_ref for e in later)


async def test_cancel_and_despatch_are_unavailable(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        placed = CarrierOrder(carrier_order_id="1", reference="R", carrier_data={"hash": "h"})
        with pytest.raises(FeatureUnavailable):
            await carrier.cancel(placed)
        with pytest.raises(FeatureUnavailable):
            await carrier.despatch(placed, datetime.now(UTC))
