"""``GET /countries``, ``GET /services`` and ``POST /quotes`` (research §3.1, §3.4, §3.5)."""

from __future__ import annotations

import httpx

from tests.sandboxes.parcel2go.factories import quote_body

SEED_SUBDIVISIONS = {"BQ-BO", "ES-CN", "GB-CI", "BQ-SE", "GR-M", "ES-IB", "ES-IBIZA",
                     "ES-MAJORCA", "ES-MENORCA", "NIR", "HIGH", "PT-20", "ES-CE", "ES-ML",
                     "ES-TF", "ES-GC", "ES-LZ", "ES-FU", "ES-LP", "ES-LG", "ES-EH", "PT-30",
                     "IT-SI", "IT-SA", "IOM", "FR-COR", "SH-HL", "SH-AC", "SH-TA"}  # fmt: skip


def quotes(api: httpx.Client, body: dict[str, object]) -> dict[str, dict[str, object]]:
    response = api.post("/quotes", json=body)
    assert response.status_code == 200, response.text
    return {quote["Service"]["Slug"]: quote for quote in response.json()["Quotes"]}


def test_countries_is_a_bare_array_with_the_seeds_subdivisions(api: httpx.Client) -> None:
    rows = api.get("/countries").json()
    assert isinstance(rows, list)
    assert {row["Subdivision"] for row in rows if row["Subdivision"]} == SEED_SUBDIVISIONS
    for row in rows:
        assert set(row) == {"Name", "Iso3Code", "Iso2Code", "RequiresCustoms", "Subdivision",
                            "PostcodeRegex"}  # fmt: skip
    northern_ireland = next(row for row in rows if row["Subdivision"] == "NIR")
    assert northern_ireland["Iso3Code"] == "GBR"
    assert northern_ireland["RequiresCustoms"] is False
    usa = next(row for row in rows if row["Iso3Code"] == "USA")
    assert usa["RequiresCustoms"] is True
    assert usa["Subdivision"] is None


def test_services_lists_service_objects(api: httpx.Client) -> None:
    services = {service["Slug"]: service for service in api.get("/services").json()}
    assert len(services) >= 6
    assert services["myhermes-parcelshop"]["CollectionType"] == "Shop"
    assert services["myhermes-parcelshop"]["CourierSlug"] == "myhermes"
    assert services["dpd-next-day"]["CollectionType"] == "Collection"
    assert services["yodel-northern-ireland"]["MaxLength"] == 1.2  # metres


def test_quote_has_the_full_shape_and_prices_vat(api: httpx.Client) -> None:
    quote = quotes(api, quote_body())["dpd-next-day"]
    for key in ("AvailableExtras", "Extras", "Service", "TotalPrice", "TotalPriceExVat",
                "TotalVat", "VatRate", "Collection", "CutOff", "EstimatedDeliveryDate",
                "RequiresCustoms", "Discount", "IncludedCover"):  # fmt: skip
        assert key in quote
    service = quote["Service"]
    assert isinstance(service, dict)
    for key in ("Slug", "Name", "CourierName", "CourierSlug", "CollectionType", "DeliveryType",
                "MaxWeight", "MaxLength", "Classification"):  # fmt: skip
        assert key in service
    assert quote["VatRate"] == 20
    assert quote["TotalPriceExVat"] == 6.15
    assert quote["TotalVat"] == 1.23
    assert quote["TotalPrice"] == 7.38  # the seed's create example
    assert quote["RequiresCustoms"] is False
    assert quote["Extras"] == []


def test_requested_extras_are_priced_and_leave_available_extras(api: httpx.Client) -> None:
    body = quote_body(Weight=1) | {"Extras": [{"type": "Sms"}]}  # lower case binds too
    quote = quotes(api, body)["myhermes-parcelshop"]
    assert quote["Extras"] == [{"Amount": 0.3, "Type": "Sms"}]
    assert quote["TotalPriceExVat"] == 2.89  # the seed: 2.59 + 0.30 Sms
    assert quote["TotalPrice"] == 3.47
    available = {extra["Type"]: extra for extra in quote["AvailableExtras"]}  # type: ignore[union-attr]
    assert "Sms" not in available
    assert available["Cover"] == {"Type": "Cover", "Price": 7.5, "Vat": 1.5, "Total": 9,
                                  "Details": None}  # fmt: skip
    assert available["ExtendedBaseCover"]["Details"]["IncludedCover"] == "20.00"


def test_subdivision_costs_more_than_the_mainland(api: httpx.Client) -> None:
    mainland = quotes(api, quote_body())
    northern_ireland = quotes(api, quote_body(subdivision="NIR"))
    assert northern_ireland["dpd-next-day"]["TotalPrice"] > mainland["dpd-next-day"]["TotalPrice"]  # type: ignore[operator]
    assert "yodel-northern-ireland" in northern_ireland
    assert "yodel-northern-ireland" not in mainland


def test_international_quote_requires_customs(api: httpx.Client) -> None:
    found = quotes(api, quote_body("USA"))
    assert set(found) == {"parcelforce-global-priority"}
    assert found["parcelforce-global-priority"]["RequiresCustoms"] is True
    canaries = quotes(api, quote_body("ESP", subdivision="ES-TF"))
    spain = quotes(api, quote_body("ESP"))
    assert canaries["dpd-classic-europe"]["TotalPrice"] > spain["dpd-classic-europe"]["TotalPrice"]  # type: ignore[operator]


def test_parcels_beyond_a_services_limits_are_excluded(api: httpx.Client) -> None:
    heavy = quotes(api, quote_body(Weight=20))
    assert "myhermes-parcelshop" not in heavy  # 15 kg limit
    assert "dpd-next-day" in heavy
    long_parcel = quotes(api, quote_body(Length=110, Weight=1))
    assert "dpd-next-day" not in long_parcel  # MaxLength 1.0 m
    assert "myhermes-parcelshop" in long_parcel


def test_service_filter(api: httpx.Client) -> None:
    body = quote_body() | {"Service": "myhermes-collection"}
    assert set(quotes(api, body)) == {"myhermes-collection"}


def test_quote_without_countries_is_invalid(api: httpx.Client) -> None:
    response = api.post("/quotes", json={"Parcels": [{"Weight": 1}]})
    assert response.status_code == 400
    assert response.json()["Message"] == "The request is invalid."
