"""Rate cards over HTTP as JSON (the CSV has the same columns; see domain.rate_cards)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from shipmux.domain.rate_cards import RateCardLine

__all__ = ["RateCardOut", "RateCardRowIn", "RateCardRowOut"]


class RateCardRowOut(BaseModel):
    service_code: str = Field(examples=["TPN24"])
    service_name: str = Field(examples=["Royal Mail Tracked 24"])
    destinations: list[str] = Field(examples=[["GB"]], description='ISO-2 codes, or ["*"]')
    max_weight_grams: int = Field(examples=[2000], description="Of the whole order")
    price: Decimal = Field(examples=["4.45"], description="With VAT")
    price_ex_vat: Decimal = Field(examples=["3.71"])
    currency: str = Field(examples=["GBP"])
    transit_days: int | None = Field(examples=[1], description="Working days; null: unknown")
    collection: str = Field(examples=["drop_off"], description="drop_off | collection")
    extras: list[str] = Field(examples=[["Signature"]], description="Included in the price")

    @classmethod
    def from_line(cls, line: RateCardLine) -> RateCardRowOut:
        return cls(
            service_code=line.service_code,
            service_name=line.service_name,
            destinations=list(line.destinations),
            max_weight_grams=line.max_weight_grams,
            price=line.price,
            price_ex_vat=line.price_ex_vat,
            currency=line.currency,
            transit_days=line.transit_days,
            collection=line.collection,
            extras=list(line.extras),
        )


class RateCardRowIn(BaseModel):
    """One line; lists may also be given as space-separated text, as in the CSV."""

    service_code: str
    service_name: str
    destinations: list[str] | str
    max_weight_grams: int
    price: Decimal
    price_ex_vat: Decimal
    currency: str
    transit_days: int | None = None
    collection: str
    extras: list[str] | str = ""


class RateCardOut(BaseModel):
    account_id: str
    count: int
    rows: list[RateCardRowOut]

    @classmethod
    def of(cls, account_id: str, lines: list[RateCardLine]) -> RateCardOut:
        return cls(
            account_id=account_id,
            count=len(lines),
            rows=[RateCardRowOut.from_line(line) for line in lines],
        )
