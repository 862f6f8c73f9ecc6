"""Connectors per carrier account, built on first use and rebuilt when the account changes."""

from __future__ import annotations

import asyncio
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
        # Connectors hold asyncio locks and connection pools, which belong to one event
        # loop: the API's and a worker's loop (one process in tests) each get their own.
        key = f"{account.id}@{_loop_id()}"
        cached = self._connectors.get(key)
        if cached is not None and cached[0] == account.updated_at:
            return cached[1]
        settings = load_settings(self._box, account)
        connector = carriers.build_carrier(
            account.carrier,
            settings,
            limiter=self._limiters.get(key, settings.rate_limit_per_second),
            transport=self._transport,
        )
        self._connectors[key] = (account.updated_at, connector)
        return connector

    async def aclose(self) -> None:
        for _, connector in self._connectors.values():
            await connector.aclose()
        self._connectors.clear()


def _loop_id() -> int:
    try:
        return id(asyncio.get_running_loop())
    except RuntimeError:
        return 0
