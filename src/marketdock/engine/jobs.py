"""Job records of the outbox: what a worker claims, runs and finishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from marketdock.engine.schema import NO_DEADLINE


class JobStatus(StrEnum):
    """Where a job stands.

    - ``todo``: waiting until ``scheduled_at``
    - ``doing``: claimed by a worker whose lease runs until ``lease_until``
    - ``succeeded``: done; kept for the record until housekeeping removes it
    - ``dead``: gave up (permanent error or attempts exhausted); listed and replayable
    - ``cancelled``: withdrawn by an operator
    """

    TODO = "todo"
    DOING = "doing"
    SUCCEEDED = "succeeded"
    DEAD = "dead"
    CANCELLED = "cancelled"


class Priority(IntEnum):
    """Priority classes: lower runs first. Tracking protects seller rating the most."""

    TRACKING = 0
    STOCK = 1
    OTHER = 2


@dataclass(frozen=True)
class JobSpec:
    """A job to enqueue."""

    task: str
    tenant_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    priority: Priority = Priority.OTHER
    deadline: datetime | None = None
    scheduled_at: datetime | None = None
    lock: str | None = None
    queueing_lock: str | None = None
    max_attempts: int = 10


@dataclass(frozen=True)
class Job:
    """A job row as the engine reads it."""

    id: int
    tenant_id: str
    task: str
    payload: dict[str, Any]
    status: JobStatus
    priority: Priority
    deadline: datetime | None
    scheduled_at: datetime
    lock: str | None
    queueing_lock: str | None
    attempts: int
    max_attempts: int
    claim_token: str | None
    worker: str | None
    lease_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    def claim_order(self) -> tuple[int, datetime, datetime, int]:
        """The order in which claimed jobs run: the claim query's ORDER BY."""
        return (int(self.priority), self.deadline or NO_DEADLINE, self.scheduled_at, self.id)

    @classmethod
    def from_row(cls, row: Any) -> Job:
        values = dict(row._mapping)
        del values["urgency"]  # a sort key derived from the deadline
        values["status"] = JobStatus(values["status"])
        values["priority"] = Priority(values["priority"])
        return cls(**values)
