"""The hub's tables. Every row that belongs to a tenant carries ``tenant_id``.

One schema for SQLite and PostgreSQL; Alembic migrations must equal this
metadata (a test compares them on both engines).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shipmux.storage.types import UTCDateTime

__all__ = [
    "ApiKeyRow",
    "AttemptRow",
    "Base",
    "CarrierAccountRow",
    "CaseRow",
    "ExchangeRow",
    "IdempotencyRow",
    "JobRow",
    "LeaseRow",
    "OrderRow",
    "RateCardRow",
    "RoutingPolicyRow",
    "ShipmentRow",
    "TenantRow",
    "TrackingEventRow",
    "TransitionRow",
    "WebhookAttemptRow",
    "WebhookDeliveryRow",
    "WebhookEndpointRow",
    "WebhookReceiptRow",
    "WebhookRejectionRow",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def _tenant() -> Mapped[str]:
    return mapped_column(String(40), ForeignKey("tenants.id"), index=True)


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    # A shipment with no tracking news for this long is flagged as stuck.
    stuck_after_hours: Mapped[float] = mapped_column(Float, default=72.0, server_default="72")
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    """A key is shown once; we keep its sha256 (keys are 256-bit random, see ADR 0003)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = _tenant()
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(20))
    scopes: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CarrierAccountRow(Base):
    __tablename__ = "carrier_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = _tenant()
    name: Mapped[str] = mapped_column(String(100))
    carrier: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict[str, Any]]  # non-secret settings only
    secrets: Mapped[str] = mapped_column(Text)  # Fernet token of the secret settings
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OrderRow(Base):
    """The order as the merchant sent it (canonical JSON), unique by reference per tenant."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reference"),
        Index("ix_orders_tenant_created", "tenant_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    reference: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShipmentRow(Base):
    """What happens to an order at its carrier; ``status`` follows domain.shipments."""

    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_tenant_status", "tenant_id", "status"),
        # Webhooks name a parcel by the account's reference: without this SQLite (no
        # statistics) walked every shipment of the tenant for each one.
        Index(
            "ix_shipments_tenant_account_ref",
            "tenant_id",
            "carrier_account_id",
            "carrier_shipment_ref",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    order_id: Mapped[str] = mapped_column(String(40), ForeignKey("orders.id"), unique=True)
    carrier_account_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("carrier_accounts.id"), index=True
    )
    carrier: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    carrier_order_id: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    label_path: Mapped[str | None] = mapped_column(Text)
    label_media_type: Mapped[str | None] = mapped_column(String(50))
    # The shipment's 0-based pages ("3,4") of a label document its batch shares; None: all.
    label_pages: Mapped[str | None] = mapped_column(Text)
    # Set when a create was sent but its answer lost: look up before sending again.
    lookup_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The carrier's reference of the parcel line (Parcel2Go's OrderLineId): webhooks name it.
    carrier_shipment_ref: Mapped[str | None] = mapped_column(String(100))
    # What a connector must keep between calls (Parcel2Go's order Hash); never secret.
    carrier_data: Mapped[dict[str, Any] | None]
    service_code: Mapped[str | None] = mapped_column(String(100))
    routed_by: Mapped[str | None] = mapped_column(String(40))  # explicit | rule:<n> | cheapest…
    currency: Mapped[str | None] = mapped_column(String(3))
    quoted_price: Mapped[float | None] = mapped_column(Float)  # with VAT, when chosen
    price: Mapped[float | None] = mapped_column(Float)  # with VAT, as the carrier charged it
    paid_at: Mapped[datetime | None]
    # Set when a payment was sent but its answer lost: read the order back before paying.
    payment_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    tracking_stage: Mapped[str | None] = mapped_column(String(30))
    # Tracking bookkeeping: the carrier's time of its latest event, when we last asked,
    # when to ask next (polling), whether the last news came by push or poll, and since
    # when it has been stuck (no news for the tenant's stuck_after_hours).
    last_event_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    last_update_source: Mapped[str | None] = mapped_column(String(10))  # push | poll
    stuck_since: Mapped[datetime | None]
    problems: Mapped[list[Any] | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    labelled_at: Mapped[datetime | None]
    despatched_at: Mapped[datetime | None]
    manifested_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TransitionRow(Base):
    """Every status change of a shipment, with why."""

    __tablename__ = "shipment_transitions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    shipment_id: Mapped[str] = mapped_column(String(40), ForeignKey("shipments.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class JobRow(Base):
    """The outbox: work written in the same transaction as the change that caused it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "run_after"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(30))
    shipment_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("shipments.id"), index=True
    )
    carrier_account_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("carrier_accounts.id")
    )
    state: Mapped[str] = mapped_column(String(10))  # queued | running | done | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AttemptRow(Base):
    """One try of one job for one shipment: the history behind GET /v1/orders/{id}."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    shipment_id: Mapped[str] = mapped_column(String(40), ForeignKey("shipments.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    operation: Mapped[str] = mapped_column(String(30))
    worker_id: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(50))
    message: Mapped[str | None] = mapped_column(Text)
    exchange_ids: Mapped[list[Any] | None]
    at: Mapped[datetime]


class ExchangeRow(Base):
    """One HTTP call to a carrier, secrets masked."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"), index=True)
    carrier_account_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("carrier_accounts.id")
    )
    carrier: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(50))
    method: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(Text)
    request_headers: Mapped[dict[str, Any]]
    request_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime]


class IdempotencyRow(Base):
    """A stored answer for an Idempotency-Key (Stripe semantics)."""

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class TrackingEventRow(Base):
    """One tracking event of a shipment, from a webhook or a poll; duplicates are dropped."""

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "occurred_at", "stage", "carrier_code"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    shipment_id: Mapped[str] = mapped_column(String(40), ForeignKey("shipments.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    carrier_code: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))  # webhook | poll
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    # What the merchant was told: queued | suppressed: older than 24h | no endpoint | none
    notification: Mapped[str] = mapped_column(String(40), default="none", server_default="none")


class CaseRow(Base):
    """An enquiry or claim the carrier raised about a shipment (Parcel2Go ``Case``)."""

    __tablename__ = "shipment_cases"
    __table_args__ = (UniqueConstraint("shipment_id", "case_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    shipment_id: Mapped[str] = mapped_column(String(40), ForeignKey("shipments.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(100))
    case_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class WebhookReceiptRow(Base):
    """Every authenticated webhook we took, once per carrier event id (replays are dropped)."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("carrier_account_id", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"), index=True)
    carrier_account_id: Mapped[str] = mapped_column(String(40), ForeignKey("carrier_accounts.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(40))
    shipment_id: Mapped[str | None] = mapped_column(String(40), ForeignKey("shipments.id"))
    outcome: Mapped[str] = mapped_column(String(40))  # applied | unknown_shipment | ignored
    body: Mapped[dict[str, Any]]
    raw_body: Mapped[str | None] = mapped_column(Text)  # exactly as it came (signatures)
    headers: Mapped[dict[str, Any] | None]  # the ones that matter (signature, key, type)
    received_at: Mapped[datetime]


class WebhookRejectionRow(Base):
    """A webhook refused (unauthenticated, badly signed, stale, oversized): counted, and
    nothing of it kept but this record."""

    __tablename__ = "webhook_rejections"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    carrier_account_id: Mapped[str | None] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    remote_addr: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(index=True)


class LeaseRow(Base):
    """A named lease one worker holds until a time (the daily sweep's election)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime]


class RateCardRow(Base):
    """One priced service band of an account without a quote API (a tenant-loaded CSV)."""

    __tablename__ = "rate_cards"
    __table_args__ = (Index("ix_rate_cards_account", "tenant_id", "carrier_account_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    carrier_account_id: Mapped[str] = mapped_column(String(40), ForeignKey("carrier_accounts.id"))
    service_code: Mapped[str] = mapped_column(String(100))
    service_name: Mapped[str] = mapped_column(String(200))
    destinations: Mapped[str] = mapped_column(String(2000))  # ISO-2 codes, space separated; * all
    max_weight_grams: Mapped[int] = mapped_column(Integer)
    price: Mapped[float] = mapped_column(Float)  # with VAT
    price_ex_vat: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    transit_days: Mapped[int | None] = mapped_column(Integer)
    collection: Mapped[str] = mapped_column(String(20))  # drop_off | collection
    extras: Mapped[str] = mapped_column(String(200), default="")  # included extras, space separated


class RoutingPolicyRow(Base):
    """How a tenant's orders without a named account pick one: rules, then a strategy."""

    __tablename__ = "routing_policies"

    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"), primary_key=True)
    rules: Mapped[list[Any]]
    strategy: Mapped[str] = mapped_column(String(20))  # default | cheapest | fastest
    quote_timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    updated_at: Mapped[datetime]


class WebhookEndpointRow(Base):
    """A merchant URL that takes our signed events; deleted endpoints are kept, marked."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = _tenant()
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    stages: Mapped[list[Any] | None]  # tracking stages wanted; None: every event
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # Fernet token of {"current": whsec_…, "previous": whsec_…}; previous signs until then.
    secrets: Mapped[str] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WebhookDeliveryRow(Base):
    """One event for one endpoint: the notification outbox, retried until delivered or dead."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_tenant_state", "tenant_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    endpoint_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("webhook_endpoints.id"), index=True
    )
    shipment_id: Mapped[str | None] = mapped_column(String(40), ForeignKey("shipments.id"))
    message_id: Mapped[str] = mapped_column(String(40))  # webhook-id: the same for every endpoint
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]]
    # pending | sending | delivered | dead (tries exhausted, or 410) | cancelled (deleted)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # tries in this round (replay: 0)
    next_attempt_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookAttemptRow(Base):
    """One POST of a delivery to its endpoint: what came back and how long it took."""

    __tablename__ = "webhook_delivery_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenants.id"))
    delivery_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("webhook_deliveries.id"), index=True
    )
    status: Mapped[int | None] = mapped_column(Integer)  # None: no answer (timeout, refused)
    duration_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class RateSlotRow(Base):
    """The next free call slot of a carrier account, shared by every process.

    ``next_free`` is wall-clock epoch seconds (a float, so slots a few ms apart keep
    their order); ``storage.rate_slots`` moves it on by one call's spacing per call.
    """

    __tablename__ = "rate_slots"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_free: Mapped[float] = mapped_column(Float)
