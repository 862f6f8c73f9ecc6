"""The composition root: everything the hub runs on, built from settings, once per process."""

from __future__ import annotations

import httpx

from shipmux.config import Settings
from shipmux.services.call_pacing import SharedRateLimiter
from shipmux.services.carrier_pool import CarrierPool
from shipmux.services.context import HubContext
from shipmux.storage import migrate
from shipmux.storage.db import Database
from shipmux.storage.labels import LabelStore
from shipmux.storage.secret_box import SecretBox, load_or_create_key

__all__ = ["build_context", "migrate_database"]


def build_context(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> HubContext:
    """Wire the hub from ``settings``; ``transport`` lets a test route carriers in-process."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    key = (
        settings.secret_key.get_secret_value().encode()
        if settings.secret_key is not None
        else load_or_create_key(settings.data_dir / "secret.key")
    )
    box = SecretBox(key)
    return HubContext(
        settings=settings,
        db=db,
        secret_box=box,
        labels=LabelStore(settings.label_dir),
        # Each account's calls are paced across every process of the hub.
        carriers=CarrierPool(box, transport, lambda key, rate: SharedRateLimiter(db, key, rate)),
    )


def migrate_database(ctx: HubContext) -> None:
    migrate.upgrade(ctx.db.engine)
