"""Housekeeping: remove finished jobs and old scheduler ticks once they are history, and
flag open orders past their ship-by deadline.

Dead jobs and open business exceptions are never removed: they wait for an operator.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from marketdock.engine import outbox
from marketdock.engine.schema import schedule_ticks
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.flows import deadlines
from marketdock.flows.ticks import FlowTick

FLOW = "housekeeping"
JOB_RETENTION = timedelta(days=7)
TICK_RETENTION = timedelta(days=2)

log = structlog.get_logger("marketdock.housekeeping")


def housekeeping(ctx: JobContext, tick: FlowTick) -> None:
    now = ctx.clock.now()
    with ctx.transaction() as conn:
        jobs_removed = outbox.purge_finished(conn, now - JOB_RETENTION)
        ticks_removed = conn.execute(schedule_ticks.delete().where(
            schedule_ticks.c.tick < now - TICK_RETENTION)).rowcount
        missed = deadlines.flag_missed(conn, ctx.job.tenant_id, now)
    log.info("housekeeping done", jobs_removed=jobs_removed,
             ticks_removed=int(ticks_removed or 0), orders_past_ship_by=missed)


def register(registry: TaskRegistry) -> None:
    registry.register(FLOW, housekeeping, payload=FlowTick,
                      queueing_lock=lambda tick: tick.queueing_key(FLOW))



