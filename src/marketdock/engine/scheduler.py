"""Periodic flow ticks, deduplicated in the database.

Each schedule fires once per period. The tick time is the period boundary (``now``
floored to a multiple of ``every`` since the epoch), and the (tenant, schedule, tick) row
is inserted in the same transaction as the job it enqueues. A second scheduler on any host
inserting the same tick gets nothing back and enqueues nothing, so any number of
schedulers can run. A missed period is not replayed: the next tick covers it, because
flows read changes since their last successful run, not since their tick.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.dialects import postgresql, sqlite

from marketdock.engine.clock import Clock, SystemClock
from marketdock.engine.db import Database
from marketdock.engine.schema import schedule_ticks
from marketdock.engine.tasks import TaskRegistry

log = structlog.get_logger("marketdock.scheduler")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    """Run ``task`` for ``tenant_id`` every ``every``, with ``payload``."""

    id: str
    tenant_id: str
    task: str
    every: timedelta
    payload: dict[str, Any] = field(default_factory=dict)

    def tick_at(self, now: datetime) -> datetime:
        period = self.every.total_seconds()
        elapsed = (now - EPOCH).total_seconds()
        return EPOCH + timedelta(seconds=(elapsed // period) * period)


class Scheduler:
    def __init__(self, db: Database, registry: TaskRegistry, schedules: list[Schedule], *,
                 clock: Clock | None = None) -> None:
        self.db = db
        self.registry = registry
        self.schedules = schedules
        self.clock = clock or SystemClock()

    def tick(self) -> list[int]:
        """Enqueue the jobs of every schedule whose current tick nobody has taken yet."""
        now = self.clock.now()
        enqueued = []
        for schedule in self.schedules:
            tick = schedule.tick_at(now)
            with self.db.begin() as conn:
                insert = (postgresql.insert(schedule_ticks) if self.db.is_postgres
                          else sqlite.insert(schedule_ticks))
                taken = conn.execute(
                    insert.values(tenant_id=schedule.tenant_id, schedule_id=schedule.id,
                                  tick=tick)
                    .on_conflict_do_nothing()
                    .returning(schedule_ticks.c.tick)
                ).first()
                if taken is None:
                    continue
                job_id = self.registry.defer(conn, now, schedule.task, schedule.tenant_id,
                                             schedule.payload)
                if job_id is not None:
                    conn.execute(schedule_ticks.update().where(
                        schedule_ticks.c.tenant_id == schedule.tenant_id,
                        schedule_ticks.c.schedule_id == schedule.id,
                        schedule_ticks.c.tick == tick).values(job_id=job_id))
                    enqueued.append(job_id)
                    log.debug("tick", schedule=schedule.id, tick=tick.isoformat(), job_id=job_id)
        return enqueued

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - the scheduler keeps going
                log.error("scheduler tick failed", error=str(exc))
            stop.wait(interval)
