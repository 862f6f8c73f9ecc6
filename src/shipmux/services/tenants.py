"""Tenants and their API keys: keys are shown once and stored as a hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from shipmux.domain.errors import FieldProblem, Unauthenticated, ValidationFailed
from shipmux.domain.tenants import Principal, Scope
from shipmux.storage.db import Database
from shipmux.storage.ids import new_id
from shipmux.storage.tables import ApiKeyRow, TenantRow

__all__ = ["IssuedKey", "authenticate", "create_tenant", "hash_key", "issue_api_key"]

KEY_PREFIX = "smx_"


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    tenant_id: str
    secret: str  # shown to the caller once, never stored
    scopes: frozenset[Scope]


def hash_key(secret: str) -> str:
    # Keys are 256 random bits, so a fast hash is as safe as a slow one here (ADR 0003).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_tenant(db: Database, name: str) -> str:
    tenant_id = new_id("ten")
    with db.transaction() as session:
        session.add(TenantRow(id=tenant_id, name=name, price_tolerance=0.0, created_at=_now()))
    return tenant_id


def issue_api_key(
    db: Database,
    tenant_id: str,
    *,
    scopes: frozenset[Scope] = frozenset({Scope.ADMIN}),
    name: str = "default",
    secret: str | None = None,
) -> IssuedKey:
    """Make a key (or adopt ``secret``, for the demo's --api-key) and store its hash."""
    secret = secret or KEY_PREFIX + secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ValidationFailed([FieldProblem("api_key", "min_length", "at least 16 characters")])
    key_id = new_id("key")
    with db.transaction() as session:
        session.add(
            ApiKeyRow(
                id=key_id,
                tenant_id=tenant_id,
                name=name,
                key_hash=hash_key(secret),
                hint=secret[:8],
                scopes=",".join(sorted(scopes)),
                created_at=_now(),
            )
        )
    return IssuedKey(key_id=key_id, tenant_id=tenant_id, secret=secret, scopes=scopes)


def authenticate(db: Database, secret: str) -> Principal:
    with db.reading() as session:
        row = session.scalars(
            select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(secret))
        ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("unknown or revoked API key")
    scopes = frozenset(Scope(s) for s in row.scopes.split(",") if s)
    return Principal(tenant_id=row.tenant_id, key_id=row.id, scopes=scopes)


def _now() -> datetime:
    return datetime.now(UTC)
