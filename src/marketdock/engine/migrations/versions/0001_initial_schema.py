"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import marketdock.engine.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_tenant_id_object_type_object_id"),
        "audit_events",
        ["tenant_id", "object_type", "object_id"],
        unique=False,
    )

    op.create_table(
        "business_exceptions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("opened_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_seen_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("resolved_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_exceptions")),
    )
    op.create_index(
        "uq_business_exceptions_open",
        "business_exceptions",
        ["tenant_id", "type", "object_type", "object_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )

    op.create_table(
        "carrier_mappings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("warehouse_carrier", sa.String(length=64), nullable=False),
        sa.Column("warehouse_service", sa.String(length=64), nullable=False),
        sa.Column("marketplace_code", sa.String(length=64), nullable=False),
        sa.Column("carrier_name", sa.String(length=100), nullable=True),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_mappings")),
        sa.UniqueConstraint(
            "tenant_id",
            "channel",
            "marketplace",
            "warehouse_carrier",
            "warehouse_service",
            name=op.f(
                "uq_carrier_mappings_tenant_id_channel_marketplace_warehouse_carrier_warehouse_service"
            ),
        ),
    )
    op.create_table(
        "channel_accounts",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "marketplace_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_channel_accounts")),
    )
    op.create_table(
        "control_numbers",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "partner", "kind", name=op.f("pk_control_numbers")),
    )
    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("urgency", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "scheduled_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("lock", sa.String(length=200), nullable=True),
        sa.Column("queueing_lock", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("lease_until", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(
        "ix_jobs_claim_order",
        "jobs",
        ["status", "priority", "urgency", "scheduled_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_jobs_status_lease_until"), "jobs", ["status", "lease_until"], unique=False
    )
    op.create_index(
        "uq_jobs_running_lock",
        "jobs",
        ["tenant_id", "lock"],
        unique=True,
        sqlite_where=sa.text("status = 'doing'"),
        postgresql_where=sa.text("status = 'doing'"),
    )
    op.create_index(
        "uq_jobs_waiting_queueing_lock",
        "jobs",
        ["tenant_id", "queueing_lock"],
        unique=True,
        sqlite_where=sa.text("status = 'todo'"),
        postgresql_where=sa.text("status = 'todo'"),
    )

    op.create_table(
        "listings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("channel_sku", sa.String(length=200), nullable=False),
        sa.Column("fulfilment", sa.String(length=16), nullable=False),
        sa.Column("ean", sa.String(length=32), nullable=True),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "channel_sku",
            name=op.f("uq_listings_tenant_id_account_id_channel_sku"),
        ),
    )
    op.create_table(
        "orders",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_order_id", sa.String(length=100), nullable=False),
        sa.Column("marketplace_status", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=True),
        sa.Column("placed_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ship_by", marketdock.engine.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "tenant_id",
            "channel",
            "marketplace_order_id",
            name=op.f("uq_orders_tenant_id_channel_marketplace_order_id"),
        ),
    )
    op.create_index(
        op.f("ix_orders_tenant_id_status"), "orders", ["tenant_id", "status"], unique=False
    )

    op.create_table(
        "outbound_effects",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("remote_ref", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_effects")),
        sa.UniqueConstraint(
            "tenant_id", "kind", "key", name=op.f("uq_outbound_effects_tenant_id_kind_key")
        ),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("burst", sa.Float(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account", "operation", name=op.f("pk_rate_buckets")),
    )
    op.create_table(
        "schedule_ticks",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("schedule_id", sa.String(length=100), nullable=False),
        sa.Column("tick", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "schedule_id", "tick", name=op.f("pk_schedule_ticks")),
    )
    op.create_table(
        "secrets",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name", name=op.f("pk_secrets")),
    )
    op.create_table(
        "stock_positions",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("as_of", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "warehouse_id", "sku", name=op.f("pk_stock_positions")
        ),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
    )
    op.create_table(
        "warehouses",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cutoff", sa.String(length=5), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_warehouses")),
    )
    op.create_table(
        "order_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_ref", sa.String(length=100), nullable=False),
        sa.Column("channel_sku", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_ref", name=op.f("uq_order_lines_order_id_line_ref")),
    )
    op.create_table(
        "packages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("package_ref", sa.String(length=100), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("return_tracking_key", sa.String(length=100), nullable=True),
        sa.Column("shipped_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", marketdock.engine.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_packages_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint(
            "tenant_id",
            "order_id",
            "package_ref",
            name=op.f("uq_packages_tenant_id_order_id_package_ref"),
        ),
    )


def downgrade() -> None:
    op.drop_table("packages")
    op.drop_table("order_lines")
    op.drop_table("warehouses")
    op.drop_table("tenants")
    op.drop_table("stock_positions")
    op.drop_table("secrets")
    op.drop_table("schedule_ticks")
    op.drop_table("rate_buckets")
    op.drop_table("outbound_effects")
    op.drop_index(op.f("ix_orders_tenant_id_status"), table_name="orders")

    op.drop_table("orders")
    op.drop_table("listings")
    op.drop_index(
        "uq_jobs_waiting_queueing_lock",
        table_name="jobs",
        sqlite_where=sa.text("status = 'todo'"),
        postgresql_where=sa.text("status = 'todo'"),
    )
    op.drop_index(
        "uq_jobs_running_lock",
        table_name="jobs",
        sqlite_where=sa.text("status = 'doing'"),
        postgresql_where=sa.text("status = 'doing'"),
    )
    op.drop_index(op.f("ix_jobs_status_lease_until"), table_name="jobs")
    op.drop_index("ix_jobs_claim_order", table_name="jobs")

    op.drop_table("jobs")
    op.drop_table("control_numbers")
    op.drop_table("channel_accounts")
    op.drop_table("carrier_mappings")
    op.drop_index(
        "uq_business_exceptions_open",
        table_name="business_exceptions",
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )

    op.drop_table("business_exceptions")
    op.drop_index(
        op.f("ix_audit_events_tenant_id_object_type_object_id"), table_name="audit_events"
    )

    op.drop_table("audit_events")
