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
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.engine.db import Database
from marketdock.engine.jobs import Job, JobSpec, JobStatus
from marketdock.engine.schema import NO_DEADLINE, jobs
from marketdock.engine.types import UTCDateTime
from marketdock.errors import AlreadyEnqueued, LeaseLost, StorageError
from marketdock.monitor import exceptions

_WAITING_WHERE = sa.text("status = 'todo'")
_INSERT = jobs.insert().returning(jobs.c.id)


@cache
def _insert_unless_waiting(dialect: str) -> sa.Insert:
    insert = postgresql.insert(jobs) if dialect == "postgresql" else sqlite.insert(jobs)
    return insert.on_conflict_do_nothing(
        index_elements=["tenant_id", "queueing_lock"], index_where=_WAITING_WHERE
    ).returning(jobs.c.id)


def enqueue(conn: Connection, spec: JobSpec, now: datetime) -> int | None:
    """Insert a job; return its id, or None when its queueing lock drops it as a duplicate."""
    statement = _INSERT if spec.queueing_lock is None else \
        _insert_unless_waiting(conn.dialect.name)
    job_id = conn.execute(statement, _values(spec, now)).scalar_one_or_none()
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
        "urgency": spec.deadline or NO_DEADLINE,
        "scheduled_at": spec.scheduled_at or now,
        "lock": spec.lock,
        "queueing_lock": spec.queueing_lock,
        "attempts": 0,
        "max_attempts": spec.max_attempts,
        "created_at": now,
        "updated_at": now,
    }


_CLAIM_SQL = """
UPDATE jobs
SET status = 'doing', attempts = attempts + 1, claim_token = :token, worker = :worker,
    lease_until = :lease_until, updated_at = :now
WHERE id IN (
    SELECT id FROM jobs AS candidate
    WHERE {condition} {tasks}
    ORDER BY priority, urgency, scheduled_at, id
    LIMIT :limit {skip_locked}
)
RETURNING {columns}
"""
_STALE = "candidate.status = 'doing' AND candidate.lease_until < :now"
_WAITING = """candidate.status = 'todo' AND candidate.scheduled_at <= :now
      AND (candidate.lock IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs AS running
          WHERE running.status = 'doing' AND running.tenant_id = candidate.tenant_id
            AND running.lock = candidate.lock AND running.id != candidate.id))"""


@cache
def _claim_statements(dialect: str, with_tasks: bool) -> tuple[sa.TextualSelect,
                                                              sa.TextualSelect]:
    """(reclaim a job whose worker died, claim the most urgent waiting job).

    Hand-written SQL: the claim runs once per job, and a text statement skips SQLAlchemy's
    per-execution cache-key work on a nested statement, which cost more than the query.
    Status literals in the SQL let SQLite use the partial unique index on running locks.
    The waiting-job select walks the ``ix_jobs_claim_order`` index in order.
    """
    skip_locked = "FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else ""
    tasks = "AND candidate.task IN :tasks" if with_tasks else ""
    columns = ", ".join(column.name for column in jobs.c)
    binds: list[sa.BindParameter[Any]] = [
             sa.bindparam("now", type_=UTCDateTime()),
             sa.bindparam("lease_until", type_=UTCDateTime()),
             sa.bindparam("token", type_=sa.String()), sa.bindparam("worker", type_=sa.String()),
             sa.bindparam("limit", type_=sa.Integer())]
    if with_tasks:
        binds.append(sa.bindparam("tasks", expanding=True))

    def statement(condition: str) -> sa.TextualSelect:
        text = _CLAIM_SQL.format(condition=condition, tasks=tasks, skip_locked=skip_locked,
                                 columns=columns)
        return sa.text(text).bindparams(*binds).columns(*jobs.c)

    return statement(_STALE), statement(_WAITING)


def claim(db: Database, worker: str, now: datetime, lease: timedelta,
          tasks: frozenset[str] | None = None, *, stale_first: bool = True) -> Job | None:
    """Claim one runnable job, or None (see :func:`claim_many`)."""
    found = claim_many(db, worker, now, lease, tasks, stale_first=stale_first, limit=1)
    return found[0] if found else None


def claim_many(db: Database, worker: str, now: datetime, lease: timedelta,
               tasks: frozenset[str] | None = None, *, stale_first: bool = True,
               limit: int = 1) -> list[Job]:
    """Claim up to ``limit`` runnable jobs in one transaction, most urgent first.

    Runnable: a job whose worker died (its lease expired), or a waiting job that is due
    and whose lock no running job holds; ordered by priority class, then deadline
    (earliest first, none last), then schedule time, then age. ``stale_first`` looks for
    dead workers' jobs before waiting ones; a busy worker sets it only now and then
    (see :class:`~marketdock.engine.worker.Worker`), since each look costs a statement.
    When two claimed jobs share a lock the database refuses the batch and one job is
    claimed instead.
    """
    params: dict[str, Any] = {"now": now, "token": str(uuid.uuid4()), "worker": worker,
                              "lease_until": now + lease, "limit": limit}
    if tasks is not None:
        params["tasks"] = sorted(tasks)
    try:
        with db.begin() as conn:
            stale, waiting = _claim_statements(conn.dialect.name, tasks is not None)
            for statement in (stale, waiting) if stale_first else (waiting, stale):
                rows = conn.execute(statement, params).all()
                if rows:
                    return sorted((Job.from_row(row) for row in rows), key=Job.claim_order)
    except sa.exc.IntegrityError:
        # Two claimed jobs share a lock, in this batch or with another worker's claim.
        if limit > 1:
            return claim_many(db, worker, now, lease, tasks, stale_first=stale_first, limit=1)
        return []
    return []


_FENCED = sa.and_(jobs.c.id == sa.bindparam("fence_id"),
                  jobs.c.claim_token == sa.bindparam("fence_token"),
                  jobs.c.status == JobStatus.DOING.value)
# Like the claim, finishing runs once per job and is written by hand to skip SQLAlchemy's
# per-execution work on the statement.
_FINISH = sa.text(
    "UPDATE jobs SET status = 'succeeded', lease_until = NULL, updated_at = :now, "
    "finished_at = :now, last_error = NULL "
    "WHERE id = :fence_id AND claim_token = :fence_token AND status = 'doing'"
).bindparams(sa.bindparam("now", type_=UTCDateTime()))
_RETRY = jobs.update().where(_FENCED).values(
    status=JobStatus.TODO.value, scheduled_at=sa.bindparam("at"), lease_until=None,
    claim_token=None, last_error=sa.bindparam("error"),
    attempts=jobs.c.attempts - sa.bindparam("refund"), updated_at=sa.bindparam("now"))
_BURY = jobs.update().where(_FENCED).values(
    status=JobStatus.DEAD.value, lease_until=None, last_error=sa.bindparam("error"),
    updated_at=sa.bindparam("now"), finished_at=sa.bindparam("now"))
_EXTEND = jobs.update().where(_FENCED).values(
    lease_until=sa.bindparam("until"), updated_at=sa.bindparam("now"))
_RELEASE = jobs.update().where(_FENCED).values(
    status=JobStatus.TODO.value, attempts=jobs.c.attempts - 1, claim_token=None, worker=None,
    lease_until=None, updated_at=sa.bindparam("now"))


def _run_fenced(conn: Connection, statement: sa.Update | sa.TextClause, job: Job,
                **params: Any) -> None:
    """Run a statement that only touches the job while this claim still holds it."""
    params.update(fence_id=job.id, fence_token=job.claim_token)
    if conn.execute(statement, params).rowcount != 1:
        raise LeaseLost(f"job {job.id} ({job.task}) was reclaimed by another worker")


def finish(conn: Connection, job: Job, now: datetime) -> None:
    """Mark a claimed job succeeded, on the caller's transaction; fenced by the claim."""
    _run_fenced(conn, _FINISH, job, now=now)


def retry(db: Database, job: Job, at: datetime, error: str, now: datetime,
          count_attempt: bool = True) -> None:
    """Give a claimed job back to the queue to run again at ``at``."""
    with db.begin() as conn:
        _run_fenced(conn, _RETRY, job, at=at, error=error, now=now,
                    refund=0 if count_attempt else 1)


def bury(db: Database, job: Job, error: str, now: datetime) -> None:
    """Move a claimed job to the dead state, where it is listed and can be replayed."""
    with db.begin() as conn:
        _run_fenced(conn, _BURY, job, error=error, now=now)


def release(db: Database, job: Job, now: datetime) -> None:
    """Give back a claimed job that never started, as if it had not been claimed."""
    with db.begin() as conn:
        _run_fenced(conn, _RELEASE, job, now=now)


def extend_lease(db: Database, job: Job, until: datetime, now: datetime) -> None:
    """Keep a long-running job's claim alive (the worker's heartbeat)."""
    with db.begin() as conn:
        _run_fenced(conn, _EXTEND, job, until=until, now=now)


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
    query = sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
    found: dict[str, int] = {str(status): int(n) for status, n in conn.execute(query)}
    return {status.value: found.get(status.value, 0) for status in JobStatus}


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
