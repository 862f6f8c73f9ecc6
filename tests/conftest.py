"""Shared fixtures: a fresh hub database per test, on SQLite or PostgreSQL.

The suite runs on SQLite by default. With ``SHIPMUX_TEST_POSTGRES_URL`` set (CI
sets it), every database fixture makes a throw-away PostgreSQL database instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import Settings, WorkerSettings
from shipmux.logs import configure_logging
from shipmux.services.context import HubContext

POSTGRES_URL = os.environ.get("SHIPMUX_TEST_POSTGRES_URL")

# Plain tracebacks: a failing test must not print frames' locals (keys, secrets).
configure_logging("INFO")


def _admin_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database for this test."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    name = f"shipmux_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = _admin_url(POSTGRES_URL).rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_settings(data_dir: Path, database_url: str, **worker: object) -> Settings:
    fast = {
        "backoff_base_seconds": 0.05,
        "backoff_cap_seconds": 0.5,
        "idle_sleep_seconds": 0.05,
        "breaker_cooldown_seconds": 0.5,
        **worker,
    }
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        worker=WorkerSettings.model_validate(fast),
        allow_private_webhook_urls=True,  # test merchants listen on 127.0.0.1
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def hub(tmp_path: Path, database_url: str) -> Iterator[HubContext]:
    """A migrated hub on a fresh database, with data in ``tmp_path``."""
    ctx = build_context(make_settings(tmp_path / "data", database_url))
    migrate_database(ctx)
    yield ctx
    ctx.db.dispose()
