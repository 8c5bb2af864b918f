"""Audit events: who did what to which object, from which system, in which job."""

from __future__ import annotations

from typing import Any

from pydantic import Field, JsonValue, field_validator

from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record


class AuditEvent(Record):
    """One recorded action, e.g. "order 123 released to warehouse wh1 by job 42".

    ``system`` names where the action happened: ``hub``, a channel account id, a
    warehouse id, or ``operator`` for a person. ``details`` holds JSON values only and
    must not contain secrets or personal data beyond what the object already shows.
    """

    tenant_id: Identifier
    object_type: NonEmptyStr
    object_id: NonEmptyStr
    action: NonEmptyStr
    system: NonEmptyStr
    at: Instant
    job_id: str | None = None
    details: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("job_id", mode="before")
    @classmethod
    def _job_id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
