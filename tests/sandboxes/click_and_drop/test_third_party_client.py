"""The real third-party client ``click-and-drop-api`` (PyPI 3.2.0) against the sandbox, unchanged.

Only the host differs: the client hard-codes Royal Mail's URL as a class attribute.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from tests.sandboxes.click_and_drop.conftest import new_key

cad = pytest.importorskip(
    "click_and_drop_api",
    reason="the third-party client click-and-drop-api==3.2.0 is not installed",
)
simple = pytest.importorskip("click_and_drop_api.simple")
exceptions = pytest.importorskip("click_and_drop_api.exceptions")

REFERENCE = 'TPC-1;with/slash "quoted"'


@pytest.fixture
def client(base_url: str, control: Any, api_key: str) -> Iterator[Any]:
    # The client caches "is this OBA?" per key; fresh keys keep tests independent.
    return _client_class(base_url)(api_key)


def _client_class(base_url: str) -> Any:
    class SandboxClickAndDrop(simple.ClickAndDrop):  # type: ignore[misc]
        host = f"{base_url}/api/v1"

    return SandboxClickAndDrop


def _order(reference: str) -> Any:
    return simple.CreateOrder(
        order_reference=reference,
        recipient=simple.RecipientDetails(
            address=simple.Address(
                full_name="Jane Doe",
                address_line1="1 High Street",
                city="London",
                postcode="SW1A 1AA",
                country_code="GB",
            ),
            email_address="jane@example.com",
        ),
        sender=simple.SenderDetails(trading_name="Acme Ltd"),
        order_date=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        subtotal=10,
        shipping_cost_charged=2.5,
        total=12.5,
        currency_code="GBP",
        packages=[
            simple.ShipmentPackage(weight_in_grams=500, package_format_identifier="smallParcel")
        ],
        postage_details=simple.PostageDetails(service_code="TPN24"),
    )


def test_full_flow_with_the_reference_client(client: Any) -> None:
    assert client.get_version().release_date is not None
    created = client.create_order(_order(REFERENCE))
    assert (created.success_count, created.errors_count) == (1, 0)
    identifier = created.created_orders[0].order_identifier
    tracking = created.created_orders[0].tracking_number

    info = client.get_order(REFERENCE)
    assert info.order_identifier == identifier
    assert info.tracking_number == tracking
    assert [o.order_identifier for o in client.get_orders([identifier, REFERENCE])] == [
        identifier,
        identifier,
    ]

    pdf = client.get_label(REFERENCE, "postageLabel", include_returns_label=False)
    assert tracking in PdfReader(io.BytesIO(bytes(pdf))).pages[0].extract_text()
    assert client.get_order(identifier).printed_on is not None

    updated = client.set_order_status(identifier, "despatched")
    assert updated.updated_orders[0].status == "despatched"
    assert client.get_order(identifier).shipped_on is not None

    manifest = client.manifest_orders(None)
    assert manifest.manifest_number == 1001
    assert manifest.pdf is not None
    assert bytes(manifest.pdf).startswith(b"%PDF")


def test_failed_orders_and_errors_parse(client: Any) -> None:
    client.create_order(_order("DUP-1"))
    again = client.create_order(_order("DUP-1"))
    assert again.errors_count == 1
    assert again.failed_orders[0].errors[0].fields[0].field_name == "orderReference"
    with pytest.raises(exceptions.NotFoundException):
        client.get_order(999999)
    deleted = client.delete_orders(["DUP-1"])
    assert deleted.deleted_orders[0].order_reference == "DUP-1"


def test_account_type_detection(client: Any, base_url: str) -> None:
    # The client detects OBA by creating an OLP1 order, which OBA accounts reject.
    assert client.is_oba() is True
    olp_client = _client_class(base_url)(new_key("olp"))
    assert olp_client.is_oba() is False
