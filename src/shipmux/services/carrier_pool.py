"""Connectors per carrier account, built on first use and rebuilt when the account changes."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from shipmux import carriers
from shipmux.carriers.base import Carrier
from shipmux.carriers.http import CallPacer
from shipmux.services.accounts import load_settings
from shipmux.storage.secret_box import SecretBox
from shipmux.storage.tables import CarrierAccountRow

__all__ = ["CarrierPool"]


@dataclass
class _LoopConnectors:
    connectors: dict[str, tuple[datetime, Carrier]] = field(default_factory=dict)
    limiters: carriers.LimiterPool = field(default_factory=carriers.LimiterPool)


class CarrierPool:
    """One connector (HTTP client, rate limiter) per account per event loop.

    Connectors hold asyncio locks and connection pools, which belong to the loop that
    made them. A process has one loop, but tests run the API's and a worker's loops
    side by side, and a closed loop's connectors must never serve a new one; entries
    go with their loop (a loop's id can be reused, the loop object cannot).
    """

    def __init__(
        self,
        box: SecretBox,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Callable[[str, float], CallPacer] | None = None,
    ) -> None:
        self._box = box
        self._transport = transport
        self._pacer = pacer  # makes each account's call pacer (default: this process's own)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnectors] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, account: CarrierAccountRow) -> Carrier:
        """The account's connector for the running loop (call it inside one)."""
        here = self._here()
        cached = here.connectors.get(account.id)
        if cached is not None and cached[0] == account.updated_at:
            return cached[1]
        settings = load_settings(self._box, account)
        connector = carriers.build_carrier(
            account.carrier,
            settings,
            limiter=here.limiters.get(account.id, settings.rate_limit_per_second),
            transport=self._transport,
        )
        here.connectors[account.id] = (account.updated_at, connector)
        return connector

    async def aclose(self) -> None:
        """Close the running loop's connectors (the only ones it may touch)."""
        here = self._loops.pop(asyncio.get_running_loop(), None)
        for _, connector in here.connectors.values() if here else ():
            await connector.aclose()

    def _here(self) -> _LoopConnectors:
        loop = asyncio.get_running_loop()
        here = self._loops.get(loop)
        if here is None:
            here = self._loops[loop] = _LoopConnectors(limiters=carriers.LimiterPool(self._pacer))
        return here
