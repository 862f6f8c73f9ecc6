"""The carrier contract: every registered connector against its sandbox, over real HTTP.

One suite for all carriers; a scenario is skipped when the carrier does not declare the
capability it needs. Nothing is mocked: each connector talks to its carrier's sandbox
on a loopback port, and faults are switched on through the sandbox's control routes.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest

from shipmux.carriers.base import Capability, Carrier, CarrierOrder, LabelRequest
from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierRateLimited,
    CarrierUnavailable,
    OutcomeUnknown,
    PriceChanged,
)
from shipmux.carriers.http import Exchange, exchange_sink
from tests.contract.conftest import LiveSandbox, malformed_credentials

pytestmark = pytest.mark.anyio


async def find_within(carrier: Carrier, reference: str, seconds: float) -> dict[str, CarrierOrder]:
    """``find_orders`` until the reference shows or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        found = await carrier.find_orders([reference])
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


def awkward_reference() -> str:
    """A reference with every character that can break a URL path: ; / " and a space."""
    return f'A;B/C"D E-{uuid.uuid4().hex[:12]}'


async def test_create_one_order(live: LiveSandbox) -> None:
    order = live.order()
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([order])
    assert result.ok, result.problems
    assert result.reference == order.reference
    assert result.created is not None
    assert result.created.carrier_order_id
    assert result.created.reference == order.reference


async def test_polling_reads_the_order_back_by_the_carriers_id(live: LiveSandbox) -> None:
    live.require(Capability.POLL_TRACKING)
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([live.order()])
        assert result.created is not None
        [polled] = await carrier.get_orders([result.created])
    assert polled.carrier_order_id == result.created.carrier_order_id
    assert polled.reference == result.reference


async def test_batch_with_one_refused_order_succeeds_for_the_others(live: LiveSandbox) -> None:
    live.require(Capability.BATCH_CREATE)
    good, bad, other = live.order(), live.hooks.refused_order(), live.order()
    async with live.carrier() as carrier:
        results = await carrier.create_orders([good, bad, other])
    assert [r.reference for r in results] == [good.reference, bad.reference, other.reference]
    assert [r.ok for r in results] == [True, False, True]
    assert live.hooks.refused_field in [p.field for p in results[1].problems]


async def test_find_by_reference_with_awkward_characters(live: LiveSandbox) -> None:
    live.require(Capability.LOOKUP_BY_REFERENCE)
    order = live.order(reference=awkward_reference())
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([order])
        assert result.created is not None
        found = await carrier.find_orders([order.reference, "NEVER-CREATED-1"])
        nothing = await carrier.find_orders(["NEVER-CREATED-2"])
    assert list(found) == [order.reference]
    assert found[order.reference].carrier_order_id == result.created.carrier_order_id
    assert nothing == {}


async def test_label_is_a_pdf(live: LiveSandbox) -> None:
    live.require(Capability.LABEL_PDF)
    order = live.order()
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([order])
        assert result.created is not None
        placed = result.created
        if live.has(Capability.PAYMENT):  # no label before the order is paid for
            placed = await carrier.pay(order, placed, None)
        label = await carrier.fetch_label(placed, LabelRequest(format="pdf"))
    assert label.media_type == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(label.content)).pages) >= 1


async def test_cancel_withdraws_the_order(live: LiveSandbox) -> None:
    live.require(Capability.CANCEL)
    order = live.order()
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([order])
        assert result.created is not None
        await carrier.cancel(result.created)
        if live.has(Capability.LOOKUP_BY_REFERENCE):
            assert await carrier.find_orders([order.reference]) == {}


async def test_despatch_is_recorded(live: LiveSandbox) -> None:
    live.require(Capability.DESPATCH)
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([live.order()])
        assert result.created is not None
        await carrier.despatch(result.created, datetime.now(UTC))
        if live.has(Capability.POLL_TRACKING):
            [polled] = await carrier.get_orders([result.created])
            assert polled.despatched_at is not None


async def test_429_becomes_rate_limited(live: LiveSandbox) -> None:
    live.set_faults(burst_429=1)
    async with live.carrier() as carrier:
        with pytest.raises(CarrierRateLimited) as caught:
            await carrier.create_orders([live.order()])
    assert caught.value.retryable
    assert caught.value.status == 429


async def test_limiter_keeps_a_burst_under_the_carriers_rate(live: LiveSandbox) -> None:
    settings = live.settings()
    rate = settings.rate_limit_per_second
    if rate <= 0:
        pytest.skip(f"{live.slug} declares no rate limit")
    calls = int(rate * 2) + 1
    async with live.carrier(settings) as carrier:
        started = time.monotonic()
        # Every call must succeed: none may reach the sandbox faster than the carrier allows.
        await asyncio.gather(*(carrier.find_orders([f"NONE-{i}"]) for i in range(calls)))
        elapsed = time.monotonic() - started
    assert elapsed >= (calls - 1) / rate * 0.95


async def test_create_committed_then_timed_out_is_unknown_and_found_after(
    live: LiveSandbox,
) -> None:
    live.require(Capability.LOOKUP_BY_REFERENCE)
    order = live.order()
    live.set_faults(commit_then_timeout_rate=1.0, hang_seconds=3)
    async with live.carrier(timeout_seconds=0.5) as carrier:
        with pytest.raises(OutcomeUnknown):
            await carrier.create_orders([order])
        live.clear_faults()
        # Some carriers save asynchronously (Sendcloud): the hub's next attempt comes
        # seconds later, so give the order as long to become readable.
        found = await find_within(carrier, order.reference, seconds=5)
        # Reconciliation adopts the stored order instead of sending it again.
        assert list(found) == [order.reference]
        if live.has(Capability.POLL_TRACKING):
            polled = await carrier.get_orders([found[order.reference]])
            assert [o.reference for o in polled] == [order.reference]


async def test_5xx_on_create_is_never_a_definite_no(live: LiveSandbox) -> None:
    """A 5xx is retried. On the create call itself it is unknown; a carrier whose create
    starts with reads (Parcel2Go quotes and verifies first) may fail on a read, before
    anything that could create an order was sent: that is plainly retryable."""
    live.set_faults(error_rate=1.0)
    async with live.carrier() as carrier:
        with pytest.raises((OutcomeUnknown, CarrierUnavailable)) as caught:
            await carrier.create_orders([live.order()])
    assert caught.value.retryable
    assert caught.value.status is not None
    assert caught.value.status >= 500
    if caught.value.operation in ("create_orders", "create_order"):
        assert isinstance(caught.value, OutcomeUnknown)


async def test_malformed_credentials_fail_auth(live: LiveSandbox) -> None:
    settings = malformed_credentials(live.settings())
    async with live.carrier(settings) as carrier:
        with pytest.raises(CarrierAuthFailed) as caught:
            await carrier.create_orders([live.order()])
    assert not caught.value.retryable


async def test_exchanges_are_recorded_with_secrets_masked(live: LiveSandbox) -> None:
    settings = live.settings()
    secrets = settings.secret_values()
    assert secrets, "a carrier account has at least one secret"
    sink: list[Exchange] = []
    token = exchange_sink.set(sink)
    try:
        async with live.carrier(settings) as carrier:
            [result] = await carrier.create_orders([live.order()])
            if live.has(Capability.LOOKUP_BY_REFERENCE):
                await carrier.find_orders([result.reference])
    finally:
        exchange_sink.reset(token)
    assert sink
    assert sink[0].operation
    assert sink[0].status is not None
    assert sink[0].status < 300
    for exchange in sink:
        kept = " ".join(
            [
                exchange.url,
                exchange.request_body or "",
                exchange.response_body or "",
                *exchange.request_headers.values(),
            ]
        )
        for secret in secrets:
            assert secret not in kept


async def test_quote_prices_services(live: LiveSandbox) -> None:
    live.require(Capability.QUOTE)
    async with live.carrier() as carrier:
        rates = await carrier.quote(live.order())
    assert rates
    for rate in rates:
        assert rate.service_code
        assert 0 < rate.price_ex_vat <= rate.price
        assert rate.collection in ("collection", "drop_off")


async def test_payment_whose_answer_was_lost_is_read_back_paid(live: LiveSandbox) -> None:
    live.require(Capability.PAYMENT)
    order = live.order()
    async with live.carrier(timeout_seconds=1.0) as carrier:
        [result] = await carrier.create_orders([order])
        assert result.created is not None
        assert result.created.paid_at is None
        live.set_faults(commit_then_timeout_rate=1.0, hang_seconds=3)
        with pytest.raises(OutcomeUnknown):
            await carrier.pay(order, result.created, None)
        live.clear_faults()
        [read] = await carrier.get_orders([result.created])
    # The charge was taken although its answer was lost: reading back shows it.
    assert read.paid_at is not None


async def test_price_above_the_ceiling_is_not_paid(live: LiveSandbox) -> None:
    live.require(Capability.PAYMENT)
    order = live.order()
    async with live.carrier() as carrier:
        [result] = await carrier.create_orders([order])
        assert result.created is not None
        assert result.created.price is not None
        with pytest.raises(PriceChanged):
            await carrier.pay(order, result.created, result.created.price - Decimal("0.01"))
        [read] = await carrier.get_orders([result.created])
    assert read.paid_at is None
