"""Carrier accounts: connected per tenant, secrets sealed, paused on auth failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from shipmux.services.problems import problems_from_validation
from shipmux.storage.db import Database
from shipmux.storage.ids import new_id
from shipmux.storage.secret_box import SecretBox
from shipmux.storage.tables import CarrierAccountRow

__all__ = [
    "AccountView",
    "connect_account",
    "find_account",
    "list_accounts",
    "load_settings",
    "pause_account",
    "resume_account",
    "update_account",
]


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as callers see it: secrets never included."""

    id: str
    name: str
    carrier: str
    is_default: bool
    paused_reason: str | None
    settings: dict[str, Any]


def _view(row: CarrierAccountRow) -> AccountView:
    return AccountView(
        row.id, row.name, row.carrier, row.is_default, row.paused_reason, row.settings
    )


def _split(settings: CarrierAccountSettings) -> tuple[dict[str, Any], dict[str, str]]:
    plain = settings.model_dump(mode="json")
    sealed: dict[str, str] = {}
    for name, value in settings:
        if isinstance(value, SecretStr):
            sealed[name] = value.get_secret_value()
            plain.pop(name, None)
    return plain, sealed


def connect_account(
    db: Database,
    box: SecretBox,
    tenant_id: str,
    *,
    name: str,
    carrier: str,
    settings: dict[str, Any],
    is_default: bool = False,
) -> AccountView:
    """Validate the carrier's settings, seal its secrets and store the account."""
    if carrier not in carriers.registry():
        known = ", ".join(carriers.available_carriers())
        raise ValidationFailed([FieldProblem("carrier", "enum", f"must be one of: {known}")])
    try:
        parsed = carriers.parse_settings(carrier, settings)
    except ValidationError as exc:
        raise ValidationFailed(problems_from_validation(exc, prefix="settings")) from exc
    plain, sealed = _split(parsed)
    now = datetime.now(UTC)
    row = CarrierAccountRow(
        id=new_id("acc"),
        tenant_id=tenant_id,
        name=name,
        carrier=carrier,
        settings=plain,
        secrets=box.seal(sealed),
        is_default=is_default,
        created_at=now,
        updated_at=now,
    )
    try:
        with db.transaction() as session:
            if is_default:
                session.execute(
                    update(CarrierAccountRow)
                    .where(CarrierAccountRow.tenant_id == tenant_id)
                    .values(is_default=False)
                )
            session.add(row)
    except IntegrityError as exc:
        # The only unique rule an account can break is its name within the tenant.
        raise Conflict(f"a carrier account named '{name}' already exists") from exc
    return _view(row)


def list_accounts(db: Database, tenant_id: str) -> list[AccountView]:
    with db.reading() as session:
        rows = session.scalars(
            select(CarrierAccountRow)
            .where(CarrierAccountRow.tenant_id == tenant_id)
            .order_by(CarrierAccountRow.name)
        )
        return [_view(r) for r in rows]


def load_settings(box: SecretBox, row: CarrierAccountRow) -> CarrierAccountSettings:
    """The full settings of an account, secrets unsealed, for building its connector."""
    return carriers.parse_settings(row.carrier, {**row.settings, **box.open(row.secrets)})


def get_account_row(session: Session, tenant_id: str, account_id: str) -> CarrierAccountRow:
    row = session.get(CarrierAccountRow, account_id)
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(f"no carrier account '{account_id}'")
    return row


def pause_account(db: Database, tenant_id: str, account_id: str, reason: str) -> None:
    with db.transaction() as session:
        row = get_account_row(session, tenant_id, account_id)
        row.paused_reason = reason
        row.updated_at = datetime.now(UTC)


def resume_account(db: Database, tenant_id: str, account_id: str) -> None:
    with db.transaction() as session:
        row = get_account_row(session, tenant_id, account_id)
        row.paused_reason = None
        row.updated_at = datetime.now(UTC)


def find_account(db: Database, tenant_id: str, name: str) -> AccountView | None:
    with db.reading() as session:
        row = session.scalars(
            select(CarrierAccountRow).where(
                CarrierAccountRow.tenant_id == tenant_id, CarrierAccountRow.name == name
            )
        ).one_or_none()
        return _view(row) if row is not None else None


def update_account(
    db: Database, box: SecretBox, tenant_id: str, account_id: str, settings: dict[str, Any]
) -> AccountView:
    """Merge ``settings`` into the account's (secrets re-sealed); connectors rebuild on change."""
    with db.transaction() as session:
        row = get_account_row(session, tenant_id, account_id)
        merged = {**row.settings, **box.open(row.secrets), **settings}
        try:
            parsed = carriers.parse_settings(row.carrier, merged)
        except ValidationError as exc:
            raise ValidationFailed(problems_from_validation(exc, prefix="settings")) from exc
        row.settings, sealed = _split(parsed)
        row.secrets = box.seal(sealed)
        row.updated_at = datetime.now(UTC)
        return _view(row)
