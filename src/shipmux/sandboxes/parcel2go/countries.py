"""The countries the sandbox ships to, with the seed's subdivision rows.

``GET /countries`` answers one row per country (``Subdivision: null``) plus one row per
separately priced region, using the seed's own codes ("Country Subdivisions"). Whether
customs apply follows ADR 0006 §12 (another ISO-3 country than the sender's GBR), so a
country's ``RequiresCustoms`` agrees with what ``POST /orders`` enforces.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

HOME_COUNTRY = "GBR"


class Zone(StrEnum):
    DOMESTIC = "domestic"
    EUROPE = "europe"
    WORLD = "world"


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    iso3: str
    iso2: str
    zone: Zone
    postcode_regex: str = "^.*$"


@dataclass(frozen=True, slots=True)
class Subdivision:
    code: str
    name: str
    iso3: str
    # Ex-VAT surcharge per parcel over the country's mainland price.
    surcharge: str


COUNTRIES: tuple[Country, ...] = (
    Country("United Kingdom", "GBR", "GB", Zone.DOMESTIC,
            r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"),
    Country("Ireland", "IRL", "IE", Zone.EUROPE),
    Country("France", "FRA", "FR", Zone.EUROPE, r"^[0-9]{5}$"),
    Country("Germany", "DEU", "DE", Zone.EUROPE, r"^[0-9]{5}$"),
    Country("Spain", "ESP", "ES", Zone.EUROPE, r"^[0-9]{5}$"),
    Country("Italy", "ITA", "IT", Zone.EUROPE, r"^[0-9]{5}$"),
    Country("Portugal", "PRT", "PT", Zone.EUROPE, r"^[0-9]{4}-?[0-9]{3}$"),
    Country("Netherlands", "NLD", "NL", Zone.EUROPE, r"^[0-9]{4} ?[A-Za-z]{2}$"),
    Country("Belgium", "BEL", "BE", Zone.EUROPE, r"^[0-9]{4}$"),
    Country("Greece", "GRC", "GR", Zone.EUROPE, r"^[0-9]{3} ?[0-9]{2}$"),
    Country("Caribbean Netherlands", "BES", "BQ", Zone.WORLD),
    Country("Saint Helena, Ascension and Tristan da Cunha", "SHN", "SH", Zone.WORLD),
    Country("United States", "USA", "US", Zone.WORLD, r"^[0-9]{5}(-[0-9]{4})?$"),
    Country("Canada", "CAN", "CA", Zone.WORLD),
    Country("Australia", "AUS", "AU", Zone.WORLD, r"^[0-9]{4}$"),
)  # fmt: skip

# The seed's table, in its order. Surcharges are the sandbox's own (ex VAT, per parcel).
SUBDIVISIONS: tuple[Subdivision, ...] = (
    Subdivision("BQ-BO", "Bonaire", "BES", "6.00"),
    Subdivision("ES-CN", "Canary Islands", "ESP", "18.00"),
    Subdivision("GB-CI", "Channel Islands", "GBR", "7.50"),
    Subdivision("BQ-SE", "St. Eustatius", "BES", "8.00"),
    Subdivision("GR-M", "Crete", "GRC", "6.00"),
    Subdivision("ES-IB", "Balearic Islands", "ESP", "9.00"),
    Subdivision("ES-IBIZA", "Ibiza", "ESP", "9.00"),
    Subdivision("ES-MAJORCA", "Majorca", "ESP", "9.00"),
    Subdivision("ES-MENORCA", "Menorca", "ESP", "9.00"),
    Subdivision("NIR", "Northern Ireland", "GBR", "5.00"),
    Subdivision("HIGH", "Scottish Highlands and Islands", "GBR", "6.50"),
    Subdivision("PT-20", "Azores", "PRT", "12.00"),
    Subdivision("ES-CE", "Ceuta", "ESP", "15.00"),
    Subdivision("ES-ML", "Melilla", "ESP", "15.00"),
    Subdivision("ES-TF", "Tenerife", "ESP", "18.00"),
    Subdivision("ES-GC", "Gran Canaria", "ESP", "18.00"),
    Subdivision("ES-LZ", "Lanzarote", "ESP", "18.00"),
    Subdivision("ES-FU", "Fuerteventura", "ESP", "18.00"),
    Subdivision("ES-LP", "La Palma", "ESP", "18.00"),
    Subdivision("ES-LG", "La Gomera", "ESP", "18.00"),
    Subdivision("ES-EH", "El Hierro", "ESP", "18.00"),
    Subdivision("PT-30", "Madeira", "PRT", "12.00"),
    Subdivision("IT-SI", "Sicily", "ITA", "5.00"),
    Subdivision("IT-SA", "Sardinia", "ITA", "5.00"),
    Subdivision("IOM", "Isle of Man", "GBR", "6.00"),
    Subdivision("FR-COR", "Corsica", "FRA", "6.00"),
    Subdivision("SH-HL", "Saint Helena", "SHN", "20.00"),
    Subdivision("SH-AC", "Ascension", "SHN", "20.00"),
    Subdivision("SH-TA", "Tristan da Cunha", "SHN", "25.00"),
)

_BY_ISO3 = {country.iso3: country for country in COUNTRIES}
_BY_ISO2 = {country.iso2: country for country in COUNTRIES}
_SUBDIVISIONS = {subdivision.code: subdivision for subdivision in SUBDIVISIONS}


def find_country(code: str | None) -> Country | None:
    """A country by ISO-3 (the API's form) or, leniently, ISO-2; any case."""
    if not code:
        return None
    wanted = code.strip().upper()
    return _BY_ISO3.get(wanted) or _BY_ISO2.get(wanted)


def find_subdivision(country: Country, code: str | None) -> Subdivision | None:
    """The subdivision ``code`` of ``country``; unknown or foreign codes price as mainland.

    Research §5.4: a missing ``Subdivision`` makes Parcel2Go quote the mainland price.
    """
    if not code:
        return None
    subdivision = _SUBDIVISIONS.get(code.strip().upper())
    if subdivision is None or subdivision.iso3 != country.iso3:
        return None
    return subdivision


def requires_customs(collection_iso3: str, delivery_iso3: str) -> bool:
    """ADR 0006 §12: international when the delivery country is not the collection country."""
    return collection_iso3 != delivery_iso3


def country_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for country in COUNTRIES:
        rows.append(_row(country, country.name, None))
        for subdivision in SUBDIVISIONS:
            if subdivision.iso3 == country.iso3:
                rows.append(_row(country, subdivision.name, subdivision.code))
    return rows


def _row(country: Country, name: str, subdivision: str | None) -> dict[str, object]:
    return {
        "Name": name,
        "Iso3Code": country.iso3,
        "Iso2Code": country.iso2,
        "RequiresCustoms": requires_customs(HOME_COUNTRY, country.iso3),
        "Subdivision": subdivision,
        # Research §3.4: regions carry only a format check (``^.*$`` for NI and Madeira).
        "PostcodeRegex": country.postcode_regex if subdivision is None else "^.*$",
    }
