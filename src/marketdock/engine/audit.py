"""Audit events: one row per change of a business object: what, when, which system, job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from marketdock.engine.schema import audit_events


@dataclass(frozen=True)
class AuditEvent:
    id: int
    tenant_id: str
    object_type: str
    object_id: str
    action: str
    system: str
    job_id: int | None
    at: datetime
    details: dict[str, Any]


def record(conn: Connection, *, tenant_id: str, object_type: str, object_id: str, action: str,
           system: str, at: datetime, job_id: int | None = None,
           details: dict[str, Any] | None = None) -> None:
    conn.execute(audit_events.insert().values(
        tenant_id=tenant_id, object_type=object_type, object_id=object_id, action=action,
        system=system, job_id=job_id, at=at, details=details or {}))


def history(conn: Connection, tenant_id: str, object_type: str, object_id: str) -> list[AuditEvent]:
    query = audit_events.select().where(
        audit_events.c.tenant_id == tenant_id, audit_events.c.object_type == object_type,
        audit_events.c.object_id == object_id).order_by(audit_events.c.id)
    return [AuditEvent(**row._mapping) for row in conn.execute(query)]
