"""The probe tasks: they measure and prove the job engine on a real database.

``probe.record`` optionally waits (simulated I/O), then writes one audit event for its
job in the job's completing transaction. Counting those events tells whether every job's
effect happened exactly once, after crashes and with many workers. ``probe.noop`` does
nothing, so only the engine's own work (enqueue, claim, finish) is measured. The
benchmark (``bench/outbox.py``) and the crash tests run workers of this module as
processes:

    python -m marketdock.engine.probe URL [--io-ms N] [--lease S] [--until-idle]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from datetime import timedelta

import pydantic
import sqlalchemy as sa
import structlog
from sqlalchemy.engine import Connection

from marketdock.engine.clock import SystemClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobSpec
from marketdock.engine.schema import audit_events
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext, Worker

TASK = "probe.record"
NOOP = "probe.noop"
_RECORD = audit_events.insert()
TENANT = "probe"


class ProbePayload(pydantic.BaseModel):
    n: int
    io_ms: float = 0.0
    hang_first_attempt: bool = False


def record(ctx: JobContext, payload: ProbePayload) -> None:
    if payload.hang_first_attempt and ctx.job.attempts == 1:
        time.sleep(3600)  # stands for a worker stuck mid-job until it is killed
    if payload.io_ms:
        time.sleep(payload.io_ms / 1000)
    with ctx.transaction() as conn:
        conn.execute(_RECORD, {
            "tenant_id": TENANT, "object_type": "probe", "object_id": str(payload.n),
            "action": "recorded", "system": "probe", "job_id": ctx.job.id,
            "at": ctx.clock.now(), "details": {"pid": os.getpid()}})


def nothing(ctx: JobContext, payload: ProbePayload) -> None:
    """The engine's own cost only: the worker claims the job and finishes it."""


def registry() -> TaskRegistry:
    tasks = TaskRegistry()
    tasks.register(TASK, record, payload=ProbePayload, max_attempts=5)
    tasks.register(NOOP, nothing, payload=ProbePayload)
    return tasks


def specs(count: int, io_ms: float = 0.0, start: int = 0, task: str = TASK) -> list[JobSpec]:
    return [JobSpec(task, TENANT, ProbePayload(n=n, io_ms=io_ms).model_dump())
            for n in range(start, start + count)]


def effect_counts(conn: Connection) -> tuple[int, int]:
    """(effects recorded, distinct jobs with an effect)."""
    query = sa.select(sa.func.count(), sa.func.count(sa.distinct(audit_events.c.object_id))) \
        .where(audit_events.c.object_type == "probe")
    total, distinct = conn.execute(query).one()
    return int(total), int(distinct)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--lease", type=float, default=60.0, help="lease in seconds")
    parser.add_argument("--poll", type=float, default=0.05, help="idle poll interval")
    parser.add_argument("--prefetch", type=int, default=1, help="jobs claimed at once")
    parser.add_argument("--until-idle", action="store_true")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    db = Database.from_url(args.url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Worker(db, registry(), clock=SystemClock(), lease=timedelta(seconds=args.lease),
                    poll_interval=args.poll, prefetch=args.prefetch)
    processed = worker.run(stop, until_idle=args.until_idle)
    print(f"worker {worker.name} processed {processed} jobs", flush=True)


if __name__ == "__main__":
    main()
