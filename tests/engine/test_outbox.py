"""The outbox on SQLite and PostgreSQL: enqueue, claim, locks, priorities, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketdock.engine import outbox
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobSpec, JobStatus, Priority
from marketdock.errors import AlreadyEnqueued, LeaseLost, StorageError
from marketdock.monitor import exceptions

LEASE = timedelta(seconds=30)


def put(db: Database, clock: FrozenClock, **fields: object) -> int | None:
    spec = JobSpec(task=str(fields.pop("task", "t")), tenant_id=str(fields.pop("tenant", "acme")),
                   **fields)  # type: ignore[arg-type]
    with db.begin() as conn:
        return outbox.enqueue(conn, spec, clock.now())


def test_enqueue_claim_finish(db: Database) -> None:
    clock = FrozenClock()
    job_id = put(db, clock, payload={"order": 1})
    job = outbox.claim(db, "w1", clock.now(), LEASE)
    assert job is not None and job.id == job_id
    assert (job.status, job.attempts, job.payload) == (JobStatus.DOING, 1, {"order": 1})
    assert outbox.claim(db, "w2", clock.now(), LEASE) is None
    with db.begin() as conn:
        outbox.finish(conn, job, clock.now())
    with db.read() as conn:
        assert outbox.counts(conn)["succeeded"] == 1
        assert outbox.runnable_count(conn, clock.now()) == 0


def test_enqueue_rolls_back_with_its_transaction(db: Database) -> None:
    clock = FrozenClock()
    with pytest.raises(RuntimeError), db.begin() as conn:
        outbox.enqueue(conn, JobSpec(task="t", tenant_id="acme"), clock.now())
        raise RuntimeError("the state change failed")
    assert outbox.claim(db, "w", clock.now(), LEASE) is None


def test_queueing_lock_drops_identical_waiting_jobs(db: Database) -> None:
    clock = FrozenClock()
    first = put(db, clock, queueing_lock="stock:SKU-1")
    assert first is not None
    assert put(db, clock, queueing_lock="stock:SKU-1") is None
    assert put(db, clock, queueing_lock="stock:SKU-1", tenant="other") is not None
    job = outbox.claim(db, "w", clock.now(), LEASE, tasks=frozenset({"t"}))
    assert job is not None and job.id == first
    # once the first is running, a new identical job may wait again
    assert put(db, clock, queueing_lock="stock:SKU-1") is not None


def test_lock_keeps_two_jobs_of_one_object_apart(db: Database) -> None:
    clock = FrozenClock()
    a = put(db, clock, lock="order:42")
    b = put(db, clock, lock="order:42")
    c = put(db, clock, lock="order:43")
    first = outbox.claim(db, "w1", clock.now(), LEASE)
    assert first is not None and first.id == a
    second = outbox.claim(db, "w2", clock.now(), LEASE)
    assert second is not None and second.id == c
    assert outbox.claim(db, "w3", clock.now(), LEASE) is None
    with db.begin() as conn:
        outbox.finish(conn, first, clock.now())
    third = outbox.claim(db, "w3", clock.now(), LEASE)
    assert third is not None and third.id == b


def test_priority_then_deadline_then_age(db: Database) -> None:
    clock = FrozenClock()
    now = clock.now()
    other = put(db, clock, task="other", priority=Priority.OTHER)
    late_stock = put(db, clock, task="stock-late", priority=Priority.STOCK,
                     deadline=now + timedelta(hours=5))
    no_deadline_stock = put(db, clock, task="stock-none", priority=Priority.STOCK)
    urgent_stock = put(db, clock, task="stock-urgent", priority=Priority.STOCK,
                       deadline=now + timedelta(hours=1))
    tracking = put(db, clock, task="tracking", priority=Priority.TRACKING)
    order = []
    while (job := outbox.claim(db, "w", clock.now(), LEASE)) is not None:
        order.append(job.id)
    assert order == [tracking, urgent_stock, late_stock, no_deadline_stock, other]


def test_future_jobs_wait_for_their_time(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock, scheduled_at=clock.now() + timedelta(minutes=5))
    assert outbox.claim(db, "w", clock.now(), LEASE) is None
    clock.advance(minutes=5)
    assert outbox.claim(db, "w", clock.now(), LEASE) is not None


def test_expired_lease_is_reclaimed_and_the_old_claim_is_fenced_off(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock, lock="order:1")
    stale = outbox.claim(db, "dying", clock.now(), LEASE)
    assert stale is not None
    assert outbox.claim(db, "w2", clock.now() + LEASE / 2, LEASE) is None
    clock.advance(seconds=31)
    fresh = outbox.claim(db, "w2", clock.now(), LEASE)
    assert fresh is not None and fresh.id == stale.id and fresh.attempts == 2
    with pytest.raises(LeaseLost), db.begin() as conn:
        outbox.finish(conn, stale, clock.now())
    with db.begin() as conn:
        outbox.finish(conn, fresh, clock.now())
    with db.read() as conn:
        job = outbox.get(conn, fresh.id)
    assert job is not None and job.status is JobStatus.SUCCEEDED and job.worker == "w2"


def test_retry_then_bury_then_replay(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock, queueing_lock="q")
    job = outbox.claim(db, "w", clock.now(), LEASE)
    assert job is not None
    outbox.retry(db, job, clock.now() + timedelta(seconds=10), "timeout", clock.now())
    assert outbox.claim(db, "w", clock.now(), LEASE) is None
    clock.advance(seconds=10)
    job = outbox.claim(db, "w", clock.now(), LEASE)
    assert job is not None and job.attempts == 2 and job.last_error == "timeout"
    outbox.bury(db, job, "gave up", clock.now())
    with db.read() as conn:
        dead = outbox.list_jobs(conn, JobStatus.DEAD)
    assert [j.id for j in dead] == [job.id]
    with db.begin() as conn:
        exceptions.open_exception(conn, tenant_id="acme", type="job_dead", object_type="job",
                                  object_id=str(job.id), reason="gave up", now=clock.now())
    replayed = outbox.replay(db, job.id, clock.now())
    assert (replayed.status, replayed.attempts) == (JobStatus.TODO, 0)
    with db.read() as conn:
        assert exceptions.open_counts(conn) == {}
    with pytest.raises(StorageError):
        outbox.replay(db, job.id, clock.now())


def test_replay_refused_while_an_identical_job_waits(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock, queueing_lock="q")
    job = outbox.claim(db, "w", clock.now(), LEASE)
    assert job is not None
    outbox.bury(db, job, "dead", clock.now())
    put(db, clock, queueing_lock="q")
    with pytest.raises(AlreadyEnqueued):
        outbox.replay(db, job.id, clock.now())


def test_retry_without_counting_the_attempt(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock)
    job = outbox.claim(db, "w", clock.now(), LEASE)
    assert job is not None
    outbox.retry(db, job, clock.now(), "429", clock.now(), count_attempt=False)
    again = outbox.claim(db, "w", clock.now(), LEASE)
    assert again is not None and again.attempts == 1


def test_purge_finished(db: Database) -> None:
    clock = FrozenClock()
    put(db, clock)
    put(db, clock)
    job = outbox.claim(db, "w", clock.now(), LEASE)
    assert job is not None
    with db.begin() as conn:
        outbox.finish(conn, job, clock.now())
        assert outbox.purge_finished(conn, clock.now() + timedelta(days=1)) == 1
        assert sum(outbox.counts(conn).values()) == 1


def test_enqueue_many(db: Database) -> None:
    clock = FrozenClock()
    with db.begin() as conn:
        assert outbox.enqueue_many(conn, [JobSpec("t", "acme", {"n": n}) for n in range(50)],
                                   clock.now()) == 50
        with pytest.raises(StorageError):
            outbox.enqueue_many(conn, [JobSpec("t", "acme", queueing_lock="x")], clock.now())
        assert outbox.counts(conn)["todo"] == 50


def test_claim_many_takes_a_batch_in_claim_order_and_release_gives_it_back(db: Database) -> None:
    clock = FrozenClock()
    ids = [put(db, clock, priority=Priority.OTHER) for _ in range(3)]
    urgent = put(db, clock, priority=Priority.TRACKING)
    batch = outbox.claim_many(db, "w", clock.now(), LEASE, limit=3)
    assert [job.id for job in batch] == [urgent, ids[0], ids[1]]
    outbox.release(db, batch[2], clock.now())
    with db.read() as conn:
        released = outbox.get(conn, ids[1])
    assert released is not None and (released.status, released.attempts) == (JobStatus.TODO, 0)
    again = outbox.claim_many(db, "w", clock.now(), LEASE, limit=10)
    assert [job.id for job in again] == [ids[1], ids[2]]


def test_claim_many_never_runs_two_jobs_of_one_lock(db: Database) -> None:
    clock = FrozenClock()
    first = put(db, clock, lock="sku:1")
    put(db, clock, lock="sku:1")
    batch = outbox.claim_many(db, "w", clock.now(), LEASE, limit=5)
    assert [job.id for job in batch] == [first]
