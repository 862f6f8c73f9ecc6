"""Migrations equal the models, on whichever engine the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from shipmux.storage import migrate
from shipmux.storage.db import Database
from shipmux.storage.tables import Base


def test_migrations_match_models(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()
    assert diff == []


def test_upgrade_is_repeatable_and_creates_every_table(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db.engine)
    migrate.upgrade(db.engine)  # at head already: nothing to do, nothing fails
    tables = set(inspect(db.engine).get_table_names())
    db.dispose()
    assert set(Base.metadata.tables) <= tables


def _shipment_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("shipments")}


def test_0005_adds_label_pages_and_takes_it_away_again(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db.engine, "0004")
    assert "label_pages" not in _shipment_columns(db.engine)
    migrate.upgrade(db.engine, "0005")
    assert "label_pages" in _shipment_columns(db.engine)
    config = migrate.alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    after_downgrade = _shipment_columns(db.engine)
    migrate.upgrade(db.engine)  # and up again, to head
    after_upgrade = _shipment_columns(db.engine)
    db.dispose()
    assert "label_pages" not in after_downgrade
    assert {"label_path", "label_media_type"} <= after_downgrade
    assert "label_pages" in after_upgrade


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/wal.db")
    with db.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    db.dispose()
    assert mode == "wal"
    assert sync == 2  # FULL: a commit is on disk before we answer


def _shipment_indexes(engine: Engine) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes("shipments")}


def test_0007_indexes_tenant_account_and_reference_together_and_back(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db.engine, "0006")
    before = _shipment_indexes(db.engine)
    migrate.upgrade(db.engine, "0007")
    after = _shipment_indexes(db.engine)
    config = migrate.alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    after_downgrade = _shipment_indexes(db.engine)
    db.dispose()
    assert "ix_shipments_carrier_shipment_ref" in before
    assert "ix_shipments_tenant_account_ref" not in before
    assert "ix_shipments_tenant_account_ref" in after
    assert "ix_shipments_carrier_shipment_ref" not in after
    assert after_downgrade == before
