"""Which Parcel2Go subdivision an address is in, from its country and postcode.

Parcel2Go prices some regions apart from their country's mainland (seed, "Country
Subdivisions": Northern Ireland, the Channel Islands, the Scottish Highlands and
Islands, the Canaries…). Without the ``Subdivision`` a quote comes back at the mainland
price (research §5.4: Tenerife £7.49 instead of £26.39), so we derive it. Parcel2Go's
``PostcodeRegex`` cannot tell the region (research §3.4): the postcode ranges below are
ours, from each postal service's public ranges [INF].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Region", "region_of"]


@dataclass(frozen=True, slots=True)
class Region:
    country: str  # ISO-3, as Parcel2Go's addresses want it
    subdivision: str | None = None


# Crown dependencies have their own ISO codes but are Parcel2Go subdivisions of GBR.
_CROWN = {"JE": Region("GBR", "GB-CI"), "GG": Region("GBR", "GB-CI"), "IM": Region("GBR", "IOM")}

# UK postcode districts priced as "Scottish Highlands and Islands" (area: district ranges).
_HIGHLANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "AB": ((30, 38), (44, 56)),
    "FK": ((17, 21),),
    "HS": ((1, 9),),
    "IV": ((1, 99),),
    "KA": ((27, 28),),
    "KW": ((1, 17),),
    "PA": ((20, 49), (60, 78)),
    "PH": ((4, 41), (49, 50)),
    "ZE": ((1, 3),),
}
_UK_DISTRICT = re.compile(r"^([A-Z]{1,2})(\d{1,2})[A-Z]?$")

# Other countries: (ISO-2, first digits of the postcode) -> (ISO-3, subdivision).
_BY_PREFIX: tuple[tuple[str, tuple[str, ...], Region], ...] = (
    ("ES", ("35", "38"), Region("ESP", "ES-CN")),  # Las Palmas, Santa Cruz de Tenerife
    ("ES", ("07",), Region("ESP", "ES-IB")),
    ("ES", ("51",), Region("ESP", "ES-CE")),
    ("ES", ("52",), Region("ESP", "ES-ML")),
    ("PT", ("90", "91", "92", "93"), Region("PRT", "PT-30")),  # Madeira 9000-9399
    ("PT", ("95", "96", "97", "98", "99"), Region("PRT", "PT-20")),  # Azores 9500-9999
    ("IT", ("90", "91", "92", "93", "94", "95", "96", "97", "98"), Region("ITA", "IT-SI")),
    ("IT", ("07", "08", "09"), Region("ITA", "IT-SA")),
    ("FR", ("20",), Region("FRA", "FR-COR")),
    ("GR", ("70", "71", "72", "73", "74"), Region("GRC", "GR-M")),  # Crete
)


def region_of(country: str, postcode: str | None, iso3: str) -> Region:
    """The ISO-3 country and subdivision Parcel2Go prices ``postcode`` in ``country``.

    ``iso3`` is the country's own ISO-3 code, used when no subdivision applies.
    """
    code = country.upper()
    if code in _CROWN:
        return _CROWN[code]
    compact = (postcode or "").replace(" ", "").upper()
    if code == "GB":
        return Region(iso3, _uk_subdivision(compact))
    for prefix_country, prefixes, region in _BY_PREFIX:
        if code == prefix_country and compact.startswith(prefixes):
            return region
    return Region(iso3)


def _uk_subdivision(postcode: str) -> str | None:
    if postcode.startswith("BT"):
        return "NIR"
    if postcode.startswith(("GY", "JE")):
        return "GB-CI"
    if postcode.startswith("IM"):
        return "IOM"
    # The inward code is always the last three characters: what precedes is the district.
    match = _UK_DISTRICT.match(postcode[:-3] if len(postcode) > 4 else postcode)
    if match is None:
        return None
    area, district = match.group(1), int(match.group(2))
    if any(low <= district <= high for low, high in _HIGHLANDS.get(area, ())):
        return "HIGH"
    return None
