"""Quotes over HTTP: the board, cheapest first, and the accounts that gave no rate."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from shipmux.carriers.base import RateExtra
from shipmux.services.quotes import QuoteBoard, QuoteEntry, QuoteFailure

__all__ = ["ExtraOut", "QuoteBoardOut", "QuoteFailureOut", "QuoteOut"]


class ExtraOut(BaseModel):
    kind: str = Field(examples=["Signature"])
    price: Decimal = Field(description="With VAT; 0 when included in a card's price")
    price_ex_vat: Decimal

    @classmethod
    def of(cls, extra: RateExtra) -> ExtraOut:
        return cls(kind=extra.kind, price=extra.price, price_ex_vat=extra.price_ex_vat)


class QuoteOut(BaseModel):
    account_id: str
    account_name: str
    carrier: str
    source: str = Field(description="carrier (its quote API) | rate_card")
    service_code: str
    service_name: str
    courier: str
    price: Decimal = Field(description="With VAT")
    price_ex_vat: Decimal
    currency: str
    collection: str = Field(description="collection | drop_off")
    estimated_delivery: date | None
    extras_included: list[ExtraOut]
    extras_available: list[ExtraOut]

    @classmethod
    def of(cls, entry: QuoteEntry) -> QuoteOut:
        rate = entry.rate
        return cls(
            account_id=entry.account_id,
            account_name=entry.account_name,
            carrier=entry.carrier,
            source=entry.source,
            service_code=rate.service_code,
            service_name=rate.service_name,
            courier=rate.courier,
            price=rate.price,
            price_ex_vat=rate.price_ex_vat,
            currency=rate.currency,
            collection=rate.collection,
            estimated_delivery=rate.estimated_delivery,
            extras_included=[ExtraOut.of(e) for e in rate.extras],
            extras_available=[ExtraOut.of(e) for e in rate.available_extras],
        )


class QuoteFailureOut(BaseModel):
    account_id: str
    account_name: str
    carrier: str
    code: str = Field(
        description="timeout | carrier_error | unavailable | no_rates | no_rate_card | paused"
        " | error"
    )
    reason: str

    @classmethod
    def of(cls, failure: QuoteFailure) -> QuoteFailureOut:
        return cls(
            account_id=failure.account_id,
            account_name=failure.account_name,
            carrier=failure.carrier,
            code=failure.code,
            reason=failure.reason,
        )


class QuoteBoardOut(BaseModel):
    quoted_at: datetime
    quotes: list[QuoteOut] = Field(description="Cheapest first (price with VAT)")
    failures: list[QuoteFailureOut] = Field(description="Accounts that gave no rate, and why")

    @classmethod
    def of(cls, board: QuoteBoard) -> QuoteBoardOut:
        return cls(
            quoted_at=board.quoted_at,
            quotes=[QuoteOut.of(e) for e in board.entries],
            failures=[QuoteFailureOut.of(f) for f in board.failures],
        )
