"""The installation's state in one value: shared by `marketdock status`, the API and metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from marketdock.engine import migrate, outbox
from marketdock.engine.db import Database
from marketdock.engine.schema import tenants
from marketdock.flows import deadlines
from marketdock.monitor import exceptions


def snapshot(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """Schema revision, tenants, jobs per status, open exceptions per type, and the orders
    due to ship within four hours that have not (``orders_at_risk``)."""
    now = now or datetime.now(UTC)
    with db.read() as conn:
        return {
            "database": db.dialect,
            "schema_revision": migrate.current_revision(db),
            "schema_head": migrate.head_revision(),
            "tenants": list(conn.execute(sa.select(tenants.c.id).order_by(tenants.c.id))
                            .scalars()),
            "jobs": outbox.counts(conn),
            "open_exceptions": exceptions.open_counts(conn),
            "orders_at_risk": len(deadlines.at_risk(conn, None, now)),
        }
