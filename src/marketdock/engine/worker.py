"""The worker: claims jobs, runs their handlers, and settles the outcome.

A handler receives a :class:`JobContext`. Database writes that complete the job go in
``with ctx.transaction() as conn:``; the job is marked succeeded in that same
transaction, fenced by the claim, so the writes commit exactly once even when a worker
dies and the job is reclaimed. Calls to external systems happen before that block and are
made idempotent by the flows (unique effect keys, reading remote state after an
ambiguous failure).

Whatever a handler raises never stops the loop: the retry policy decides between a later
attempt and the dead state, and a dead job opens a business exception.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.engine import Connection

from marketdock.engine import outbox
from marketdock.engine.clock import Clock, SystemClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import Job
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.errors import JobError, LeaseLost
from marketdock.monitor import exceptions

log = structlog.get_logger("marketdock.worker")

JOB_DEAD = "job_dead"
# A busy worker looks for jobs of dead workers before waiting ones this often (seconds);
# an idle one looks every time it finds no waiting job.
STALE_LOOK_INTERVAL = 1.0


@dataclass
class JobContext:
    """What a handler gets besides its payload."""

    job: Job
    db: Database
    clock: Clock
    registry: TaskRegistry
    finished: bool = field(default=False, init=False)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The job's completing transaction: writes here commit with the job's success."""
        with self.db.begin() as conn:
            yield conn
            outbox.finish(conn, self.job, self.clock.now())
        self.finished = True

    def defer(self, conn: Connection, task: str, payload: Any = None, **options: Any) -> int | None:
        """Enqueue a follow-up job for the same tenant on ``conn``."""
        return self.registry.defer(conn, self.clock.now(), task, self.job.tenant_id, payload,
                                   **options)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Worker:
    """Runs jobs from the outbox until stopped."""

    def __init__(self, db: Database, registry: TaskRegistry, *, name: str | None = None,
                 clock: Clock | None = None, lease: timedelta = timedelta(seconds=60),
                 poll_interval: float = 0.5, policy: RetryPolicy | None = None,
                 tasks: frozenset[str] | None = None, prefetch: int = 1) -> None:
        self.db = db
        self.registry = registry
        self.name = name or default_worker_name()
        self.clock = clock or SystemClock()
        self.lease = lease
        self.poll_interval = poll_interval
        self.policy = policy or RetryPolicy()
        self.tasks = tasks
        self.prefetch = prefetch
        self._rng = random.Random()
        self._heartbeat = _Heartbeat(self)
        self._claimed: deque[Job] = deque()
        self._next_stale_look = 0.0

    def run(self, stop: threading.Event | None = None, *, until_idle: bool = False,
            max_jobs: int | None = None) -> int:
        """Process jobs until ``stop`` is set, the queue is idle (``until_idle``), or
        ``max_jobs`` were processed; return how many were processed."""
        stop = stop or threading.Event()
        processed = 0
        with self.db.pin():
            try:
                while not stop.is_set() and (max_jobs is None or processed < max_jobs):
                    if self.run_once():
                        processed += 1
                        continue
                    if until_idle and self._idle():
                        break
                    stop.wait(self.poll_interval)
            finally:
                self._release_claimed()
                self._heartbeat.close()
        return processed

    def _release_claimed(self) -> None:
        """Give back prefetched jobs that never started, so others need not wait a lease."""
        while self._claimed:
            job = self._claimed.popleft()
            try:
                outbox.release(self.db, job, self.clock.now())
            except Exception as exc:  # noqa: BLE001 - its lease will expire instead
                log.warning("could not release a prefetched job", job_id=job.id, error=str(exc))
            self._heartbeat.drop(job)

    def _idle(self) -> bool:
        with self.db.read() as conn:
            return outbox.runnable_count(conn, self.clock.now()) == 0

    def run_once(self) -> bool:
        """Run one job (claiming up to ``prefetch`` when none is held); False when none
        was runnable."""
        if not self._claimed:
            now = time.monotonic()
            stale_first = now >= self._next_stale_look
            if stale_first:
                self._next_stale_look = now + STALE_LOOK_INTERVAL
            claimed = outbox.claim_many(self.db, self.name, self.clock.now(), self.lease,
                                        self.tasks, stale_first=stale_first,
                                        limit=self.prefetch)
            self._claimed.extend(claimed)
            self._heartbeat.hold(claimed)
        if not self._claimed:
            return False
        job = self._claimed.popleft()
        try:
            with structlog.contextvars.bound_contextvars(job_id=job.id, task=job.task,
                                                         tenant=job.tenant_id):
                self._execute(job)
        finally:
            self._heartbeat.drop(job)
        return True

    def _execute(self, job: Job) -> None:
        try:
            task = self.registry.get(job.task)
            payload = task.parse(job.payload)
            if job.attempts > job.max_attempts:
                raise JobError(f"job was claimed {job.attempts} times; its workers kept dying")
        except JobError as exc:
            self._bury(job, str(exc))
            return
        context = JobContext(job, self.db, self.clock, self.registry)
        try:
            task.handler(context, payload)
            if not context.finished:
                with self.db.begin() as conn:
                    outbox.finish(conn, job, self.clock.now())
            log.debug("job succeeded", attempts=job.attempts)
        except LeaseLost as exc:
            log.warning("job result discarded", reason=str(exc))
        except Exception as exc:  # noqa: BLE001 - any handler failure is settled, never raised
            self._settle_failure(job, exc)

    def _settle_failure(self, job: Job, exc: Exception) -> None:
        decision = self.policy.decide(exc, job.attempts, job.max_attempts, self._rng)
        if decision.give_up:
            self._bury(job, decision.reason)
            return
        assert decision.delay is not None
        now = self.clock.now()
        log.info("job will retry", error=decision.reason,
                 delay_seconds=round(decision.delay.total_seconds(), 3))
        try:
            outbox.retry(self.db, job, now + decision.delay, decision.reason, now,
                         count_attempt=decision.count_attempt)
        except LeaseLost as lost:
            log.warning("job retry discarded", reason=str(lost))

    def _bury(self, job: Job, reason: str) -> None:
        now = self.clock.now()
        log.error("job is dead", error=reason)
        try:
            outbox.bury(self.db, job, reason, now)
        except LeaseLost as lost:
            log.warning("job burial discarded", reason=str(lost))
            return
        with self.db.begin() as conn:
            exceptions.open_exception(
                conn, tenant_id=job.tenant_id, type=JOB_DEAD, object_type="job",
                object_id=str(job.id), reason=f"{job.task}: {reason}", now=now,
                details={"task": job.task, "payload": job.payload})


class _Heartbeat:
    """One thread per worker that extends the leases of the jobs it holds (running or
    prefetched) every third of a lease."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        self._held: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, daemon=True,
                                            name=f"heartbeat-{self._worker.name}")
            self._thread.start()
        with self._lock:
            self._held.update((job.id, job) for job in jobs)

    def drop(self, job: Job) -> None:
        with self._lock:
            self._held.pop(job.id, None)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _beat(self) -> None:
        interval = self._worker.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            with self._lock:
                held = list(self._held.values())
            for job in held:
                now: datetime = self._worker.clock.now()
                try:
                    outbox.extend_lease(self._worker.db, job, now + self._worker.lease, now)
                except LeaseLost:
                    self.drop(job)
                except Exception as exc:  # noqa: BLE001 - a failed beat must not kill the worker
                    log.warning("lease extension failed", job_id=job.id, error=str(exc))
