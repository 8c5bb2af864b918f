"""return labels

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import marketdock.engine.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "return_labels",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("package_key", sa.String(length=300), nullable=True),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_labels")),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "package_key",
            name=op.f("uq_return_labels_tenant_id_account_id_package_key"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "carrier",
            "tracking_number",
            name=op.f("uq_return_labels_tenant_id_carrier_tracking_number"),
        ),
    )
    with op.batch_alter_table("return_labels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_return_labels_unused",
            ["tenant_id", "account_id", "package_key", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("return_labels", schema=None) as batch_op:
        batch_op.drop_index("ix_return_labels_unused")

    op.drop_table("return_labels")
