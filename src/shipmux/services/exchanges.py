"""Storing carrier exchanges: which to keep, and one statement for many."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shipmux.carriers.http import Exchange
from shipmux.storage.tables import ExchangeRow

__all__ = ["exchange_values", "is_kept", "store_exchanges"]


def is_kept(exchange: Exchange, keep_successful: bool) -> bool:
    """Failures are always kept; successes only when the hub is set to keep them."""
    return keep_successful or exchange.error is not None or (exchange.status or 0) >= 400


def exchange_values(exchange: Exchange, tenant_id: str, account_id: str | None) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "carrier_account_id": account_id,
        "carrier": exchange.carrier,
        "operation": exchange.operation,
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": exchange.request_headers,
        "request_body": exchange.request_body,
        "status": exchange.status,
        "response_body": exchange.response_body,
        "error": exchange.error,
        "duration_ms": exchange.duration_ms,
        "started_at": exchange.started_at,
    }


def store_exchanges(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement; their new ids, in the order given."""
    if not rows:
        return []
    # sort_by_parameter_order: ids come back in the order of ``rows``.
    ids = session.scalars(
        insert(ExchangeRow).returning(ExchangeRow.id, sort_by_parameter_order=True), rows
    )
    return list(ids)
