"""The carrier registry: slug -> connector factory, and how a connector is built.

Adding a carrier means adding its package and one ``CarrierEntry`` below;
nothing else in the hub names a carrier.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from shipmux.carriers.base import Carrier, CarrierWebhook, WebhookRequest
from shipmux.carriers.http import CallPacer, CarrierHttp, RateLimiter, Redactor
from shipmux.carriers.settings import CarrierAccountSettings

__all__ = [
    "CarrierEntry",
    "LimiterPool",
    "available_carriers",
    "build_carrier",
    "parse_settings",
    "registry",
]


@dataclass(frozen=True, slots=True)
class CarrierEntry:
    slug: str
    title: str
    settings_model: type[CarrierAccountSettings]
    factory: Callable[[Any, CarrierHttp], Carrier]
    connector: type[Carrier]
    # Checks and reads one pushed webhook: (request, account settings, now) -> what it says.
    # Raises ``WebhookRejected``. None: the carrier pushes nothing.
    read_webhook: Callable[[WebhookRequest, Any, datetime], CarrierWebhook] | None = None
    # A second delivery of an event id: refused (409, Parcel2Go: the seed asks replays to
    # be refused) or answered 200 with nothing changed (carriers that resend by design).
    refuse_replays: bool = True
    # Tells the carrier where to push (for carriers with an API for it): (connector, our
    # URL) -> settings to store on the account (e.g. the key the carrier will send).
    register_webhook: Callable[[Any, str], Awaitable[dict[str, str]]] | None = None


class LimiterPool:
    """One call pacer per carrier account, shared by every task that calls for it.

    ``pacer`` makes one for (account id, calls per second): this process's own
    ``RateLimiter`` by default; the hub's composition root gives one that shares the
    pace with every other process (``storage.rate_slots``).
    """

    def __init__(self, pacer: Callable[[str, float], CallPacer] | None = None) -> None:
        self._pacer = pacer or (lambda _key, rate: RateLimiter(rate))
        self._limiters: dict[str, CallPacer] = {}

    def get(self, key: str, rate: float) -> CallPacer:
        limiter = self._limiters.get(key)
        if limiter is None or limiter.rate != rate:
            limiter = self._limiters[key] = self._pacer(key, rate)
        return limiter


def _entries() -> dict[str, CarrierEntry]:
    # Imported here so that importing shipmux.carriers.base never pulls in every connector.
    from shipmux.carriers import click_and_drop, clickpost, parcel2go, sendcloud
    from shipmux.carriers.clickpost import webhooks as clickpost_webhooks
    from shipmux.carriers.parcel2go import webhooks as parcel2go_webhooks
    from shipmux.carriers.sendcloud import webhooks as sendcloud_webhooks

    entries = [
        CarrierEntry(
            slug=click_and_drop.ClickAndDrop.slug,
            title="Royal Mail Click & Drop",
            settings_model=click_and_drop.ClickAndDropSettings,
            factory=click_and_drop.ClickAndDrop,
            connector=click_and_drop.ClickAndDrop,
        ),
        CarrierEntry(
            slug=parcel2go.Parcel2Go.slug,
            title="Parcel2Go",
            settings_model=parcel2go.Parcel2GoSettings,
            factory=parcel2go.Parcel2Go,
            connector=parcel2go.Parcel2Go,
            read_webhook=parcel2go_webhooks.read_webhook,
        ),
        CarrierEntry(
            slug=sendcloud.Sendcloud.slug,
            title="Sendcloud",
            settings_model=sendcloud.SendcloudSettings,
            factory=sendcloud.Sendcloud,
            connector=sendcloud.Sendcloud,
            read_webhook=sendcloud_webhooks.read_webhook,
            # Sendcloud resends by design (10 retries): a repeat is answered 200, no change.
            refuse_replays=False,
        ),
        CarrierEntry(
            slug=clickpost.Clickpost.slug,
            title="Clickpost",
            settings_model=clickpost.ClickpostSettings,
            factory=clickpost.Clickpost,
            connector=clickpost.Clickpost,
            read_webhook=clickpost_webhooks.read_webhook,
            register_webhook=clickpost_webhooks.register_webhook,
            # Clickpost sends each status up to 3 times: a repeat is answered 200, no change.
            refuse_replays=False,
        ),
    ]
    return {e.slug: e for e in entries}


@functools.cache
def registry() -> Mapping[str, CarrierEntry]:
    """Every registered carrier by slug."""
    return _entries()


def available_carriers() -> list[str]:
    return sorted(registry())


def parse_settings(slug: str, raw: Mapping[str, Any]) -> CarrierAccountSettings:
    """Validate an account's settings against its carrier's model (raises pydantic errors)."""
    return registry()[slug].settings_model.model_validate(dict(raw))


def build_carrier(
    slug: str,
    settings: CarrierAccountSettings,
    *,
    limiter: CallPacer | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Carrier:
    """A connector for one account: its own client, the shared limiter, secrets redacted."""
    entry = registry()[slug]
    timeout = httpx.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds)
    client = httpx.AsyncClient(
        base_url=settings.base_url,
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=50),
    )
    http = CarrierHttp(
        carrier=slug,
        client=client,
        limiter=limiter or RateLimiter(settings.rate_limit_per_second),
        redactor=Redactor(settings.secret_values()),
    )
    return entry.factory(settings, http)
