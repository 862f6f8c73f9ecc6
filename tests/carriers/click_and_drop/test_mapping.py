"""Golden tests of the pure Click & Drop mapping: every field we send and read back."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shipmux.carriers.base import CarrierOrder
from shipmux.carriers.click_and_drop import mapping
from shipmux.carriers.click_and_drop import schemas as wire
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import CustomsCategory, PackageFormat
from tests.factories import make_address, make_international_order, make_item, make_order

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULTS = mapping.OrderDefaults(now=NOW)


def to_wire(order: Any, defaults: mapping.OrderDefaults = DEFAULTS) -> dict[str, Any]:
    return mapping.to_create_order_request(order, defaults).to_wire()


def full_order() -> Any:
    """An order that uses every field the mapping carries."""
    return make_international_order(
        reference="HUB-0001",
        sender=make_address(
            name="Shop Ltd",
            company="Shop Ltd",
            line1="1 High St",
            city="Leeds",
            postcode="LS1 1AA",
            phone="+441130000000",
            email="shop@example.com",
        ),
        billing=make_address(
            name="Bill Payer",
            company="Payer & Co",
            line1="2 Low Rd",
            line2="Flat 3",
            line3="Old Town",
            city="York",
            county="North Yorkshire",
            postcode="YO1 7HH",
            phone="+441904000000",
            email="bill@example.com",
        ),
        recipient=make_address(
            name="Max Mustermann",
            company="Muster GmbH",
            line1="Unter den Linden 1",
            line2="Hinterhaus",
            line3="3. OG",
            city="Berlin",
            county="Berlin",
            postcode="10117",
            country="DE",
            phone="+49301234567",
            email="max@example.de",
        ),
        recipient_is_business=True,
        packages=[
            {
                "weight_grams": 900,
                "format": "medium_parcel",
                "dimensions": {"length_mm": 300, "width_mm": 200, "height_mm": 100},
            },
            {"weight_grams": 250, "format": "large_letter"},
        ],
        items=[
            make_item(
                hs_code="630260",
                origin_country="GB",
                customs_description="Cotton tea towels",
                customs_category="sale_of_goods",
            ),
            make_item(
                name="Mug",
                sku=None,
                quantity=1,
                unit_value=Decimal("4.99"),
                unit_weight_grams=300,
                hs_code="691200",
                origin_country="CN",
                customs_description="Ceramic mug",
                customs_category="gift",
            ),
        ],
        extras={
            "signature": True,
            "sms_notification": True,
            "email_notification": True,
            "cover_value": Decimal("150.10"),
            "safe_place": "Porch",
        },
        dangerous_goods={"un_code": "UN3481", "description": "Lithium ion batteries"},
        customs={
            "ioss_number": "IM2760000742",
            "invoice_number": "INV-1001",
            "invoice_date": datetime(2026, 3, 2, tzinfo=UTC),
            "delivery_terms": "DAP",
            "recipient_eori_number": "DE123456789012345",
        },
        subtotal=Decimal("19.99"),
        shipping_cost=Decimal("3.20"),
        tax=Decimal("3.00"),
        total=Decimal("26.19"),
        tags=["vip", "channel = web"],
        notes="Leave with neighbour",
    )


# Reviewed by hand against the spec's CreateOrderRequest, field by field.
FULL_ORDER_WIRE: dict[str, Any] = {
    "orderReference": "HUB-0001",
    "isRecipientABusiness": True,
    "recipient": {
        "address": {
            "fullName": "Max Mustermann",
            "companyName": "Muster GmbH",
            "addressLine1": "Unter den Linden 1",
            "addressLine2": "Hinterhaus",
            "addressLine3": "3. OG",
            "city": "Berlin",
            "county": "Berlin",
            "postcode": "10117",
            "countryCode": "DE",
        },
        "phoneNumber": "+49301234567",
        "emailAddress": "max@example.de",
    },
    "sender": {
        "tradingName": "Shop Trading",
        "phoneNumber": "+441130000000",
        "emailAddress": "shop@example.com",
    },
    "billing": {
        "address": {
            "fullName": "Bill Payer",
            "companyName": "Payer & Co",
            "addressLine1": "2 Low Rd",
            "addressLine2": "Flat 3",
            "addressLine3": "Old Town",
            "city": "York",
            "county": "North Yorkshire",
            "postcode": "YO1 7HH",
            "countryCode": "GB",
        },
        "phoneNumber": "+441904000000",
        "emailAddress": "bill@example.com",
    },
    "packages": [
        {
            "weightInGrams": 900,
            "packageFormatIdentifier": "mediumParcel",
            "dimensions": {"heightInMms": 100, "widthInMms": 200, "depthInMms": 300},
            "contents": [
                {
                    "name": "Tea towel",
                    "SKU": "TT-001",
                    "quantity": 2,
                    "unitValue": 7.5,
                    "unitWeightInGrams": 120,
                    "customsDescription": "Cotton tea towels",
                    "customsCode": "630260",
                    "originCountryCode": "GB",
                    "customsDeclarationCategory": "commercialSaleOfGoods",
                },
                {
                    "name": "Mug",
                    "quantity": 1,
                    "unitValue": 4.99,
                    "unitWeightInGrams": 300,
                    "customsDescription": "Ceramic mug",
                    "customsCode": "691200",
                    "originCountryCode": "CN",
                    "customsDeclarationCategory": "gift",
                },
            ],
        },
        {"weightInGrams": 250, "packageFormatIdentifier": "largeLetter"},
    ],
    "orderDate": "2026-03-02T09:30:00Z",
    "specialInstructions": "Leave with neighbour",
    "subtotal": 19.99,
    "shippingCostCharged": 3.2,
    "total": 26.19,
    "orderTax": 3.0,
    "currencyCode": "GBP",
    "deliveryTerm": "DDU_DAP",
    "postageDetails": {
        "sendNotificationsTo": "recipient",
        "serviceCode": "MTI",
        "consequentialLoss": 151,
        "receiveEmailNotification": True,
        "receiveSmsNotification": True,
        "requestSignatureUponDelivery": True,
        "safePlace": "Porch",
        "IOSSNumber": "IM2760000742",
        "commercialInvoiceNumber": "INV-1001",
        "commercialInvoiceDate": "2026-03-02T00:00:00Z",
        "recipientEoriNumber": "DE123456789012345",
    },
    "tags": [{"key": "vip"}, {"key": "channel", "value": "web"}],
    "containsDangerousGoods": True,
    "dangerousGoodsUnCode": "3481",
}


def test_full_order_maps_every_field_to_its_spec_name() -> None:
    defaults = mapping.OrderDefaults(now=NOW, trading_name="Shop Trading")
    assert to_wire(full_order(), defaults) == FULL_ORDER_WIRE


def test_minimal_domestic_order_sends_only_what_it_has() -> None:
    order = make_order(reference="R-1", order_date=None, service_code=None, items=[])
    defaults = mapping.OrderDefaults(now=NOW, service_code="TPS48", package_format="parcel")
    body = to_wire(order, defaults)
    assert body == {
        "orderReference": "R-1",
        "isRecipientABusiness": False,
        "recipient": {
            "address": {
                "fullName": "Ada Lovelace",
                "addressLine1": "10 Downing Street",
                "city": "London",
                "postcode": "SW1A 2AA",
                "countryCode": "GB",
            },
            "phoneNumber": "+447700900123",
            "emailAddress": "ada@example.com",
        },
        "packages": [{"weightInGrams": 500, "packageFormatIdentifier": "smallParcel"}],
        "orderDate": "2026-01-01T00:00:00Z",  # the clock's reading, passed in
        "subtotal": 15.0,
        "shippingCostCharged": 3.2,
        "total": 21.2,
        "orderTax": 3.0,
        "currencyCode": "GBP",
        "postageDetails": {"serviceCode": "TPS48"},  # the account default
    }


def test_order_service_code_wins_over_account_default() -> None:
    defaults = mapping.OrderDefaults(now=NOW, service_code="TPS48")
    assert to_wire(make_order(service_code="TPN24"), defaults)["postageDetails"] == {
        "serviceCode": "TPN24"
    }


def test_sender_without_trading_name_uses_its_company() -> None:
    order = make_order(sender=make_address(company="Shop Ltd", phone=None, email=None))
    assert to_wire(order)["sender"] == {"tradingName": "Shop Ltd"}


def test_trading_name_alone_makes_a_sender() -> None:
    defaults = mapping.OrderDefaults(now=NOW, trading_name="Shop Trading")
    assert to_wire(make_order(), defaults)["sender"] == {"tradingName": "Shop Trading"}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (PackageFormat.LETTER, "letter"),
        (PackageFormat.LARGE_LETTER, "largeLetter"),
        (PackageFormat.SMALL_PARCEL, "smallParcel"),
        (PackageFormat.MEDIUM_PARCEL, "mediumParcel"),
        (PackageFormat.LARGE_PARCEL, "largeParcel"),
        (PackageFormat.PARCEL, "parcel"),
        (PackageFormat.DOCUMENTS, "documents"),
    ],
)
def test_every_package_format_maps_into_the_spec_enum(ours: PackageFormat, theirs: str) -> None:
    body = to_wire(make_order(packages=[{"weight_grams": 50, "format": ours}]))
    assert body["packages"][0]["packageFormatIdentifier"] == theirs


@pytest.mark.parametrize(
    ("ours", "business", "theirs"),
    [
        (CustomsCategory.GIFT, False, "gift"),
        (CustomsCategory.COMMERCIAL_SAMPLE, False, "commercialSample"),
        (CustomsCategory.DOCUMENTS, False, "documents"),
        (CustomsCategory.RETURNED_GOODS, False, "returnedGoods"),
        (CustomsCategory.OTHER, False, "other"),
        (CustomsCategory.SALE_OF_GOODS, False, "eCommerceSaleOfGoods"),
        (CustomsCategory.SALE_OF_GOODS, True, "commercialSaleOfGoods"),
    ],
)
def test_customs_categories_map_by_recipient_kind(
    ours: CustomsCategory, business: bool, theirs: str
) -> None:
    order = make_international_order(
        recipient_is_business=business,
        items=[
            make_item(
                hs_code="630260",
                origin_country="GB",
                customs_description="Towels",
                customs_category=ours,
            )
        ],
    )
    content = to_wire(order)["packages"][0]["contents"][0]
    assert content["customsDeclarationCategory"] == theirs


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("DDP", "DDP"),
        ("DDU", "DDU_DAP"),
        ("DAP", "DDU_DAP"),
        ("DDU_DAP", "DDU_DAP"),
        ("DTP", "DTP"),
        ("IOSS_DDP", "IOSS_DDP"),
        ("IOSS_DDU", "IOSS_DDU"),
        ("IOSS_DTP", "IOSS_DTP"),
    ],
)
def test_delivery_terms_map_to_click_and_drop_values(ours: str, theirs: str) -> None:
    order = make_international_order(customs={"delivery_terms": ours})
    assert to_wire(order)["deliveryTerm"] == theirs


@pytest.mark.parametrize(
    ("cover", "loss"),
    [
        (Decimal("0"), None),
        (Decimal("20.00"), 20),
        (Decimal("20.01"), 21),
        (Decimal("10000"), 10000),
    ],
)
def test_cover_value_becomes_whole_pounds_of_consequential_loss(
    cover: Decimal, loss: int | None
) -> None:
    postage = to_wire(make_order(extras={"cover_value": cover}))["postageDetails"]
    assert postage.get("consequentialLoss") == loss


def test_cover_beyond_click_and_drop_is_refused_in_our_terms() -> None:
    with pytest.raises(mapping.UnmappableOrder) as caught:
        to_wire(make_order(extras={"cover_value": Decimal("10000.01")}))
    assert [p.field for p in caught.value.problems] == ["extras.cover_value"]


def test_value_the_spec_refuses_is_named_in_our_paths() -> None:
    # Our model allows 40-character phones; Click & Drop 25.
    order = make_order(recipient=make_address(phone="+44 7700 900 123 ext. 4567890"))
    with pytest.raises(mapping.UnmappableOrder) as caught:
        to_wire(order)
    assert [p.field for p in caught.value.problems] == ["recipient.phone"]
    assert caught.value.problems[0].rule == "string_too_long"


def test_notifications_go_to_the_recipient_only_when_asked() -> None:
    postage = to_wire(make_order(extras={"sms_notification": True}))["postageDetails"]
    assert postage == {
        "sendNotificationsTo": "recipient",
        "serviceCode": "TPN24",
        "receiveSmsNotification": True,
    }


def test_dangerous_goods_send_the_bare_un_number() -> None:
    body = to_wire(make_order(dangerous_goods={"un_code": "3480"}))
    assert (body["containsDangerousGoods"], body["dangerousGoodsUnCode"]) == (True, "3480")
    assert "dangerousGoodsDescription" not in body  # typed "number" in the spec: never sent


def test_create_orders_request_holds_one_to_a_hundred_orders() -> None:
    one = mapping.to_create_order_request(make_order(), DEFAULTS)
    assert len(mapping.to_create_orders_request([one] * 100).items) == 100
    with pytest.raises(ValueError, match="100"):
        mapping.to_create_orders_request([one] * 101)
    with pytest.raises(ValueError, match="at least 1"):
        mapping.to_create_orders_request([])


# --- fieldName -> our paths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("recipient.address.postcode", "recipient.postcode"),
        ("Recipient.Address.Postcode", "recipient.postcode"),
        ("recipient.address.fullName", "recipient.name"),
        ("recipient.address.companyName", "recipient.company"),
        ("recipient.address.addressLine1", "recipient.line1"),
        ("recipient.address.addressLine2", "recipient.line2"),
        ("recipient.address.addressLine3", "recipient.line3"),
        ("recipient.address.city", "recipient.city"),
        ("recipient.address.county", "recipient.county"),
        ("recipient.address.countryCode", "recipient.country"),
        ("recipient.phoneNumber", "recipient.phone"),
        ("recipient.emailAddress", "recipient.email"),
        ("recipient.address", "recipient"),
        ("recipient.addressBookReference", "recipient"),
        ("billing.address.postcode", "billing.postcode"),
        ("billing.emailAddress", "billing.email"),
        ("sender.tradingName", "sender.company"),
        ("sender.phoneNumber", "sender.phone"),
        ("packages[0].weightInGrams", "packages[0].weight_grams"),
        ("packages[1].packageFormatIdentifier", "packages[1].format"),
        ("packages[0].dimensions.heightInMms", "packages[0].dimensions.height_mm"),
        ("packages[0].dimensions.widthInMms", "packages[0].dimensions.width_mm"),
        ("packages[0].dimensions.depthInMms", "packages[0].dimensions.length_mm"),
        ("packages[0].dimensions", "packages[0].dimensions"),
        ("packages[0].contents[1].SKU", "items[1].sku"),
        ("packages[0].contents[0].name", "items[0].name"),
        ("packages[0].contents[0].quantity", "items[0].quantity"),
        ("packages[0].contents[0].unitValue", "items[0].unit_value"),
        ("packages[0].contents[0].unitWeightInGrams", "items[0].unit_weight_grams"),
        ("packages[0].contents[0].customsDescription", "items[0].customs_description"),
        ("packages[0].contents[0].extendedCustomsDescription", "items[0].customs_description"),
        ("packages[0].contents[0].customsCode", "items[0].hs_code"),
        ("packages[0].contents[0].originCountryCode", "items[0].origin_country"),
        ("packages[0].contents[0].customsDeclarationCategory", "items[0].customs_category"),
        ("packages[0].contents[0].stockLocation", "items[0]"),
        ("packages[0].contents", "items"),
        ("packages[0].somethingNew", "packages[0]"),
        ("packages", "packages"),
        ("orderReference", "reference"),
        ("isRecipientABusiness", "recipient_is_business"),
        ("orderDate", "order_date"),
        ("specialInstructions", "notes"),
        ("subtotal", "subtotal"),
        ("shippingCostCharged", "shipping_cost"),
        ("orderTax", "tax"),
        ("total", "total"),
        ("currencyCode", "currency"),
        ("deliveryTerm", "customs.delivery_terms"),
        ("containsDangerousGoods", "dangerous_goods"),
        ("dangerousGoodsUnCode", "dangerous_goods.un_code"),
        ("tags[2].key", "tags[2]"),
        ("postageDetails.serviceCode", "service_code"),
        ("postageDetails.consequentialLoss", "extras.cover_value"),
        ("postageDetails.safePlace", "extras.safe_place"),
        ("postageDetails.requestSignatureUponDelivery", "extras.signature"),
        ("postageDetails.receiveSmsNotification", "extras.sms_notification"),
        ("postageDetails.receiveEmailNotification", "extras.email_notification"),
        ("postageDetails.sendNotificationsTo", "extras"),
        ("postageDetails.IOSSNumber", "customs.ioss_number"),
        ("postageDetails.commercialInvoiceNumber", "customs.invoice_number"),
        ("postageDetails.commercialInvoiceDate", "customs.invoice_date"),
        ("postageDetails.recipientEoriNumber", "customs.recipient_eori_number"),
        ("postageDetails", "service_code"),
        ("items[3].recipient.address.city", "recipient.city"),
        ("order.orderReference", "reference"),
        ("somethingElse", "somethingElse"),
        ("", ""),
    ],
)
def test_field_names_map_back_to_our_paths(theirs: str, ours: str) -> None:
    assert mapping.field_path(theirs) == ours


def test_problems_name_every_field_of_every_error() -> None:
    errors = [
        wire.CreateOrderErrorResponse.model_validate(
            {
                "errorCode": 12,
                "errorMessage": "Invalid postcode",
                "fields": [
                    {"fieldName": "recipient.address.postcode", "value": "XX"},
                    {"fieldName": "recipient.address.countryCode", "value": "GB"},
                ],
            }
        ),
        wire.CreateOrderErrorResponse.model_validate({"errorMessage": "Service unavailable"}),
    ]
    assert mapping.problems_from_errors(errors) == [
        FieldProblem("recipient.postcode", "click_and_drop_12", "Invalid postcode"),
        FieldProblem("recipient.country", "click_and_drop_12", "Invalid postcode"),
        FieldProblem("order", "rejected", "Service unavailable"),
    ]


# --- responses -> our types -----------------------------------------------------------------

# Shaped like the live answer the research recorded for an OLP letter order (§2.3), plus a
# refused second order.
CREATE_RESPONSE: dict[str, Any] = {
    "successCount": 1,
    "errorsCount": 1,
    "createdOrders": [
        {
            "orderIdentifier": 1002,
            "orderReference": "HUB-0001",
            "createdOn": "2026-02-11T17:32:26.763419Z",
            "orderDate": "2026-02-11T17:00:00Z",
            "printedOn": None,
            "manifestedOn": None,
            "shippedOn": None,
            "trackingNumber": None,
            "packages": [{"packageNumber": 1, "trackingNumber": None}],
            "label": None,
            "labelErrors": [],
            "generatedDocuments": [],
        }
    ],
    "failedOrders": [
        {
            "order": {"orderReference": "HUB-0002", "recipient": {}},
            "errors": [
                {
                    "errorCode": 1,
                    "errorMessage": "Weight must be between 1 and 30000",
                    "fields": [{"fieldName": "packages[0].weightInGrams", "value": "0"}],
                }
            ],
        }
    ],
}


def test_create_response_gives_one_result_per_reference() -> None:
    response = wire.CreateOrdersResponse.model_validate(CREATE_RESPONSE)
    results = mapping.create_results(["HUB-0001", "HUB-0002", "HUB-0003"], response)
    assert set(results) == {"HUB-0001", "HUB-0002"}  # HUB-0003's fate is not in the answer
    created = results["HUB-0001"]
    assert created.ok
    assert created.created == CarrierOrder(carrier_order_id="1002", reference="HUB-0001")
    refused = results["HUB-0002"]
    assert not refused.ok
    assert refused.message == "Weight must be between 1 and 30000"
    assert refused.problems == [
        FieldProblem(
            "packages[0].weight_grams", "click_and_drop_1", "Weight must be between 1 and 30000"
        )
    ]


def test_created_order_reads_every_stamp_and_tracking_number() -> None:
    created = wire.CreateOrderResponse.model_validate(
        {
            "orderIdentifier": 1003,
            "createdOn": "2026-02-11T17:32:26Z",
            "printedOn": "2026-02-11T17:33:00Z",
            "shippedOn": "2026-02-12T18:00:00Z",
            "manifestedOn": "2026-02-12T18:00:00Z",
            "trackingNumber": "TT123456785GB",
            "packages": [
                {"packageNumber": 1, "trackingNumber": "TT123456785GB"},
                {"packageNumber": 2, "trackingNumber": "TT123456799GB"},
            ],
        }
    )
    assert mapping.carrier_order_from_created(created, "R-3") == CarrierOrder(
        carrier_order_id="1003",
        reference="R-3",  # the answer did not echo it: ours is kept
        tracking_number="TT123456785GB",
        label_printed_at=datetime(2026, 2, 11, 17, 33, tzinfo=UTC),
        despatched_at=datetime(2026, 2, 12, 18, tzinfo=UTC),
        manifested_at=datetime(2026, 2, 12, 18, tzinfo=UTC),
        package_tracking_numbers=("TT123456785GB", "TT123456799GB"),
    )


def test_order_info_reads_zone_less_times_as_utc() -> None:
    info = wire.GetOrderInfoResource.model_validate(
        {
            "orderIdentifier": 1001,
            "orderReference": "R-1",
            "createdOn": "2026-02-11T17:32:26.763419",
            "printedOn": "2026-02-11T17:40:00",
        }
    )
    order = mapping.carrier_order_from_info(info)
    assert order.label_printed_at == datetime(2026, 2, 11, 17, 40, tzinfo=UTC)
    assert (order.carrier_order_id, order.reference) == ("1001", "R-1")


def test_manifest_answer_decodes_its_pdf() -> None:
    pdf = b"%PDF-1.4 manifest"
    # The spec's example, with a real base64 document in place of its placeholder text.
    response = wire.ManifestDetailsResponse.model_validate(
        {"manifestNumber": 1001, "status": "Completed", "documentPdf": base64.b64encode(pdf)}
    )
    manifest = mapping.manifest_from_response(response)
    assert (manifest.number, manifest.status) == (1001, "Completed")
    assert manifest.document is not None
    assert manifest.document.content == pdf
    pending = wire.ManifestOrdersResponse.model_validate({"manifestNumber": 1002.0})
    assert mapping.manifest_from_response(pending) == mapping.Manifest(number=1002)


# --- {orderIdentifiers} ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifiers", "segment"),
    [
        # Research §1.1, verified against the reference client 3.2.0.
        ([1001, "HUB-0001"], "1001%3B%22HUB-0001%22"),
        ([1002, 'Ref;With Space/Slash"q'], "1002%3B%22Ref%253BWith%2520Space%2FSlash%2522q%22"),
        ([1001], "1001"),
        (["ref"], "%22ref%22"),
    ],
)
def test_identifier_segment_matches_the_reference_client(
    identifiers: list[int | str], segment: str
) -> None:
    assert mapping.identifier_segment(identifiers) == segment


def decode_segment(segment: str) -> list[int | str]:
    """What a server does (research §1.1): decode once, split, unquote each reference."""
    tokens = urllib.parse.unquote(segment).split(";")
    return [urllib.parse.unquote(t[1:-1]) if t.startswith('"') else int(t) for t in tokens]


def test_identifier_segment_carries_the_spec_example_through() -> None:
    # The spec's example: /orders/"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols!";2345/
    identifiers: list[int | str] = ["ref", 1001, "Reference;With;Special;Symbols!", 2345]
    segment = mapping.identifier_segment(identifiers)
    assert not set('/;"') & set(segment)
    assert urllib.parse.unquote(segment) == (
        '"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols%21";2345'
    )
    assert decode_segment(segment) == identifiers


def test_identifier_segment_takes_one_to_a_hundred() -> None:
    assert decode_segment(mapping.identifier_segment(list(range(100)))) == list(range(100))
    with pytest.raises(ValueError, match="at most 100"):
        mapping.identifier_segment(list(range(101)))
    with pytest.raises(ValueError, match="at least one"):
        mapping.identifier_segment([])


def test_chunks_split_into_calls_of_a_hundred() -> None:
    assert [len(c) for c in mapping.chunks(list(range(250)))] == [100, 100, 50]
    assert mapping.chunks([]) == []
