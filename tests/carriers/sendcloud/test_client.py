"""The Sendcloud connector against the sandbox, over real HTTP: no mocks."""

from __future__ import annotations

import io

import pypdf
import pytest

from shipmux.carriers.base import LabelRequest
from shipmux.carriers.errors import CarrierAuthFailed, CarrierRateLimited, OutcomeUnknown
from tests.carriers.sendcloud.conftest import Sandbox
from tests.factories import make_order

pytestmark = pytest.mark.anyio


def order(**overrides: object):  # type: ignore[no-untyped-def]
    return make_order(**({"service_code": None} | overrides))


async def test_integration_id_is_read_once_from_the_keys(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        first = await carrier.integration_id()
        assert first >= 1
        assert await carrier.integration_id() == first


async def test_create_find_and_read_back(sandbox: Sandbox) -> None:
    new = order()
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([new])
        assert result.ok, result.problems
        assert result.created is not None
        assert result.created.carrier_shipment_ref == new.reference
        found = await carrier.find_orders([new.reference, "NEVER-CREATED"])
        assert list(found) == [new.reference]
        assert found[new.reference].carrier_order_id == result.created.carrier_order_id
        [read] = await carrier.get_orders([result.created])
    assert read.reference == new.reference


async def test_sending_again_updates_instead_of_duplicating(sandbox: Sandbox) -> None:
    new = order()
    async with sandbox.connector() as carrier:
        [first] = await carrier.create_orders([new])
        [again] = await carrier.create_orders([new])
    assert first.created is not None
    assert again.created is not None
    assert again.created.carrier_order_id == first.created.carrier_order_id


async def test_a_refused_order_does_not_hold_the_batch_back(sandbox: Sandbox) -> None:
    good, bad, other = order(), order(service_code="no-such-option"), order()
    async with sandbox.connector() as carrier:
        results = await carrier.create_orders([good, bad, other])
        found = await carrier.find_orders([good.reference, bad.reference, other.reference])
    assert [r.ok for r in results] == [True, False, True]
    assert "service_code" in [p.field for p in results[1].problems]
    assert set(found) == {good.reference, other.reference}


async def test_label_pdf_then_the_same_parcel_again(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([order()])
        assert result.created is not None
        label = await carrier.fetch_label(result.created, LabelRequest(format="pdf"))
        [read] = await carrier.get_orders([result.created])
        again = await carrier.fetch_label(read, LabelRequest(format="pdf"))
        [reread] = await carrier.get_orders([result.created])
    assert label.media_type == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(label.content)).pages) >= 1
    assert again.content.startswith(b"%PDF")
    assert read.tracking_number
    # No second announcement: the order still has the one parcel.
    assert reread.carrier_data.get("parcel_id") == read.carrier_data.get("parcel_id")


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("zpl", b"^XA")])
async def test_label_formats(sandbox: Sandbox, fmt: str, magic: bytes) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([order()])
        assert result.created is not None
        label = await carrier.fetch_label(result.created, LabelRequest(format=fmt))
    assert label.content.lstrip().startswith(magic)


async def test_labels_of_many(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        results = await carrier.create_orders([order(), order()])
        placed = [r.created for r in results if r.created is not None]
        labels = await carrier.fetch_labels(placed, LabelRequest(format="pdf"))
    assert set(labels) == {p.carrier_order_id for p in placed}
    assert all(d.content.startswith(b"%PDF") for d in labels.values())


async def test_track_after_label(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([order()])
        assert result.created is not None
        assert await carrier.track(result.created) == []  # no parcel yet
        await carrier.fetch_label(result.created, LabelRequest())
        [read] = await carrier.get_orders([result.created])
        events = await carrier.track(read)
    assert all(e.carrier_shipment_ref == read.reference for e in events)


async def test_cancel_withdraws_the_order(sandbox: Sandbox) -> None:
    new = order()
    async with sandbox.connector() as carrier:
        [result] = await carrier.create_orders([new])
        assert result.created is not None
        await carrier.fetch_label(result.created, LabelRequest())
        await carrier.cancel(result.created)
        assert await carrier.find_orders([new.reference]) == {}


async def test_429_is_rate_limited(sandbox: Sandbox) -> None:
    sandbox.set_faults(burst_429=1)
    async with sandbox.connector() as carrier:
        with pytest.raises(CarrierRateLimited):
            await carrier.create_orders([order()])


async def test_5xx_on_create_is_unknown(sandbox: Sandbox) -> None:
    async with sandbox.connector() as carrier:
        await carrier.integration_id()
        sandbox.set_faults(error_rate=1.0)
        with pytest.raises(OutcomeUnknown):
            await carrier.create_orders([order()])


async def test_wrong_keys_fail_auth(sandbox: Sandbox) -> None:
    from pydantic import SecretStr

    settings = sandbox.settings().model_copy(update={"secret_key": SecretStr("wrong")})
    async with sandbox.connector(settings) as carrier:
        with pytest.raises(CarrierAuthFailed):
            await carrier.create_orders([order()])
