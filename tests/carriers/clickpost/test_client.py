"""The connector against the Clickpost sandbox over real HTTP: every endpoint it uses."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest

from shipmux.carriers.base import CarrierOrder, LabelRequest, TrackingStage
from shipmux.carriers.clickpost import Clickpost
from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierParked,
    CarrierRejected,
    CarrierUnavailable,
    FeatureUnavailable,
    OutcomeUnknown,
)
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.domain.orders import Address, Order
from tests.carriers.clickpost.conftest import Sandbox
from tests.factories import make_address, make_order

pytestmark = pytest.mark.anyio

INDIAN_PICKUP = Address(
    name="Deepanshu",
    line1="A-228 top floor kalkaji",
    city="New Delhi",
    county="DELHI",
    postcode="110019",
    country="IN",
    phone="9816691388",
)


def cp_order(**overrides: Any) -> Order:
    """A GB order naming no service: the account's default courier (1) takes it."""
    return make_order(**({"service_code": None} | overrides))


def indian_order() -> Order:
    recipient = make_address(
        city="Delhi", county="DELHI", postcode="110020", country="IN", phone="9717732407"
    )
    return make_order(service_code=None, recipient=recipient, currency="INR")


async def create(carrier: Clickpost, order: Order | None = None) -> CarrierOrder:
    [result] = await carrier.create_orders([order or cp_order()])
    assert result.created is not None, (result.problems, result.message)
    return result.created


@pytest.fixture
def sink() -> Iterator[list[Exchange]]:
    exchanges: list[Exchange] = []
    token = exchange_sink.set(exchanges)
    try:
        yield exchanges
    finally:
        exchange_sink.reset(token)


# --- create --------------------------------------------------------------------------------


async def test_create_v4_gives_the_waybill_everywhere(sandbox: Sandbox) -> None:
    order = cp_order(service_code="express")
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
    assert placed.reference == order.reference
    assert placed.carrier_order_id == placed.tracking_number == placed.carrier_shipment_ref
    assert placed.carrier_data["cp_id"] == "2"
    assert placed.carrier_data["account_code"] == "sandbox-express"
    assert placed.carrier_data["label_url"].endswith(".pdf")
    assert placed.service_code == "express"


async def test_create_v3_for_india(sandbox: Sandbox) -> None:
    async with sandbox.connector(api_version="v3", pickup_address=INDIAN_PICKUP) as carrier:
        placed = await create(carrier, indian_order())
    assert placed.carrier_order_id


async def test_creating_again_is_already_placed_with_the_same_waybill(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    order = cp_order()
    async with sandbox.connector() as carrier:
        first = await create(carrier, order)
        [again] = await carrier.create_orders([order])
    assert again.created is not None
    assert again.message == "already placed"
    assert again.created.carrier_order_id == first.carrier_order_id
    assert [e.operation for e in sink] == ["create_order", "create_order"]


async def test_a_refusal_names_our_field_and_keeps_clickposts_words(sandbox: Sandbox) -> None:
    order = cp_order(recipient=make_address(postcode=None))
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([order])
    assert not result.ok
    assert [p.field for p in result.problems] == ["recipient.postcode"]
    assert result.message is not None
    assert "drop_info.postal_code" in result.message


async def test_an_unknown_service_code_is_refused_without_a_call(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([cp_order(service_code="NO-SUCH-SERVICE")])
    assert [p.field for p in result.problems] == ["service_code"]
    assert sink == []


async def test_several_account_codes_without_ours_is_a_service_code_problem(
    sandbox: Sandbox,
) -> None:
    sandbox.configure(courier_account_codes={"1": ["a", "b"]})
    async with sandbox.connector(default_courier={"courier_partner_id": 1}) as carrier:
        [result] = await carrier.create_orders([cp_order()])
    assert [p.field for p in result.problems] == ["service_code"]
    assert "Multiple Account" in (result.message or "")


async def test_async_creation_is_followed_to_its_waybill(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    sandbox.configure(async_courier_partner_ids=[1], async_processing_seconds=0.5)
    async with sandbox.connector() as carrier:
        placed = await create(carrier)
    assert placed.carrier_order_id
    assert len([e for e in sink if e.operation == "create_order"]) >= 2


async def test_async_creation_still_processing_is_unknown_then_safe_to_send_again(
    sandbox: Sandbox,
) -> None:
    sandbox.configure(async_courier_partner_ids=[1], async_processing_seconds=600)
    order = cp_order()
    async with sandbox.connector(async_poll_seconds=[0.05, 0.05]) as carrier:
        with pytest.raises(OutcomeUnknown):
            await carrier.create_orders([order])
        # Still being manifested: not found, and sending it again cannot duplicate it.
        assert await carrier.find_orders([order.reference]) == {}
        sandbox.advance(601)
        found = await carrier.find_orders([order.reference])
        [again] = await carrier.create_orders([order])
    assert again.created is not None
    assert again.message == "already placed"
    assert found[order.reference].carrier_order_id == again.created.carrier_order_id


@pytest.mark.parametrize("status", [319, 322])
async def test_courier_downtime_parks_until_the_window_ends(sandbox: Sandbox, status: int) -> None:
    sandbox.control("POST", "/couriers/1/downtime", {"seconds": 7200, "status": status})
    async with sandbox.connector() as carrier:
        with pytest.raises(CarrierParked) as caught:
            await carrier.create_orders([cp_order()])
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 7000 < caught.value.retry_after <= 7200


async def test_bad_credentials_fail_auth(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        await create(carrier)
    settings = sandbox.settings()
    other = sandbox.settings(username=settings.username)  # same username, another key
    async with sandbox.connector(settings) as carrier:
        await carrier.find_orders(["X"])
    async with sandbox.connector(other) as carrier:
        with pytest.raises(CarrierAuthFailed):
            await carrier.create_orders([cp_order()])


async def test_5xx_on_create_is_unknown(sandbox: Sandbox) -> None:
    sandbox.set_faults(error_rate=1.0)
    async with sandbox.connector() as carrier:
        with pytest.raises(OutcomeUnknown):
            await carrier.create_orders([cp_order()])


async def test_the_key_never_reaches_the_recorded_exchanges(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    settings = sandbox.settings()
    key = settings.key.get_secret_value()
    async with sandbox.connector(settings) as carrier:
        placed = await create(carrier)
        await carrier.find_orders([placed.reference])
        await carrier.track(placed)
        await carrier.fetch_label(placed, LabelRequest())
        await carrier.register_webhook("https://hub.example/webhooks/clickpost/acc-1")
    assert len(sink) >= 6
    for exchange in sink:
        kept = " ".join(
            [
                exchange.url,
                exchange.request_body or "",
                exchange.response_body or "",
                *exchange.request_headers.values(),
            ]
        )
        assert key not in kept
    assert "key=%2A%2A%2A" in sink[0].url or "key=***" in sink[0].url
    assert settings.username in sink[0].url


# --- find, labels, cancel ----------------------------------------------------------------------


async def test_find_orders_by_awkward_references(sandbox: Sandbox) -> None:
    order = cp_order(reference='A;B/C"D E-42&x=1')
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
        found = await carrier.find_orders([order.reference, "NEVER-CREATED"])
    assert list(found) == [order.reference]
    assert found[order.reference].carrier_order_id == placed.carrier_order_id
    assert found[order.reference].carrier_data["cp_id"] == "1"
    assert found[order.reference].carrier_data["account_code"] == "sandbox-default"


async def test_label_is_the_couriers_pdf(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        placed = await create(carrier)
        label = await carrier.fetch_label(placed, LabelRequest(format="zpl"))
        [batch] = (await carrier.fetch_labels([placed], LabelRequest())).values()
    assert label.media_type == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(label.content)).pages) == 1
    assert batch.content == label.content


async def test_label_of_an_unknown_waybill_is_not_there(sandbox: Sandbox) -> None:
    ghost = CarrierOrder(carrier_order_id="999", reference="R", carrier_data={"cp_id": "1"})
    async with sandbox.connector() as carrier:
        with pytest.raises(CarrierUnavailable):
            await carrier.fetch_label(ghost, LabelRequest())


async def test_cancel_twice_is_done_and_the_order_is_gone(sandbox: Sandbox) -> None:
    order = cp_order()
    async with sandbox.connector() as carrier:
        placed = await create(carrier, order)
        await carrier.cancel(placed)
        await carrier.cancel(placed)  # 600: already cancelled
        assert await carrier.find_orders([order.reference]) == {}
        events = await carrier.track(placed)
    assert events[-1].carrier_code == "10"
    assert events[-1].stage is TrackingStage.CANCELLED


async def test_cancel_after_delivery_is_refused(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        placed = await create(carrier)
        sandbox.advance(6 * 3600)
        with pytest.raises(CarrierRejected) as caught:
            await carrier.cancel(placed)
    assert caught.value.carrier_code == "350"


# --- tracking ------------------------------------------------------------------------------


async def test_track_and_get_orders_follow_the_journey(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        placed = await create(carrier)
        [fresh] = await carrier.get_orders([placed])
        assert fresh.despatched_at is None
        sandbox.advance(6 * 3600)
        events = await carrier.track(placed)
        [read] = await carrier.get_orders([placed])
    assert [e.stage for e in events] == [
        TrackingStage.LABEL_CREATED,
        TrackingStage.LABEL_CREATED,
        TrackingStage.COLLECTED,
        TrackingStage.IN_TRANSIT,
        TrackingStage.OUT_FOR_DELIVERY,
        TrackingStage.DELIVERED,
    ]
    assert all(e.carrier_shipment_ref == placed.carrier_order_id for e in events)
    assert read.reference == placed.reference
    assert read.despatched_at == events[2].occurred_at
    assert read.delivered_at == events[-1].occurred_at


async def test_get_orders_batches_by_courier_and_leaves_unknown_ones_out(
    sandbox: Sandbox, sink: list[Exchange]
) -> None:
    async with sandbox.connector() as carrier:
        placed = [await create(carrier) for _ in range(6)]
        placed.append(await create(carrier, cp_order(service_code="express")))
        ghost = CarrierOrder(
            carrier_order_id="700000000999", reference="G", carrier_data={"cp_id": "1"}
        )
        read = await carrier.get_orders([*placed, ghost])
    assert [o.carrier_order_id for o in read] == [o.carrier_order_id for o in placed]
    assert len([e for e in sink if e.operation == "track"]) == 3  # 5 + 1 of courier 1, 1 of 2


# --- not offered ---------------------------------------------------------------------------


async def test_quote_pay_and_despatch_are_not_offered(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        with pytest.raises(FeatureUnavailable):
            await carrier.quote(cp_order())
        placed = await create(carrier)
        with pytest.raises(FeatureUnavailable):
            await carrier.pay(cp_order(), placed, None)


# --- webhooks --------------------------------------------------------------------------------


async def test_register_webhook_returns_the_key_and_put_moves_it(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        await create(carrier)  # the account exists once it has called
        key = await carrier.register_webhook("https://hub.example/a")
        moved = await carrier.register_webhook("https://hub.example/b", update=True)
        again = await carrier.register_webhook("https://hub.example/c")  # 305 -> PUT
    assert key
    assert moved == key == again
    account = sandbox.control("GET", f"/accounts/{carrier.settings.username}")
    assert account["webhook_url"] == "https://hub.example/c"
