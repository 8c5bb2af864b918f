"""exchanged files

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import marketdock.engine.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchanged_files",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("control_number", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanged_files")),
        sa.UniqueConstraint(
            "tenant_id",
            "warehouse_id",
            "direction",
            "name",
            name=op.f("uq_exchanged_files_tenant_id_warehouse_id_direction_name"),
        ),
    )
    op.create_index(
        op.f("ix_exchanged_files_tenant_id_warehouse_id_direction_content_hash"),
        "exchanged_files",
        ["tenant_id", "warehouse_id", "direction", "content_hash"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_exchanged_files_tenant_id_warehouse_id_direction_content_hash"),
        table_name="exchanged_files",
    )

    op.drop_table("exchanged_files")
