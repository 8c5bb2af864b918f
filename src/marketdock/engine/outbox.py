"""The durable outbox: enqueue, claim, finish, retry and bury jobs.

A job is enqueued on the caller's connection, so it commits or rolls back together with
the state change that caused it. Workers claim one job at a time with a lease. A claim is
a single ``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING``; on
SQLite the write transaction starts with ``BEGIN IMMEDIATE``, which makes the same
statement atomic across processes.

Each claim gets a fresh ``claim_token``. Finishing, retrying or burying a job is fenced by
that token: when a worker's lease ran out and another worker reclaimed the job, the first
worker's result is refused (:class:`~marketdock.errors.LeaseLost`) and its transaction
rolls back. That is what makes a job's committed effect happen exactly once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.engine.db import Database
from marketdock.engine.jobs import Job, JobSpec, JobStatus
from marketdock.engine.schema import jobs
from marketdock.errors import AlreadyEnqueued, LeaseLost, StorageError
from marketdock.monitor import exceptions

_WAITING_WHERE = sa.text("status = 'todo'")


def enqueue(conn: Connection, spec: JobSpec, now: datetime) -> int | None:
    """Insert a job; return its id, or None when its queueing lock drops it as a duplicate."""
    values = _values(spec, now)
    if spec.queueing_lock is None:
        return int(conn.execute(jobs.insert().values(**values).returning(jobs.c.id)).scalar_one())
    insert = (postgresql.insert(jobs) if conn.dialect.name == "postgresql" else sqlite.insert(jobs))
    statement = insert.values(**values).on_conflict_do_nothing(
        index_elements=["tenant_id", "queueing_lock"], index_where=_WAITING_WHERE
    ).returning(jobs.c.id)
    job_id = conn.execute(statement).scalar_one_or_none()
    return None if job_id is None else int(job_id)


def enqueue_many(conn: Connection, specs: list[JobSpec], now: datetime) -> int:
    """Insert jobs without queueing locks in one statement; return how many."""
    if any(spec.queueing_lock for spec in specs):
        raise StorageError("enqueue_many takes jobs without queueing locks; use enqueue")
    if specs:
        conn.execute(jobs.insert(), [_values(spec, now) for spec in specs])
    return len(specs)


def _values(spec: JobSpec, now: datetime) -> dict[str, Any]:
    return {
        "tenant_id": spec.tenant_id,
        "task": spec.task,
        "payload": spec.payload,
        "status": JobStatus.TODO.value,
        "priority": int(spec.priority),
        "deadline": spec.deadline,
        "scheduled_at": spec.scheduled_at or now,
        "lock": spec.lock,
        "queueing_lock": spec.queueing_lock,
        "attempts": 0,
        "max_attempts": spec.max_attempts,
        "created_at": now,
        "updated_at": now,
    }


def claim(db: Database, worker: str, now: datetime, lease: timedelta,
          tasks: frozenset[str] | None = None) -> Job | None:
    """Claim the most urgent runnable job, or None.

    Runnable: waiting and due, or running with an expired lease (its worker died). A job
    whose lock is held by a running job waits. Order: priority class, then deadline
    (earliest first, none last), then schedule time, then age.
    """
    running = jobs.alias("running")
    lock_held = (
        sa.select(running.c.id)
        .where(running.c.tenant_id == jobs.c.tenant_id, running.c.lock == jobs.c.lock,
               running.c.status == JobStatus.DOING.value, running.c.id != jobs.c.id)
        .exists()
    )
    runnable = sa.or_(
        sa.and_(jobs.c.status == JobStatus.TODO.value, jobs.c.scheduled_at <= now),
        sa.and_(jobs.c.status == JobStatus.DOING.value, jobs.c.lease_until < now),
    )
    candidate = (
        sa.select(jobs.c.id)
        .where(runnable, sa.or_(jobs.c.lock.is_(None), ~lock_held))
        .order_by(jobs.c.priority, jobs.c.deadline.is_(None), jobs.c.deadline,
                  jobs.c.scheduled_at, jobs.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if tasks is not None:
        candidate = candidate.where(jobs.c.task.in_(sorted(tasks)))
    statement = (
        jobs.update()
        .where(jobs.c.id == candidate.scalar_subquery())
        .values(status=JobStatus.DOING.value, attempts=jobs.c.attempts + 1,
                claim_token=str(uuid.uuid4()), worker=worker, lease_until=now + lease,
                updated_at=now)
        .returning(*jobs.c)
    )
    try:
        with db.begin() as conn:
            row = conn.execute(statement).first()
    except sa.exc.IntegrityError:
        # Two workers claimed two jobs of one lock at once; the database let one win.
        return None
    return None if row is None else Job.from_row(row)


def _fenced(job: Job) -> sa.ColumnElement[bool]:
    return sa.and_(jobs.c.id == job.id, jobs.c.claim_token == job.claim_token,
                   jobs.c.status == JobStatus.DOING.value)


def finish(conn: Connection, job: Job, now: datetime) -> None:
    """Mark a claimed job succeeded, on the caller's transaction; fenced by the claim."""
    result = conn.execute(
        jobs.update().where(_fenced(job)).values(
            status=JobStatus.SUCCEEDED.value, lease_until=None, updated_at=now,
            finished_at=now, last_error=None)
    )
    if result.rowcount != 1:
        raise LeaseLost(f"job {job.id} ({job.task}) was reclaimed by another worker")


def retry(db: Database, job: Job, at: datetime, error: str, now: datetime,
          count_attempt: bool = True) -> None:
    """Give a claimed job back to the queue to run again at ``at``."""
    attempts = jobs.c.attempts if count_attempt else jobs.c.attempts - 1
    _update_fenced(db, job, status=JobStatus.TODO.value, scheduled_at=at, lease_until=None,
                   claim_token=None, last_error=error, attempts=attempts, updated_at=now)


def bury(db: Database, job: Job, error: str, now: datetime) -> None:
    """Move a claimed job to the dead state, where it is listed and can be replayed."""
    _update_fenced(db, job, status=JobStatus.DEAD.value, lease_until=None, last_error=error,
                   updated_at=now, finished_at=now)


def extend_lease(db: Database, job: Job, until: datetime, now: datetime) -> None:
    """Keep a long-running job's claim alive (the worker's heartbeat)."""
    _update_fenced(db, job, lease_until=until, updated_at=now)


def _update_fenced(db: Database, job: Job, **values: Any) -> None:
    with db.begin() as conn:
        if conn.execute(jobs.update().where(_fenced(job)).values(**values)).rowcount != 1:
            raise LeaseLost(f"job {job.id} ({job.task}) was reclaimed by another worker")


def replay(db: Database, job_id: int, now: datetime) -> Job:
    """Put a dead (or cancelled) job back in the queue with fresh attempts.

    The business exception its death opened is resolved in the same transaction.
    """
    statement = (
        jobs.update()
        .where(jobs.c.id == job_id,
               jobs.c.status.in_([JobStatus.DEAD.value, JobStatus.CANCELLED.value]))
        .values(status=JobStatus.TODO.value, attempts=0, scheduled_at=now, claim_token=None,
                worker=None, lease_until=None, finished_at=None, updated_at=now)
        .returning(*jobs.c)
    )
    try:
        with db.begin() as conn:
            row = conn.execute(statement).first()
            if row is None:
                raise StorageError(f"job {job_id} does not exist or is not dead or cancelled")
            job = Job.from_row(row)
            exceptions.resolve(conn, tenant_id=job.tenant_id, object_type="job",
                               object_id=str(job.id), now=now)
    except sa.exc.IntegrityError as exc:
        raise AlreadyEnqueued(f"job {job_id}: an identical job is already waiting") from exc
    return job


def get(conn: Connection, job_id: int) -> Job | None:
    row = conn.execute(jobs.select().where(jobs.c.id == job_id)).first()
    return None if row is None else Job.from_row(row)


def list_jobs(conn: Connection, status: JobStatus | None = None, tenant_id: str | None = None,
              limit: int = 100) -> list[Job]:
    query = jobs.select().order_by(jobs.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(jobs.c.status == status.value)
    if tenant_id is not None:
        query = query.where(jobs.c.tenant_id == tenant_id)
    return [Job.from_row(row) for row in conn.execute(query)]


def counts(conn: Connection) -> dict[str, int]:
    """Number of jobs per status (every status present, zero when none)."""
    found = dict(conn.execute(sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status))
                 .all())
    return {status.value: int(found.get(status.value, 0)) for status in JobStatus}


def runnable_count(conn: Connection, now: datetime) -> int:
    """Jobs a worker could claim now or that are running: zero means the queue is idle."""
    return int(conn.execute(
        sa.select(sa.func.count()).select_from(jobs).where(sa.or_(
            sa.and_(jobs.c.status == JobStatus.TODO.value, jobs.c.scheduled_at <= now),
            jobs.c.status == JobStatus.DOING.value))
    ).scalar_one())


def purge_finished(conn: Connection, before: datetime) -> int:
    """Delete succeeded and cancelled jobs finished before ``before``; return how many."""
    result = conn.execute(jobs.delete().where(
        jobs.c.status.in_([JobStatus.SUCCEEDED.value, JobStatus.CANCELLED.value]),
        jobs.c.finished_at < before))
    return int(result.rowcount)
