"""The database schema: every table of marketdock, as SQLAlchemy Core.

Every row carries its tenant. Exactly-once is enforced by unique constraints, never by a
look-up before an insert:

- ``orders``: one row per (tenant, channel, marketplace order id)
- ``packages``: one row per (tenant, order, package reference)
- ``outbound_effects``: one row per (tenant, kind, key) for every effect sent outside
  (an order created at the warehouse, a package confirmed to a marketplace, ...)
- ``jobs``: at most one waiting job per (tenant, queueing lock), at most one running job
  per (tenant, lock)
- ``schedule_ticks``: one row per (schedule, tick), so any number of schedulers can run
- ``exchanged_files``: one row per file name per warehouse and direction, so a file
  delivered twice is applied once

Alembic migrations in ``engine/migrations`` must produce exactly this schema; a test
compares them on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from marketdock.engine.types import JSONType, UTCDateTime, id_column, ref_column

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def _created() -> sa.Column[object]:
    return sa.Column("created_at", UTCDateTime(), nullable=False)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", UTCDateTime(), nullable=False)


tenants = sa.Table(
    "tenants", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    _created(),
)

channel_accounts = sa.Table(
    "channel_accounts", metadata,
    _tenant(),
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("marketplace_ids", JSONType, nullable=False),
    _created(),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

warehouses = sa.Table(
    "warehouses", metadata,
    _tenant(),
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("cutoff", sa.String(5), nullable=True),
    sa.Column("timezone", sa.String(64), nullable=False),
    _created(),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

listings = sa.Table(
    "listings", metadata,
    id_column(),
    _tenant(),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("channel_sku", sa.String(200), nullable=False),
    sa.Column("fulfilment", sa.String(16), nullable=False),
    sa.Column("ean", sa.String(32), nullable=True),
    sa.Column("components", JSONType, nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    _updated(),
    sa.UniqueConstraint("tenant_id", "account_id", "channel_sku"),
)

orders = sa.Table(
    "orders", metadata,
    id_column(),
    _tenant(),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("marketplace_order_id", sa.String(100), nullable=False),
    sa.Column("marketplace_status", sa.String(40), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("warehouse_id", sa.String(64), nullable=True),
    sa.Column("placed_at", UTCDateTime(), nullable=False),
    sa.Column("ship_by", UTCDateTime(), nullable=True),
    sa.Column("data", JSONType, nullable=False),
    _created(),
    _updated(),
    sa.UniqueConstraint("tenant_id", "channel", "marketplace_order_id"),
    sa.Index(None, "tenant_id", "status"),
)

order_lines = sa.Table(
    "order_lines", metadata,
    id_column(),
    _tenant(),
    ref_column("order_id"),
    sa.Column("line_ref", sa.String(100), nullable=False),
    sa.Column("channel_sku", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
    sa.UniqueConstraint("order_id", "line_ref"),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
)

packages = sa.Table(
    "packages", metadata,
    id_column(),
    _tenant(),
    ref_column("order_id"),
    sa.Column("package_ref", sa.String(100), nullable=False),
    sa.Column("carrier", sa.String(64), nullable=False),
    sa.Column("service", sa.String(64), nullable=True),
    sa.Column("tracking_number", sa.String(100), nullable=True),
    sa.Column("return_tracking_key", sa.String(100), nullable=True),
    sa.Column("shipped_at", UTCDateTime(), nullable=False),
    sa.Column("lines", JSONType, nullable=False),
    _created(),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
    sa.UniqueConstraint("tenant_id", "order_id", "package_ref"),
)

stock_positions = sa.Table(
    "stock_positions", metadata,
    _tenant(),
    sa.Column("warehouse_id", sa.String(64), nullable=False),
    sa.Column("sku", sa.String(200), nullable=False),
    sa.Column("on_hand", sa.Integer(), nullable=False),
    sa.Column("allocated", sa.Integer(), nullable=False),
    sa.Column("available", sa.Integer(), nullable=False),
    sa.Column("blocked", sa.Integer(), nullable=False),
    sa.Column("as_of", UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "warehouse_id", "sku"),
)

carrier_mappings = sa.Table(
    "carrier_mappings", metadata,
    id_column(),
    _tenant(),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("marketplace", sa.String(32), nullable=False),
    sa.Column("warehouse_carrier", sa.String(64), nullable=False),
    sa.Column("warehouse_service", sa.String(64), nullable=False),
    sa.Column("marketplace_code", sa.String(64), nullable=False),
    sa.Column("carrier_name", sa.String(100), nullable=True),
    _updated(),
    sa.UniqueConstraint("tenant_id", "channel", "marketplace", "warehouse_carrier",
                        "warehouse_service"),
)

outbound_effects = sa.Table(
    "outbound_effects", metadata,
    id_column(),
    _tenant(),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("remote_ref", sa.String(200), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    _created(),
    _updated(),
    sa.UniqueConstraint("tenant_id", "kind", "key"),
)

jobs = sa.Table(
    "jobs", metadata,
    id_column(),
    _tenant(),
    sa.Column("task", sa.String(100), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("priority", sa.SmallInteger(), nullable=False),
    sa.Column("deadline", UTCDateTime(), nullable=True),
    # The deadline, or NO_DEADLINE when there is none: a non-null sort key, so that one
    # index yields the claim order on SQLite and PostgreSQL alike.
    sa.Column("urgency", UTCDateTime(), nullable=False),
    sa.Column("scheduled_at", UTCDateTime(), nullable=False),
    sa.Column("lock", sa.String(200), nullable=True),
    sa.Column("queueing_lock", sa.String(200), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    sa.Column("claim_token", sa.String(36), nullable=True),
    sa.Column("worker", sa.String(100), nullable=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    _created(),
    _updated(),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_jobs_claim_order", "status", "priority", "urgency", "scheduled_at", "id"),
    sa.Index(None, "status", "lease_until"),
    sa.Index("uq_jobs_waiting_queueing_lock", "tenant_id", "queueing_lock", unique=True,
             sqlite_where=sa.text("status = 'todo'"),
             postgresql_where=sa.text("status = 'todo'")),
    sa.Index("uq_jobs_running_lock", "tenant_id", "lock", unique=True,
             sqlite_where=sa.text("status = 'doing'"),
             postgresql_where=sa.text("status = 'doing'")),
)

schedule_ticks = sa.Table(
    "schedule_ticks", metadata,
    _tenant(),
    sa.Column("schedule_id", sa.String(100), nullable=False),
    sa.Column("tick", UTCDateTime(), nullable=False),
    ref_column("job_id", nullable=True),
    sa.PrimaryKeyConstraint("tenant_id", "schedule_id", "tick"),
)

rate_buckets = sa.Table(
    "rate_buckets", metadata,
    _tenant(),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("operation", sa.String(100), nullable=False),
    sa.Column("rate", sa.Float(), nullable=False),
    sa.Column("burst", sa.Float(), nullable=False),
    sa.Column("tokens", sa.Float(), nullable=False),
    sa.Column("refilled_at", sa.Float(), nullable=False),
    sa.Column("blocked_until", sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "account", "operation"),
)

business_exceptions = sa.Table(
    "business_exceptions", metadata,
    id_column(),
    _tenant(),
    sa.Column("type", sa.String(60), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("owner", sa.String(60), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("occurrences", sa.Integer(), nullable=False),
    sa.Column("details", JSONType, nullable=False),
    sa.Column("opened_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Column("resolved_at", UTCDateTime(), nullable=True),
    sa.Index("uq_business_exceptions_open", "tenant_id", "type", "object_type", "object_id",
             unique=True, sqlite_where=sa.text("status = 'open'"),
             postgresql_where=sa.text("status = 'open'")),
)

audit_events = sa.Table(
    "audit_events", metadata,
    id_column(),
    _tenant(),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("system", sa.String(40), nullable=False),
    ref_column("job_id", nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("details", JSONType, nullable=False),
    sa.Index(None, "tenant_id", "object_type", "object_id"),
)

secrets = sa.Table(
    "secrets", metadata,
    _tenant(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
    _updated(),
    sa.PrimaryKeyConstraint("tenant_id", "name"),
)

exchanged_files = sa.Table(
    "exchanged_files", metadata,
    id_column(),
    _tenant(),
    sa.Column("warehouse_id", sa.String(64), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # "in" or "out"
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # e.g. "x12:945", "csv:shipments"
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("control_number", sa.String(20), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    _created(),
    _updated(),
    sa.UniqueConstraint("tenant_id", "warehouse_id", "direction", "name"),
    sa.Index(None, "tenant_id", "warehouse_id", "direction", "content_hash"),
)

sync_state = sa.Table(
    "sync_state", metadata,
    _tenant(),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    _updated(),
    sa.PrimaryKeyConstraint("tenant_id", "key"),
)

published_stock = sa.Table(
    "published_stock", metadata,
    _tenant(),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("channel_sku", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("explanation", JSONType, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reference", sa.String(100), nullable=True),
    sa.Column("marketplace_quantity", sa.Integer(), nullable=True),
    sa.Column("published_at", UTCDateTime(), nullable=False),
    sa.Column("checked_at", UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant_id", "account_id", "channel_sku"),
)

control_numbers = sa.Table(
    "control_numbers", metadata,
    _tenant(),
    sa.Column("partner", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "partner", "kind"),
)

return_labels = sa.Table(
    "return_labels", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    _tenant(),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("carrier", sa.String(32), nullable=False),
    sa.Column("tracking_number", sa.String(64), nullable=False),
    # the package the label went to (``warehouse:package ref``); NULL while unused
    sa.Column("package_key", sa.String(300), nullable=True),
    _created(),
    sa.Column("used_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("tenant_id", "carrier", "tracking_number"),
    sa.UniqueConstraint("tenant_id", "account_id", "package_key"),
    sa.Index("ix_return_labels_unused", "tenant_id", "account_id", "package_key", "id"),
)
