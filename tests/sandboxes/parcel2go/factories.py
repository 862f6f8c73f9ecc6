"""Request bodies shaped like the seed's examples."""

from __future__ import annotations

import copy
from typing import Any

import httpx

COLLECTION_ADDRESS: dict[str, Any] = {
    "ContactName": "John Doe",
    "Email": "j.doe@example.com",
    "Phone": "07587569852",
    "Property": "1",
    "Street": "Raleigh Street",
    "Town": "Scarborough",
    "County": "North Yorkshire",
    "Postcode": "YO12 7JZ",
    "CountryIsoCode": "GBR",
}

UK_DELIVERY: dict[str, Any] = {
    "ContactName": "Test",
    "Email": "test@example.com",
    "Property": "11",
    "Street": "Saville St",
    "Town": "Malton",
    "County": "North Yorkshire",
    "Postcode": "YO17 7LL",
    "CountryIsoCode": "GBR",
}

US_DELIVERY: dict[str, Any] = {
    "ContactName": "Gary Wilson",
    "Phone": "+4477777777777",
    "Property": "1",
    "Street": "S Brooklyn View Ln",
    "Town": "South Jordan",
    "County": "UTah",
    "Postcode": "84095",
    "CountryIsoCode": "USA",
}

ITEM_ID = "c1361416-53ca-4d67-974a-60f5335cdaf1"


def order_body(
    service: str = "dpd-next-day",
    *,
    delivery: dict[str, Any] | None = None,
    upsells: tuple[str, ...] = (),
    weight: float = 1,
    reference: str | None = "SHIPMUX-1",
    customs: bool = False,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Id": ITEM_ID,
        "CollectionDate": "2021-12-13T14:22:14.2108186+00:00",
        "Service": service,
        "Upsells": [{"Type": kind} for kind in upsells],
        "Parcels": [
            {
                "Id": "00000000-0000-0000-0000-000000000000",
                "Height": 10,
                "Length": 10,
                "Width": 10,
                "EstimatedValue": 10,
                "Weight": weight,
                "DeliveryAddress": copy.deepcopy(delivery or UK_DELIVERY),
                "ContentsSummary": "Slippers",
            }
        ],
        "CollectionAddress": copy.deepcopy(COLLECTION_ADDRESS),
    }
    if reference is not None:
        item["Reference"] = reference
    if customs:
        item.update({"OriginCountry": "GBR", "ExportReason": "Sale", "VatStatus": "Individual"})
        item["Parcels"][0]["Contents"] = [
            {"Description": "Slippers", "Quantity": "1", "EstimatedValue": "10"}
        ]
    return {
        "Items": [item],
        "CustomerDetails": {"Email": "jj@example.com", "Forename": "Joe", "Surname": "Joggs"},
    }


def create_order(api: httpx.Client, **kwargs: Any) -> dict[str, Any]:
    response = api.post("/orders", json=order_body(**kwargs))
    assert response.status_code == 200, response.text
    return dict(response.json())


def pay(api: httpx.Client, order: dict[str, Any]) -> httpx.Response:
    return api.post(f"/orders/{order['OrderId']}/paywithprepay", params={"hash": order["Hash"]})


def paid_order(api: httpx.Client, **kwargs: Any) -> dict[str, Any]:
    order = create_order(api, **kwargs)
    response = pay(api, order)
    assert response.status_code == 200, response.text
    return order


def quote_body(
    delivery_country: str = "GBR", subdivision: str | None = None, **parcel: Any
) -> dict[str, Any]:
    delivery: dict[str, Any] = {"Country": delivery_country}
    if subdivision:
        delivery["Subdivision"] = subdivision
    return {
        "CollectionAddress": {"Country": "GBR"},
        "DeliveryAddress": delivery,
        "Parcels": [{"Value": 150, "Weight": 2, "Length": 9, "Width": 8, "Height": 10, **parcel}],
    }
