"""shipments: one index on (tenant, account, carrier reference), the webhook lookup's

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:30:00.000000

The lookup of the shipments a batch of webhooks names filters on tenant, account
and reference. With the reference indexed alone, SQLite (which keeps no statistics)
chose the (tenant, status) index instead and read every shipment of the tenant.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_carrier_shipment_ref")
        batch_op.create_index(
            "ix_shipments_tenant_account_ref",
            ["tenant_id", "carrier_account_id", "carrier_shipment_ref"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_tenant_account_ref")
        batch_op.create_index(
            "ix_shipments_carrier_shipment_ref", ["carrier_shipment_ref"], unique=False
        )
