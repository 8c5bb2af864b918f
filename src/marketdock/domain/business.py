"""Business exceptions: records that cannot progress, made visible with an owner and age.

A business exception is not a Python exception. It is the hub's promise that nothing is
dropped silently: whatever blocks an order, package or SKU is recorded with a type, a
reason an operator understands, the object it concerns and who must act. The rule that
opened it resolves it when the cause is gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import model_validator

from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record, require_aware


class ExceptionStatus(StrEnum):
    """Whether a business exception still needs attention."""

    OPEN = "open"
    """The cause is present; the object does not progress."""
    RESOLVED = "resolved"
    """The cause is gone (fixed by a person or found gone by the hub)."""


class BusinessException(Record):
    """One blocked object and why."""

    tenant_id: Identifier
    type: NonEmptyStr
    """A stable code, e.g. ``unknown_sku``, ``carrier_unmapped``, ``address_incomplete``."""
    reason: NonEmptyStr
    """What is wrong, in words the owner understands."""
    object_type: NonEmptyStr
    """``order``, ``package``, ``sku``, ``listing``…"""
    object_id: NonEmptyStr
    owner: NonEmptyStr
    """Who must act: ``merchant``, ``warehouse``, ``operator`` or a named person."""
    opened_at: Instant
    status: ExceptionStatus = ExceptionStatus.OPEN
    resolved_at: Instant | None = None

    @model_validator(mode="after")
    def _resolution(self) -> BusinessException:
        if self.status is ExceptionStatus.RESOLVED:
            if self.resolved_at is None:
                raise ValueError("a resolved exception needs resolved_at")
            if self.resolved_at < self.opened_at:
                raise ValueError("resolved_at is before opened_at")
        elif self.resolved_at is not None:
            raise ValueError("an open exception has no resolved_at")
        return self

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(tenant, type, object type, object id): at most one open exception per key."""
        return (self.tenant_id, self.type, self.object_type, self.object_id)

    @property
    def is_open(self) -> bool:
        return self.status is ExceptionStatus.OPEN

    def age(self, now: datetime) -> timedelta:
        """How long the exception has been (or was) open.

        For a resolved exception the age stops at ``resolved_at``. ``now`` must be
        timezone-aware.
        """
        require_aware(now, "now")
        end = self.resolved_at if self.resolved_at is not None else now
        return max(end - self.opened_at, timedelta(0))

    def resolve(self, at: datetime) -> BusinessException:
        """A resolved copy. Resolving a resolved exception keeps its first resolution."""
        if not self.is_open:
            return self
        return self.evolve(status=ExceptionStatus.RESOLVED, resolved_at=at)

