"""The installation's state in one value: shared by `marketdock status`, the API and metrics."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from marketdock.engine import migrate, outbox
from marketdock.engine.db import Database
from marketdock.engine.schema import tenants
from marketdock.monitor import exceptions


def snapshot(db: Database) -> dict[str, Any]:
    """Schema revision, tenants, jobs per status and open exceptions per type."""
    with db.read() as conn:
        return {
            "database": db.dialect,
            "schema_revision": migrate.current_revision(db),
            "schema_head": migrate.head_revision(),
            "tenants": list(conn.execute(sa.select(tenants.c.id).order_by(tenants.c.id))
                            .scalars()),
            "jobs": outbox.counts(conn),
            "open_exceptions": exceptions.open_counts(conn),
        }
