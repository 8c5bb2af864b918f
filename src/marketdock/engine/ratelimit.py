"""Token buckets per (tenant, account, operation), kept in the database.

Every worker on every host takes tokens from the same row, so a marketplace's limit holds
for the whole installation. A take locks the bucket row (``FOR UPDATE`` on PostgreSQL; the
``BEGIN IMMEDIATE`` write transaction on SQLite), refills it for the time elapsed, and
takes a token if one is there.

When quota is short, lower priority classes leave a reserve for higher ones: tracking may
take the last token, stock must leave a fifth of the burst, everything else two fifths.
A 429 empties the bucket and blocks it for the remote's Retry-After; a rate-limit header
(e.g. ``x-amzn-RateLimit-Limit``) can adjust the refill rate at run time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from marketdock.engine.db import Database
from marketdock.engine.jobs import Priority
from marketdock.engine.schema import rate_buckets
from marketdock.errors import ConfigError, RateLimited

MIN_WAIT = 0.001
"""Shortest wait for quota: a float remainder of a token must not turn into a wait a
clock cannot show (microsecond clocks would never move)."""

RESERVE = {Priority.TRACKING: 0.0, Priority.STOCK: 0.2, Priority.OTHER: 0.4}

INSTALLATION = "*"
"""The tenant id of buckets every tenant shares: for limits a remote counts per client IP
(one installation sends from one address), not per account."""


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens per second
    burst: float

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ConfigError(f"rate limit needs rate > 0 and burst >= 1, got {self}")


class RateLimiter:
    """Shared token buckets. ``clock`` gives seconds and ``sleep`` waits for them: wall time
    in production; the demo passes its simulated clock and a sleep that moves it, so a wait
    for quota lets simulated time pass instead of stalling the run."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.db = db
        self.clock = clock
        self.sleep = sleep

    def configure(self, tenant_id: str, account: str, operation: str, limit: Limit) -> None:
        """Create the bucket, or change its rate and burst keeping its tokens."""
        with self.db.begin() as conn:
            row = self._lock(conn, tenant_id, account, operation)
            if row is None:
                conn.execute(rate_buckets.insert().values(
                    tenant_id=tenant_id, account=account, operation=operation, rate=limit.rate,
                    burst=limit.burst, tokens=limit.burst, refilled_at=self.clock(),
                    blocked_until=0.0))
            else:
                conn.execute(self._where(rate_buckets.update(), tenant_id, account, operation)
                             .values(rate=limit.rate, burst=limit.burst,
                                     tokens=min(row.tokens, limit.burst)))

    def try_acquire(self, tenant_id: str, account: str, operation: str,
                    priority: Priority = Priority.OTHER) -> float:
        """Take a token: 0.0 when taken, otherwise the seconds to wait before trying again."""
        with self.db.begin() as conn:
            row = self._lock(conn, tenant_id, account, operation)
            if row is None:
                raise ConfigError(f"no rate limit configured for {account}/{operation}")
            now = self.clock()
            if now < row.blocked_until:
                return float(row.blocked_until - now)
            # a blocked bucket does not refill until the block ends
            since = max(row.refilled_at, row.blocked_until)
            tokens = min(row.burst, row.tokens + (now - since) * row.rate)
            needed = min(row.burst, 1.0 + RESERVE[priority] * row.burst)
            if tokens < needed:
                conn.execute(self._where(rate_buckets.update(), tenant_id, account, operation)
                             .values(tokens=tokens, refilled_at=now))
                return float((needed - tokens) / row.rate)
            conn.execute(self._where(rate_buckets.update(), tenant_id, account, operation)
                         .values(tokens=tokens - 1.0, refilled_at=now))
            return 0.0

    def acquire(self, tenant_id: str, account: str, operation: str,
                priority: Priority = Priority.OTHER, max_wait: float = 30.0) -> None:
        """Wait for a token up to ``max_wait`` seconds, else raise RateLimited.

        A job that gets RateLimited goes back to the queue without using an attempt.
        """
        waited = 0.0
        while (wait := self.try_acquire(tenant_id, account, operation, priority)) > 0.0:
            if waited + wait > max_wait:
                raise RateLimited(f"{account}/{operation}: no quota for {wait:.1f}s",
                                  retry_after=wait)
            wait = max(wait, MIN_WAIT)
            self.sleep(wait)
            waited += wait

    def penalize(self, tenant_id: str, account: str, operation: str,
                 retry_after: float | None) -> None:
        """The remote answered 429: empty the bucket and block it for ``retry_after``."""
        with self.db.begin() as conn:
            row = self._lock(conn, tenant_id, account, operation)
            if row is None:
                return
            now = self.clock()
            pause = retry_after if retry_after is not None else 1.0 / row.rate
            conn.execute(self._where(rate_buckets.update(), tenant_id, account, operation)
                         .values(tokens=0.0, refilled_at=now,
                                 blocked_until=max(row.blocked_until, now + pause)))

    def adjust_rate(self, tenant_id: str, account: str, operation: str, rate: float) -> None:
        """Follow the rate the remote announces (e.g. ``x-amzn-RateLimit-Limit``)."""
        if rate <= 0:
            return
        with self.db.begin() as conn:
            conn.execute(self._where(rate_buckets.update(), tenant_id, account, operation)
                         .values(rate=rate))

    @staticmethod
    def _where(statement: sa.Update, tenant_id: str, account: str, operation: str) -> sa.Update:
        return statement.where(rate_buckets.c.tenant_id == tenant_id,
                               rate_buckets.c.account == account,
                               rate_buckets.c.operation == operation)

    @staticmethod
    def _lock(conn: Connection, tenant_id: str, account: str,
              operation: str) -> sa.Row[Any] | None:
        return conn.execute(
            rate_buckets.select().where(rate_buckets.c.tenant_id == tenant_id,
                                        rate_buckets.c.account == account,
                                        rate_buckets.c.operation == operation)
            .with_for_update()
        ).first()
