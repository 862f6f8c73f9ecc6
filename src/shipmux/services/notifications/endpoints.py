"""Merchant webhook endpoints: registered per tenant, secrets sealed, rotated with overlap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shipmux.carriers.base import TrackingStage
from shipmux.domain.errors import FieldProblem, NotFound, ValidationFailed
from shipmux.services.notifications.addresses import host_refusal
from shipmux.services.notifications.signing import new_secret
from shipmux.storage.db import Database
from shipmux.storage.ids import new_id
from shipmux.storage.secret_box import SecretBox
from shipmux.storage.tables import WebhookDeliveryRow, WebhookEndpointRow

__all__ = [
    "ROTATION_OVERLAP",
    "EndpointSpec",
    "EndpointView",
    "create_endpoint",
    "delete_endpoint",
    "disable_endpoint",
    "get_endpoint",
    "get_endpoint_row",
    "list_endpoints",
    "rotate_secret",
    "signing_secrets",
    "update_endpoint",
]

# After a rotation the old secret signs beside the new one this long, so a merchant can
# deploy the new secret without dropping a single event.
ROTATION_OVERLAP = timedelta(hours=24)

_MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """What a tenant says about an endpoint, on create and on (full) update."""

    url: str
    description: str = ""
    stages: Sequence[TrackingStage] | None = None  # None: every event
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class EndpointView:
    """An endpoint as callers see it; ``secret`` only right after create or rotate."""

    id: str
    url: str
    description: str
    stages: list[str] | None
    enabled: bool
    disabled_reason: str | None
    previous_secret_until: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = None


def _view(row: WebhookEndpointRow, secret: str | None = None) -> EndpointView:
    return EndpointView(
        id=row.id,
        url=row.url,
        description=row.description,
        stages=row.stages,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        previous_secret_until=row.previous_secret_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret=secret,
    )


def _check_url(url: str, allow_private: bool) -> None:
    problem = None
    parts = urlsplit(url)
    if len(url) > _MAX_URL:
        problem = f"must be at most {_MAX_URL} characters"
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "must be an absolute http or https URL"
    elif any(c.isspace() for c in url) or parts.username or parts.password:
        problem = "must not contain spaces or credentials (sign, do not embed passwords)"
    if problem is not None:
        raise ValidationFailed([FieldProblem("url", "url", problem)])
    refused = None if allow_private else host_refusal(parts.hostname or "")
    if refused is not None:
        message = f"must be a public address, not one on the hub's own network ({refused})"
        raise ValidationFailed([FieldProblem("url", "public_address", message)])


def _stages(spec: EndpointSpec) -> list[str] | None:
    if spec.stages is None:
        return None
    if not spec.stages:
        # An empty list would silently receive nothing; null means all, so say which.
        message = "name at least one stage, or send null for every event"
        raise ValidationFailed([FieldProblem("stages", "min_length", message)])
    return sorted({TrackingStage(s).value for s in spec.stages})


def create_endpoint(
    db: Database,
    box: SecretBox,
    tenant_id: str,
    spec: EndpointSpec,
    *,
    allow_private: bool = False,
) -> EndpointView:
    """Register an endpoint with a fresh secret; the answer is the only time it is shown.

    ``allow_private`` (development and tests) accepts loopback and private addresses.
    """
    _check_url(spec.url, allow_private)
    secret = new_secret()
    now = datetime.now(UTC)
    row = WebhookEndpointRow(
        id=new_id("whe"),
        tenant_id=tenant_id,
        url=spec.url,
        description=spec.description,
        stages=_stages(spec),
        enabled=spec.enabled,
        secrets=box.seal({"current": secret}),
        created_at=now,
        updated_at=now,
    )
    with db.transaction() as session:
        session.add(row)
    return _view(row, secret)


def get_endpoint_row(session: Session, tenant_id: str, endpoint_id: str) -> WebhookEndpointRow:
    row = session.get(WebhookEndpointRow, endpoint_id)
    if row is None or row.tenant_id != tenant_id or row.deleted_at is not None:
        raise NotFound(f"no webhook endpoint '{endpoint_id}'")
    return row


def get_endpoint(db: Database, tenant_id: str, endpoint_id: str) -> EndpointView:
    with db.reading() as session:
        return _view(get_endpoint_row(session, tenant_id, endpoint_id))


def list_endpoints(db: Database, tenant_id: str) -> list[EndpointView]:
    with db.reading() as session:
        rows = session.scalars(
            select(WebhookEndpointRow)
            .where(
                WebhookEndpointRow.tenant_id == tenant_id,
                WebhookEndpointRow.deleted_at.is_(None),
            )
            .order_by(WebhookEndpointRow.id)
        )
        return [_view(r) for r in rows]


def update_endpoint(
    db: Database,
    tenant_id: str,
    endpoint_id: str,
    spec: EndpointSpec,
    *,
    allow_private: bool = False,
) -> EndpointView:
    """Replace what the tenant controls; enabling again clears why it was disabled."""
    _check_url(spec.url, allow_private)
    stages = _stages(spec)
    with db.transaction() as session:
        row = get_endpoint_row(session, tenant_id, endpoint_id)
        row.url, row.description, row.stages = spec.url, spec.description, stages
        if spec.enabled and not row.enabled:
            row.disabled_reason = None
        elif not spec.enabled and row.enabled:
            row.disabled_reason = "disabled by the tenant"
        row.enabled = spec.enabled
        row.updated_at = datetime.now(UTC)
        return _view(row)


def delete_endpoint(db: Database, tenant_id: str, endpoint_id: str) -> None:
    """Mark it deleted (its delivery history stays) and drop what it still had queued."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        row = get_endpoint_row(session, tenant_id, endpoint_id)
        row.deleted_at, row.enabled, row.updated_at = now, False, now
        row.disabled_reason = "deleted"
        session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.endpoint_id == endpoint_id,
                WebhookDeliveryRow.state == "pending",
            )
            .values(state="cancelled", last_error="endpoint deleted", updated_at=now)
        )


def disable_endpoint(session: Session, endpoint_id: str, reason: str, now: datetime) -> None:
    session.execute(
        update(WebhookEndpointRow)
        .where(WebhookEndpointRow.id == endpoint_id)
        .values(enabled=False, disabled_reason=reason, updated_at=now)
    )


def rotate_secret(db: Database, box: SecretBox, tenant_id: str, endpoint_id: str) -> EndpointView:
    """A new secret signs from now; the old one signs beside it for ``ROTATION_OVERLAP``."""
    secret = new_secret()
    now = datetime.now(UTC)
    with db.transaction() as session:
        row = get_endpoint_row(session, tenant_id, endpoint_id)
        old = box.open(row.secrets)["current"]
        row.secrets = box.seal({"current": secret, "previous": old})
        row.previous_secret_until = now + ROTATION_OVERLAP
        row.updated_at = now
        return _view(row, secret)


def signing_secrets(box: SecretBox, row: WebhookEndpointRow, now: datetime) -> list[str]:
    """The secrets that sign a message sent at ``now``: the current, and the old in overlap."""
    sealed = box.open(row.secrets)
    found = [sealed["current"]]
    until = row.previous_secret_until
    if "previous" in sealed and until is not None and now < until:
        found.append(sealed["previous"])
    return found
