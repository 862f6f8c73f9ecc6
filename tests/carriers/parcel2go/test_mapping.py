"""The pure Parcel2Go mapping: what we send, how refusals name our fields, what we read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.parcel2go import mapping
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.settings import SANDBOX_COLLECTION_ADDRESS as COLLECTION
from shipmux.carriers.parcel2go.statuses import shipment_status, stage_of
from shipmux.domain.orders import Order
from shipmux.domain.shipments import ShipmentStatus
from tests.factories import make_address, make_international_order, make_item, make_order

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def order_body(order: Order, service: str = "yodel-xpress") -> dict[str, Any]:
    return mapping.order_request(order, COLLECTION, service, WHEN).to_wire()


def complete_international(customs: dict[str, Any] | None = None, **overrides: Any) -> Order:
    complete = {
        "export_reason": "sale",
        "vat_status": "private",
        "eori_number": "GB123",
        "ioss_number": "IM2760000742",
    }
    return make_international_order(customs=complete | (customs or {}), **overrides)


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line1", "line2", "expected"),
    [
        ("12 Brick Lane", None, ("12", "Brick Lane", None)),
        ("12A, Brick Lane", "Shoreditch", ("12A", "Brick Lane", "Shoreditch")),
        ("Torstrasse 12", None, ("12", "Torstrasse", None)),
        ("12-14 Mill Rd", None, ("12-14", "Mill Rd", None)),
        ("Rose Cottage", "Church Lane", ("Rose Cottage", "Church Lane", None)),
        ("Rose Cottage", None, ("Rose Cottage", "Rose Cottage", None)),
    ],
)
def test_house_number_and_street_are_split(
    line1: str, line2: str | None, expected: tuple[str, str, str | None]
) -> None:
    assert mapping.split_street(line1, line2) == expected


def test_a_domestic_order_is_one_item_with_its_parcels_addresses_and_extras() -> None:
    order = make_order(
        recipient=make_address(line2="Flat 2", line3="Westminster", company="HM Gov"),
        packages=[
            {
                "weight_grams": 1500,
                "dimensions": {"length_mm": 300, "width_mm": 200, "height_mm": 105},
            },
            {"weight_grams": 250},
        ],
        extras={"signature": True, "sms_notification": True, "safe_place": "Porch"},
    )
    body = order_body(order)
    [item] = body["Items"]
    assert item["Id"] == mapping.item_id(order.reference)
    assert item["Service"] == "yodel-xpress"
    assert item["Reference"] == order.reference
    assert item["CollectionDate"].startswith("2026-03-02T09:00:00")
    assert item["Upsells"] == [{"Type": "Signature"}, {"Type": "Sms"}]
    assert item["CollectionAddress"]["CountryIsoCode"] == "GBR"
    assert item["CollectionAddress"]["Property"] == "11"
    assert item["CollectionAddress"]["Street"] == "Saville St"
    first, second = item["Parcels"]
    assert first["Weight"] == 1.5
    assert (first["Length"], first["Width"], first["Height"]) == (30, 20, 10.5)
    assert first["EstimatedValue"] == 15.0  # 2 x 7.50 of goods
    assert first["Contents"] == [
        {"Description": "Tea towel", "Quantity": 2, "EstimatedValue": 15.0}
    ]
    assert second["Weight"] == 0.25
    assert "Contents" not in second
    assert first["Id"] != second["Id"]
    assert first["DeliveryAddress"] == {
        "ContactName": "Ada Lovelace",
        "Organisation": "HM Gov",
        "Email": "ada@example.com",
        "Phone": "+447700900123",
        "Property": "10",
        "Street": "Downing Street",
        "Locality": "Flat 2, Westminster",
        "Town": "London",
        "Postcode": "SW1A 2AA",
        "CountryIsoCode": "GBR",
        "SpecialInstructions": "Porch",
    }
    assert "ExportReason" not in item
    assert body["CustomerDetails"] == {
        "Email": "j.doe@example.com",
        "Forename": "John",
        "Surname": "Doe",
    }


def test_the_same_order_gives_the_same_ids_so_verify_before_paying_matches_create() -> None:
    order = make_order()
    later = mapping.order_request(order, COLLECTION, "svc", datetime(2026, 4, 1, tzinfo=UTC))
    assert order_body(order, "svc")["Items"][0]["Id"] == later.items[0].id
    assert order_body(order, "svc")["Items"][0]["Parcels"][0]["Id"] == later.items[0].parcels[0].id


def test_an_international_order_carries_its_customs() -> None:
    order = complete_international()
    [item] = order_body(order)["Items"]
    assert item["OriginCountry"] == "GBR"
    assert item["ExportReason"] == "Sale"
    assert item["VatStatus"] == "Individual"
    assert item["EoriNumber"] == "GB123"
    assert item["IOSSCode"] == "IM2760000742"
    assert item["Parcels"][0]["DeliveryAddress"]["CountryIsoCode"] == "DEU"
    assert item["Parcels"][0]["Contents"] == [
        {
            "Description": "Cotton tea towels",
            "Quantity": 2,
            "EstimatedValue": 15.0,
            "TariffCode": "630260",
            "OriginCountry": "United Kingdom",
        }
    ]


@pytest.mark.parametrize(
    ("cover", "expected"),
    [
        (None, None),
        ("15", [{"Type": "ExtendedBaseCover"}]),
        ("150", [{"Type": "ExtendedBaseCover"}, {"Type": "Cover"}]),
    ],
)
def test_cover_asks_for_base_cover_and_more_above_twenty_pounds(
    cover: str | None, expected: list[dict[str, str]] | None
) -> None:
    order = make_order(extras={"cover_value": cover} if cover else {})
    quote = mapping.quote_request(order, COLLECTION).to_wire()
    assert quote.get("Extras") == expected
    # The parcel's value is what cover protects.
    assert quote["Parcels"][0]["Value"] == float(cover or 15)


def test_a_quote_names_countries_in_iso3_and_weights_in_kg() -> None:
    quote = mapping.quote_request(complete_international(), COLLECTION).to_wire()
    assert quote == {
        "CollectionAddress": {"Country": "GBR", "Postcode": "YO17 7LL"},
        "DeliveryAddress": {"Country": "DEU", "Postcode": "10117"},
        "Parcels": [{"Value": 15.0, "Weight": 0.5}],
    }


# --- checks before any call -----------------------------------------------------------------


def test_international_without_customs_names_every_missing_field() -> None:
    order = make_international_order(
        items=[make_item(), make_item(origin_country="GB"), make_item()], customs=None
    )
    problems = mapping.check_order(order, COLLECTION)
    assert [p.field for p in problems] == [
        "customs.export_reason",
        "customs.vat_status",
        "items[0].origin_country",
        "items[2].origin_country",
    ]
    assert all(p.rule == "required" for p in problems)


def test_international_without_items_and_with_a_registered_sender_lacking_its_number() -> None:
    order = make_international_order(
        items=[], customs={"export_reason": "gift", "vat_status": "registered"}
    )
    assert [p.field for p in mapping.check_order(order, COLLECTION)] == [
        "customs.vat_number",
        "items",
    ]


@pytest.mark.parametrize("reason", ["return", "other"])
def test_export_reasons_parcel2go_lacks_are_refused(reason: str) -> None:
    order = complete_international(customs={"export_reason": reason, "vat_status": "private"})
    [problem] = mapping.check_order(order, COLLECTION)
    assert (problem.field, problem.rule) == ("customs.export_reason", "unsupported")


def test_a_domestic_order_needs_no_customs() -> None:
    assert mapping.check_order(make_order(), COLLECTION) == []


def test_no_collection_address_and_a_sender_without_phone_are_named() -> None:
    assert [p.field for p in mapping.check_order(make_order(), None)] == ["sender"]
    order = make_order(sender=make_address(phone=None, email=None))
    assert [p.field for p in mapping.check_order(order, order.sender)] == [
        "sender.phone",
        "sender.email",
    ]


# --- Errors[] -> our fields -----------------------------------------------------------------

# The seed's own failed international order.
SEED_ERRORS = [
    ("Customs", "Please supply the reason for exporting your parcel."),
    ("Customs", "Please supply your VAT status."),
    ("Customs", "Please supply details of your parcel's country of manufacture."),
    ("Customs", "Please supply details of your international parcel's contents."),
    ("Service", "A price could not be found for these specifications."),
]


def test_the_seeds_customs_errors_name_our_fields_and_keep_the_words() -> None:
    order = make_international_order(items=[make_item(origin_country="GB"), make_item()])
    errors = [wire.ErrorLine(type=t, error=e, item_id="x") for t, e in SEED_ERRORS]
    problems = mapping.problems_from_errors(errors, order)
    assert [p.field for p in problems] == [
        "customs.export_reason",
        "customs.vat_status",
        "items[1].origin_country",
        "items",
        "service_code",
    ]
    assert [p.message for p in problems] == [e for _, e in SEED_ERRORS]
    assert problems[0].rule == "parcel2go_customs"
    assert problems[-1].rule == "parcel2go_service"


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [
        ("Address", "Please supply a valid delivery postcode.", "recipient.postcode"),
        ("Address", "The collection address needs a phone number.", "sender.phone"),
        ("Validation", "Street is required", "recipient.line1"),
        ("Parcel", "The weight exceeds the maximum for this service.", "packages[0].weight_grams"),
        (None, "Something else entirely", "order"),
    ],
)
def test_other_refusals_are_placed_by_their_words(kind: str | None, text: str, field: str) -> None:
    [problem] = mapping.problems_from_errors([wire.ErrorLine(type=kind, error=text)], make_order())
    assert problem.field == field
    assert problem.message == text


# --- quotes ---------------------------------------------------------------------------------


def quote(slug: str, total: str, **service: Any) -> dict[str, Any]:
    return {
        "Service": {"Slug": slug, "Name": slug.title(), "CourierName": "Yodel", **service},
        "TotalPrice": float(total),
        "TotalPriceExVat": float(Decimal(total) / Decimal("1.2")),
        "EstimatedDeliveryDate": "2021-02-18T00:00:00",
        "Extras": [{"Amount": 0.3, "Type": "Sms"}],
        "AvailableExtras": [
            {"Type": "DeliveryGuarantee", "Price": 1.1, "Vat": 0.22, "Total": 1.32, "Details": None}
        ],
    }


def test_every_extra_we_know_goes_by_parcel2go_s_name() -> None:
    order = make_order(
        extras={
            "signature": True,
            "sms_notification": True,
            "cover_value": "150.00",
            "delivery_guarantee": True,
            "print_in_store": True,
        }
    )
    assert mapping.upsells(order) == [
        "Signature",
        "Sms",
        "ExtendedBaseCover",
        "Cover",
        "DeliveryGuarantee",
        "PrintInStore",
    ]
    assert mapping.upsells(make_order()) == []


def test_quotes_become_rates_cheapest_first_with_extras_priced_with_vat() -> None:
    answer = wire.QuotesResponse.model_validate(
        {
            "Quotes": [
                quote("b-shop", "9.50", CollectionType="Shop"),
                quote("a-collect", "13.19", CollectionType="Collection"),
            ]
        }
    )
    rates = mapping.rates_from_quotes(answer, make_order())
    assert [r.service_code for r in rates] == ["b-shop", "a-collect"]
    shop, collect = rates
    assert (shop.price, shop.currency, shop.collection) == (Decimal("9.5"), "GBP", "drop_off")
    assert collect.collection == "collection"
    assert collect.courier == "Yodel"
    assert collect.estimated_delivery == date(2021, 2, 18)
    [sms] = collect.extras
    assert (sms.kind, sms.price_ex_vat, sms.price) == ("Sms", Decimal("0.3"), Decimal("0.36"))
    [guarantee] = collect.available_extras
    assert (guarantee.price, guarantee.price_ex_vat) == (Decimal("1.32"), Decimal("1.1"))
    assert mapping.cheapest(rates) == shop


def test_services_the_parcel_exceeds_are_left_out() -> None:
    order = make_order(
        packages=[
            {
                "weight_grams": 3000,
                "dimensions": {"length_mm": 1300, "width_mm": 100, "height_mm": 100},
            }
        ]
    )
    answer = wire.QuotesResponse.model_validate(
        {
            "Quotes": [
                quote("too-light", "5", MaxWeight=2),
                quote("too-short", "6", MaxWeight=25, MaxLength=1.2),
                quote("fits", "7", MaxWeight=25, MaxLength=1.5),
            ]
        }
    )
    assert [r.service_code for r in mapping.rates_from_quotes(answer, order)] == ["fits"]


# --- answers -> CarrierOrder ----------------------------------------------------------------


def test_the_seeds_create_answer_becomes_an_unpaid_carrier_order() -> None:
    order = make_order()
    created = wire.CreateOrderResponse.model_validate(
        {
            "OrderId": "76423942",
            "Links": {"PayWithPrePay": "https://example.com/api/orders/76423942/paywithprepay"},
            "TotalPrice": 7.38,
            "TotalVat": 1.23,
            "TotalPriceExVat": 6.15,
            "Hash": "hXJHm9/gsMM8QkLhu7z/QbRc+IdhzpLXx86f1te9p0o=",
            "OrderlineIdMap": [
                {
                    "Hash": "9DXy5SLf6adMMqpZUljifjp92AfLwJuXaK+KYHCw9JA=",
                    "OrderLineId": 115030194,
                    "ItemId": mapping.item_id(order.reference),
                }
            ],
            "TotalDiscount": 0,
        }
    )
    placed = mapping.carrier_order_from_created(
        created, order, mapping.Placement("yodel-xpress", Decimal("7.20"))
    )
    assert placed.carrier_order_id == "76423942"
    assert placed.reference == order.reference
    assert placed.carrier_shipment_ref == "115030194"
    assert placed.tracking_number == "P2G115030194"
    assert placed.carrier_data == {
        "hash": "hXJHm9/gsMM8QkLhu7z/QbRc+IdhzpLXx86f1te9p0o=",
        "line_hash": "9DXy5SLf6adMMqpZUljifjp92AfLwJuXaK+KYHCw9JA=",
        "quoted_price": "7.20",
    }
    assert (placed.service_code, placed.price, placed.currency) == (
        "yodel-xpress",
        Decimal("7.38"),
        "GBP",
    )
    assert placed.paid_at is None


def test_a_create_answer_without_ids_cannot_be_read() -> None:
    with pytest.raises(ValueError, match="OrderId"):
        mapping.carrier_order_from_created(
            wire.CreateOrderResponse(), make_order(), mapping.Placement("s", None)
        )


def test_a_read_order_tells_when_it_was_paid_and_keeps_what_the_read_lacks() -> None:
    order = make_order()
    placed = mapping.carrier_order_from_created(
        wire.CreateOrderResponse.model_validate(
            {
                "OrderId": 1,
                "Hash": "h",
                "TotalPrice": 5,
                "OrderlineIdMap": [{"OrderLineId": 2, "Hash": "lh"}],
            }
        ),
        order,
        mapping.Placement("svc", Decimal("5")),
    )
    read = wire.OrderRead.model_validate(
        {
            "OrderId": 1,
            "Hash": "h",
            "PaidDate": "2026-03-02T10:00:00",
            "TotalPrice": 5.4,
            "Items": [
                {"Id": "x", "Reference": order.reference, "OrderLineId": 2, "Service": "svc"}
            ],
            "Links": [{"Name": "labels-a4", "Link": "https://x/a4.pdf"}],
        }
    )
    again = mapping.carrier_order_from_read(read, known=placed)
    assert again.paid_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert again.price == Decimal("5.4")
    assert again.carrier_data == {"hash": "h", "line_hash": "lh", "quoted_price": "5"}
    assert (again.reference, again.carrier_shipment_ref) == (order.reference, "2")
    assert read.links == {"labels-a4": "https://x/a4.pdf"}


# --- tracking -------------------------------------------------------------------------------


def test_tracking_results_come_oldest_first_with_our_stages() -> None:
    answer = wire.TrackingResponse.model_validate(
        {
            "OrderLineId": 115030194,
            "Results": [
                {"Timestamp": "2026-03-04T09:00:00", "Stage": "Delivered", "StatusCode": "D"},
                {"Timestamp": "2026-03-03T09:00:00", "Stage": "Wibble"},
                {"Timestamp": "2026-03-02T18:00:00", "Stage": "AtDepot", "Location": "Leeds"},
                {"Timestamp": "2026-03-02T12:00:00", "Stage": "DroppedOff"},
            ],
        }
    )
    events = mapping.tracking_events(answer, "115030194")
    assert [e.stage for e in events] == [
        TrackingStage.DROPPED_OFF,
        TrackingStage.AT_DEPOT,
        TrackingStage.DELIVERED,
    ]
    assert events[1].location == "Leeds"
    assert events[2].carrier_code == "D"
    assert all(e.carrier_shipment_ref == "115030194" for e in events)
    assert events[0].occurred_at.tzinfo is not None


@pytest.mark.parametrize(
    ("name", "stage"),
    [
        ("Booked", TrackingStage.LABEL_CREATED),
        ("DroppedOff", TrackingStage.DROPPED_OFF),
        ("Collected", TrackingStage.COLLECTED),
        ("InTransit", TrackingStage.IN_TRANSIT),
        ("AtDepot", TrackingStage.AT_DEPOT),
        ("DeliveryScheduled", TrackingStage.OUT_FOR_DELIVERY),
        ("Delivered", TrackingStage.DELIVERED),
        ("MajorError", TrackingStage.EXCEPTION),
        ("in_transit", TrackingStage.IN_TRANSIT),
    ],
)
def test_every_seed_stage_maps(name: str, stage: TrackingStage) -> None:
    assert stage_of(name) is stage


def test_stages_prove_shipment_moves_only_once_the_parcel_moved() -> None:
    assert shipment_status(TrackingStage.LABEL_CREATED) is None
    assert shipment_status(TrackingStage.EXCEPTION) is None
    assert shipment_status(TrackingStage.IN_TRANSIT) is ShipmentStatus.DESPATCHED
    assert shipment_status(TrackingStage.DELIVERED) is ShipmentStatus.DELIVERED
