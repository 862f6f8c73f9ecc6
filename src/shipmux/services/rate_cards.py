"""Rate cards stored per carrier account: replaced whole, read whole, always by tenant."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from shipmux.domain.rate_cards import RateCardLine
from shipmux.services.accounts import get_account_row
from shipmux.storage.db import Database
from shipmux.storage.tables import RateCardRow

__all__ = ["cards_of", "read_rate_card", "replace_rate_card", "require_account"]


def _line(row: RateCardRow) -> RateCardLine:
    # Prices are stored as floats (the table's type); two places bring back what was sent.
    return RateCardLine(
        service_code=row.service_code,
        service_name=row.service_name,
        destinations=tuple(row.destinations.split()),
        max_weight_grams=row.max_weight_grams,
        price=Decimal(str(row.price)).quantize(Decimal("0.01")),
        price_ex_vat=Decimal(str(row.price_ex_vat)).quantize(Decimal("0.01")),
        currency=row.currency,
        collection="collection" if row.collection == "collection" else "drop_off",
        transit_days=row.transit_days,
        extras=tuple(row.extras.split()),
    )


def _values(tenant_id: str, account_id: str, line: RateCardLine) -> dict[str, object]:
    return {
        "tenant_id": tenant_id,
        "carrier_account_id": account_id,
        "service_code": line.service_code,
        "service_name": line.service_name,
        "destinations": " ".join(line.destinations),
        "max_weight_grams": line.max_weight_grams,
        "price": float(line.price),
        "price_ex_vat": float(line.price_ex_vat),
        "currency": line.currency,
        "transit_days": line.transit_days,
        "collection": line.collection,
        "extras": " ".join(line.extras),
    }


def replace_rate_card(
    db: Database, tenant_id: str, account_id: str, lines: Sequence[RateCardLine]
) -> list[RateCardLine]:
    """Make ``lines`` the account's whole card in one transaction (empty: no card).

    Raises ``NotFound`` when the account is not the tenant's.
    """
    with db.transaction() as session:
        get_account_row(session, tenant_id, account_id)
        session.execute(
            delete(RateCardRow).where(
                RateCardRow.tenant_id == tenant_id, RateCardRow.carrier_account_id == account_id
            )
        )
        if lines:
            session.execute(
                insert(RateCardRow), [_values(tenant_id, account_id, line) for line in lines]
            )
    return list(lines)


def require_account(db: Database, tenant_id: str, account_id: str) -> None:
    """Raise ``NotFound`` unless the tenant has this account (before parsing a big card)."""
    with db.reading() as session:
        get_account_row(session, tenant_id, account_id)


def read_rate_card(db: Database, tenant_id: str, account_id: str) -> list[RateCardLine]:
    """The account's card in upload order; raises ``NotFound`` for another tenant's account."""
    with db.reading() as session:
        get_account_row(session, tenant_id, account_id)
        return cards_of(session, tenant_id, [account_id]).get(account_id, [])


def cards_of(
    session: Session, tenant_id: str, account_ids: Collection[str]
) -> dict[str, list[RateCardLine]]:
    """The cards of some of the tenant's accounts, by account id (accounts without none)."""
    if not account_ids:
        return {}
    rows = session.scalars(
        select(RateCardRow)
        .where(
            RateCardRow.tenant_id == tenant_id,
            RateCardRow.carrier_account_id.in_(list(account_ids)),
        )
        .order_by(RateCardRow.id)
    )
    cards: dict[str, list[RateCardLine]] = {}
    for row in rows:
        cards.setdefault(row.carrier_account_id, []).append(_line(row))
    return cards
