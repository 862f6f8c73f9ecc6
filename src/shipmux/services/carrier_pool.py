"""Connectors per carrier account, built on first use and rebuilt when the account changes."""

from __future__ import annotations

from datetime import datetime

import httpx

from shipmux import carriers
from shipmux.carriers.base import Carrier
from shipmux.services.accounts import load_settings
from shipmux.storage.secret_box import SecretBox
from shipmux.storage.tables import CarrierAccountRow

__all__ = ["CarrierPool"]


class CarrierPool:
    """One connector (and so one HTTP client and one rate limiter) per account per process."""

    def __init__(self, box: SecretBox, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._box = box
        self._transport = transport
        self._limiters = carriers.LimiterPool()
        self._connectors: dict[str, tuple[datetime, Carrier]] = {}

    def get(self, account: CarrierAccountRow) -> Carrier:
        cached = self._connectors.get(account.id)
        if cached is not None and cached[0] == account.updated_at:
            return cached[1]
        settings = load_settings(self._box, account)
        connector = carriers.build_carrier(
            account.carrier,
            settings,
            limiter=self._limiters.get(account.id, settings.rate_limit_per_second),
            transport=self._transport,
        )
        self._connectors[account.id] = (account.updated_at, connector)
        return connector

    async def aclose(self) -> None:
        for _, connector in self._connectors.values():
            await connector.aclose()
        self._connectors.clear()
