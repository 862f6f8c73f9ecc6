"""Every Click & Drop endpoint the connector uses, against the sandbox over real HTTP."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from shipmux.carriers.base import CarrierOrder, LabelRequest
from shipmux.carriers.click_and_drop import ClickAndDrop
from shipmux.carriers.click_and_drop import schemas as wire
from shipmux.carriers.click_and_drop.client import ClickAndDropClient
from shipmux.carriers.click_and_drop.statuses import status_of
from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierProtocolError,
    CarrierRejected,
    FeatureUnavailable,
)
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.domain.shipments import ShipmentStatus
from tests.carriers.click_and_drop.conftest import Sandbox
from tests.factories import make_international_order, make_order

pytestmark = pytest.mark.anyio


async def create(carrier: ClickAndDrop, **overrides: object) -> CarrierOrder:
    [result] = await carrier.create_orders([make_order(**overrides)])
    assert result.created is not None, result.problems
    return result.created


def pdf_pages(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


# --- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["bearer", "raw"])
async def test_both_authorization_forms_are_accepted(sandbox: Sandbox, scheme: str) -> None:
    sink: list[Exchange] = []
    token = exchange_sink.set(sink)
    try:
        async with sandbox.connector(auth_scheme=scheme) as carrier:
            order = await create(carrier)
    finally:
        exchange_sink.reset(token)
    assert order.carrier_order_id
    assert sink[0].request_headers["authorization"] == "***"


async def test_unknown_key_shape_is_refused(sandbox: Sandbox) -> None:
    async with sandbox.connector(api_key="short") as carrier:
        with pytest.raises(CarrierAuthFailed):
            await carrier.find_orders(["R-1"])


async def test_version_needs_no_key(sandbox: Sandbox) -> None:
    async with sandbox.connector(api_key="short") as carrier:
        assert await carrier.version()


# --- create and read ------------------------------------------------------------------------


async def test_created_order_reads_back_by_id_and_by_reference(sandbox: Sandbox) -> None:
    reference = f'Ref;With Space/Slash"q-{uuid.uuid4().hex[:8]}'
    async with sandbox.connector() as carrier:
        created = await create(carrier, reference=reference)
        [by_id] = await carrier.get_orders([created])
        by_reference = await carrier.find_orders([reference])
    assert by_id.reference == reference
    assert by_reference[reference].carrier_order_id == created.carrier_order_id
    # An OBA account with automatic postage gives tracked services a number at once.
    assert by_id.tracking_number


async def test_international_order_with_customs_is_created(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([make_international_order(service_code="MTA")])
    assert result.ok, result.problems


async def test_refusals_name_our_fields_and_local_ones_are_never_sent(sandbox: Sandbox) -> None:
    taken = make_order()
    sink: list[Exchange] = []
    async with sandbox.connector() as carrier:
        await carrier.create_orders([taken])
        token = exchange_sink.set(sink)
        try:
            results = await carrier.create_orders(
                [
                    make_order(reference=taken.reference),  # Click & Drop: already exists
                    make_order(notes="x" * 501),  # ours: at most 500
                    make_order(service_code="OLP1"),  # Click & Drop: not on an OBA account
                ]
            )
        finally:
            exchange_sink.reset(token)
    assert [r.ok for r in results] == [False, False, False]
    assert [[p.field for p in r.problems] for r in results] == [
        ["reference"],
        ["notes"],
        ["service_code"],
    ]
    assert results[0].problems[0].rule.startswith("click_and_drop_")
    assert "notes" not in (sink[0].request_body or "")  # the over-long one was not sent
    assert len(sink) == 1


async def test_same_reference_twice_in_one_batch_is_refused_locally(sandbox: Sandbox) -> None:
    order = make_order()
    async with sandbox.connector() as carrier:
        first, second = await carrier.create_orders([order, order])
    assert first.ok
    assert [p.rule for p in second.problems] == ["duplicate"]


async def test_batch_of_more_than_max_is_refused(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        with pytest.raises(ValueError, match="at most 100"):
            await carrier.create_orders([make_order()] * 101)


async def test_unknown_orders_are_simply_absent(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        known = await create(carrier)
        unknown = CarrierOrder("999999", "NOPE")
        assert await carrier.get_orders([unknown]) == []
        polled = await carrier.get_orders([unknown, known])
        assert [o.carrier_order_id for o in polled] == [known.carrier_order_id]
        assert await carrier.find_orders(["x" * 41, "NOPE"]) == {}


async def test_lookups_are_split_into_calls_of_a_hundred(sandbox: Sandbox) -> None:
    sink: list[Exchange] = []
    async with sandbox.connector(rate_limit_per_second=0) as carrier:
        known = await create(carrier)
        token = exchange_sink.set(sink)
        try:
            found = await carrier.find_orders([f"NONE-{i}" for i in range(150)] + [known.reference])
        finally:
            exchange_sink.reset(token)
    assert list(found) == [known.reference]
    assert [x.operation for x in sink] == ["get_orders", "get_orders"]


async def test_listing_follows_the_continuation_token(sandbox: Sandbox) -> None:
    settings = sandbox.settings()
    async with sandbox.connector(settings) as carrier:
        references = {(await create(carrier)).reference for _ in range(3)}
        client = ClickAndDropClient(settings, carrier._http)
        first = await client.list_orders(page_size=2)
        assert len(first.orders) == 2
        assert first.continuation_token
        second = await client.list_orders(page_size=2, continuation_token=first.continuation_token)
        everything = await carrier.list_orders(
            start=datetime.now(UTC) - timedelta(days=1), end=datetime.now(UTC) + timedelta(days=1)
        )
    assert {o.order_reference for o in first.orders + second.orders} == references
    assert {o.reference for o in everything} == references


# --- labels ---------------------------------------------------------------------------------


async def test_label_with_returns_label_and_customs_is_one_pdf(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        international = (await carrier.create_orders([make_international_order()]))[0].created
        assert international is not None
        plain = await carrier.fetch_label(order, LabelRequest(include_customs=False))
        full = await carrier.fetch_label(
            international, LabelRequest(include_customs=True, include_returns_label=True)
        )
        [printed] = await carrier.get_orders([order])
    assert pdf_pages(plain.content) >= 1
    assert pdf_pages(full.content) > pdf_pages(plain.content)
    assert printed.label_printed_at is not None
    assert status_of(printed) is ShipmentStatus.LABEL_READY


async def test_other_document_types_come_as_pdf(sandbox: Sandbox) -> None:
    settings = sandbox.settings()
    async with sandbox.connector(settings) as carrier:
        order = await create(carrier)
        client = ClickAndDropClient(settings, carrier._http)
        note = await client.get_label([int(order.carrier_order_id)], document_type="despatchNote")
    assert pdf_pages(note) >= 1


async def test_olp_setting_refuses_labels_without_a_call(sandbox: Sandbox) -> None:
    sink: list[Exchange] = []
    # The sandbox account is OBA; only our setting says OLP, and that alone must stop the call.
    async with sandbox.connector(account_type="OLP") as carrier:
        order = await create(carrier)
        token = exchange_sink.set(sink)
        try:
            with pytest.raises(FeatureUnavailable, match="OBA"):
                await carrier.fetch_label(order, LabelRequest())
        finally:
            exchange_sink.reset(token)
    assert sink == []


async def test_olp_account_behind_an_oba_setting_gets_feature_unavailable(
    sandbox: Sandbox,
) -> None:
    settings = sandbox.settings()
    sandbox.make_olp(settings)
    async with sandbox.connector(settings) as carrier:
        order = await create(carrier, service_code="TOLP24")
        with pytest.raises(FeatureUnavailable, match="OBA") as caught:
            await carrier.fetch_label(order, LabelRequest())
    assert caught.value.status == 403


async def test_label_of_a_deleted_order_is_refused(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        await carrier.cancel(order)
        with pytest.raises(CarrierRejected) as caught:
            await carrier.fetch_label(order, LabelRequest())
    assert caught.value.status == 404


# --- status, cancel, reset ------------------------------------------------------------------


async def test_despatch_then_reset_walks_the_status_back(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        await carrier.fetch_label(order, LabelRequest())
        await carrier.reset(order)
        [reset] = await carrier.get_orders([order])
        await carrier.despatch(order, datetime.now(UTC))
        [despatched] = await carrier.get_orders([order])
    assert status_of(reset) is ShipmentStatus.SUBMITTED
    assert status_of(despatched) is ShipmentStatus.DESPATCHED


async def test_cancel_twice_is_harmless(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        await carrier.cancel(order)
        await carrier.cancel(order)
        assert await carrier.get_orders([order]) == []
    rows = [r for r in sandbox.stored_orders() if r["orderReference"] == order.reference]
    assert [r["status"] for r in rows] == ["deleted"]


async def test_status_of_a_deleted_order_cannot_change(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        await carrier.cancel(order)
        with pytest.raises(CarrierRejected):
            await carrier.despatch(order, datetime.now(UTC))


# --- manifests ------------------------------------------------------------------------------


async def test_manifest_takes_labelled_orders_and_returns_its_pdf(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        order = await create(carrier)
        await carrier.fetch_label(order, LabelRequest())
        manifest = await carrier.manifest()
        again = await carrier.get_manifest(manifest.number)
        [manifested] = await carrier.get_orders([order])
    assert manifest.number == again.number
    assert again.status == "Completed"
    assert again.document is not None
    assert pdf_pages(again.document.content) >= 1
    assert status_of(manifested) is ShipmentStatus.MANIFESTED


async def test_unknown_manifest_is_refused(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        with pytest.raises(CarrierRejected):
            await carrier.get_manifest(987654)
        with pytest.raises(CarrierRejected):
            await carrier.retry_manifest(987654)


# --- malformed answers ----------------------------------------------------------------------


async def test_answer_outside_the_spec_is_a_protocol_error(sandbox: Sandbox) -> None:
    # A real HTTP answer that is not a GetVersionResource: the sandbox's account control
    # route answers GET /_sandbox/accounts/version with an account description.
    async with sandbox.connector(base_url=f"{sandbox.root}/_sandbox/accounts") as carrier:
        with pytest.raises(CarrierProtocolError, match="releaseDate"):
            await carrier.version()


async def test_unexpected_status_is_a_protocol_error(sandbox: Sandbox) -> None:
    async with sandbox.connector(base_url=f"{sandbox.root}/nowhere") as carrier:
        with pytest.raises(CarrierProtocolError, match="404"):
            await carrier.version()


def test_wire_models_ignore_fields_added_later() -> None:
    info = wire.GetOrderInfoResource.model_validate(
        {"orderIdentifier": 1, "createdOn": "2026-01-01T00:00:00Z", "newField": 1}
    )
    assert info.order_identifier == 1
