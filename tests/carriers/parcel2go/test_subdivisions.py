"""Subdivisions from country and postcode: the regions Parcel2Go prices apart."""

from __future__ import annotations

import pytest

from shipmux.carriers.parcel2go.subdivisions import Region, region_of


@pytest.mark.parametrize(
    ("country", "postcode", "expected"),
    [
        ("GB", "BT1 5GS", Region("GBR", "NIR")),
        ("GB", "IV1 1AA", Region("GBR", "HIGH")),
        ("GB", "ZE1 0AA", Region("GBR", "HIGH")),
        ("GB", "PA20 9AA", Region("GBR", "HIGH")),
        ("GB", "PA19 1AA", Region("GBR", None)),  # Gourock: mainland
        ("GB", "PH3 1AA", Region("GBR", None)),  # Auchterarder: mainland
        ("GB", "GY1 1AA", Region("GBR", "GB-CI")),
        ("GB", "SW1A 2AA", Region("GBR", None)),
        ("GB", None, Region("GBR", None)),
        ("JE", "JE2 3AB", Region("GBR", "GB-CI")),
        ("IM", "IM1 1AA", Region("GBR", "IOM")),
        ("ES", "38001", Region("ESP", "ES-CN")),
        ("ES", "07001", Region("ESP", "ES-IB")),
        ("ES", "28001", Region("ESP", None)),
        ("PT", "9000-001", Region("PRT", "PT-30")),
        ("PT", "9500-001", Region("PRT", "PT-20")),
        ("PT", "1000-001", Region("PRT", None)),
        ("IT", "90100", Region("ITA", "IT-SI")),
        ("IT", "09100", Region("ITA", "IT-SA")),
        ("FR", "20000", Region("FRA", "FR-COR")),
        ("DE", "10115", Region("DEU", None)),
    ],
)
def test_region_of(country: str, postcode: str | None, expected: Region) -> None:
    iso3 = {"GB": "GBR", "ES": "ESP", "PT": "PRT", "IT": "ITA", "FR": "FRA", "DE": "DEU"}
    assert region_of(country, postcode, iso3.get(country, "XXX")) == expected
