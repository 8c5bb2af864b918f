"""The worker settles every outcome and never stops on a bad job."""

from __future__ import annotations

from datetime import timedelta

import pydantic
import pytest
import sqlalchemy as sa

from marketdock.engine import outbox
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobSpec, JobStatus
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.schema import audit_events
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext, Worker
from marketdock.errors import (
    BadJobPayload,
    ConfigError,
    RateLimited,
    RemoteError,
    TransportError,
    UnknownSku,
    UnknownTask,
)
from marketdock.monitor import exceptions


class OrderRef(pydantic.BaseModel):
    order_id: int


def make(db: Database, clock: FrozenClock) -> tuple[TaskRegistry, Worker, list[str]]:
    registry = TaskRegistry()
    calls: list[str] = []
    policy = RetryPolicy(base=timedelta(seconds=1), jitter=0.0)
    return registry, Worker(db, registry, name="w", clock=clock, policy=policy,
                            poll_interval=0.01), calls


def defer(db: Database, registry: TaskRegistry, clock: FrozenClock, task: str,
          payload: object = None) -> int | None:
    with db.begin() as conn:
        return registry.defer(conn, clock.now(), task, "acme", payload)


def record_audit(ctx: JobContext, payload: OrderRef) -> None:
    with ctx.transaction() as conn:
        conn.execute(audit_events.insert().values(
            tenant_id=ctx.job.tenant_id, object_type="order", object_id=str(payload.order_id),
            action="sent", system="test", job_id=ctx.job.id, at=ctx.clock.now(), details={}))


def test_handler_writes_commit_with_the_job(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, _ = make(db, clock)
    registry.register("send", record_audit, payload=OrderRef, lock=lambda p: f"order:{p.order_id}")
    defer(db, registry, clock, "send", {"order_id": 7})
    assert worker.run(until_idle=True) == 1
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_events)).scalar() == 1
        assert outbox.counts(conn)["succeeded"] == 1


def test_handler_writes_roll_back_when_the_lease_was_lost(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, _ = make(db, clock)

    def slow_then_write(ctx: JobContext, payload: OrderRef) -> None:
        # meanwhile the lease ran out and another worker took the job
        clock.advance(seconds=120)
        assert outbox.claim(db, "other", clock.now(), timedelta(seconds=60)) is not None
        record_audit(ctx, payload)

    registry.register("send", slow_then_write, payload=OrderRef)
    defer(db, registry, clock, "send", {"order_id": 7})
    worker.run_once()
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_events)).scalar() == 0
        assert outbox.counts(conn)["doing"] == 1


def test_transient_errors_retry_with_backoff_then_die(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)

    def flaky(ctx: JobContext, payload: object) -> None:
        calls.append("x")
        raise TransportError("connection reset")

    registry.register("flaky", flaky, max_attempts=3)
    defer(db, registry, clock, "flaky")
    assert worker.run_once()
    assert not worker.run_once()  # waits for its backoff
    for _ in range(2):
        clock.advance(seconds=60)
        assert worker.run_once()
    assert len(calls) == 3
    with db.read() as conn:
        dead = outbox.list_jobs(conn, JobStatus.DEAD)
        opened = exceptions.list_open(conn)
    assert len(dead) == 1 and "gave up after 3 attempts" in (dead[0].last_error or "")
    assert [(e.type, e.object_id) for e in opened] == [("job_dead", str(dead[0].id))]


@pytest.mark.parametrize("error", [UnknownSku("SKU-9 unknown"),
                                   RemoteError("bad carrier", status=400),
                                   ConfigError("channel otto: no ship-from address")])
def test_permanent_errors_die_at_once(db: Database, error: Exception) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)

    def broken(ctx: JobContext, payload: object) -> None:
        calls.append("x")
        raise error

    registry.register("broken", broken)
    defer(db, registry, clock, "broken")
    worker.run(until_idle=True)
    assert calls == ["x"]
    with db.read() as conn:
        assert outbox.counts(conn)["dead"] == 1


def test_rate_limited_jobs_wait_without_using_attempts(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)

    def limited(ctx: JobContext, payload: object) -> None:
        calls.append("x")
        if len(calls) < 5:
            raise RateLimited("429", retry_after=2)

    registry.register("limited", limited, max_attempts=2)
    defer(db, registry, clock, "limited")
    for _ in range(5):
        assert worker.run_once()
        clock.advance(seconds=2)
    with db.read() as conn:
        assert outbox.counts(conn)["succeeded"] == 1


def test_bad_payload_and_unknown_task_do_not_stop_the_loop(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)
    registry.register("send", lambda ctx, p: calls.append(str(p.order_id)), payload=OrderRef)
    with db.begin() as conn:
        outbox.enqueue(conn, JobSpec("send", "acme", {"order_id": "not-a-number"}), clock.now())
        outbox.enqueue(conn, JobSpec("vanished-task", "acme"), clock.now())
        outbox.enqueue(conn, JobSpec("send", "acme", {"order_id": 5}), clock.now())
    assert worker.run(until_idle=True) == 3
    assert calls == ["5"]
    with db.read() as conn:
        dead = {job.task: job.last_error for job in outbox.list_jobs(conn, JobStatus.DEAD)}
    assert "order_id: Input should be a valid integer" in (dead["send"] or "")
    assert "no task named 'vanished-task'" in (dead["vanished-task"] or "")


def test_enqueueing_a_bad_payload_is_refused_with_the_field_named() -> None:
    registry = TaskRegistry()
    registry.register("send", lambda ctx, p: None, payload=OrderRef)
    with pytest.raises(BadJobPayload, match="order_id: Field required"):
        registry.spec("send", "acme", {})
    with pytest.raises(UnknownTask):
        registry.spec("nope", "acme")
    with pytest.raises(ConfigError):
        registry.register("send", lambda ctx, p: None)


def test_job_reclaimed_too_often_is_buried(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)
    registry.register("crashy", lambda ctx, p: calls.append("x"), max_attempts=2)
    defer(db, registry, clock, "crashy")
    for _ in range(2):  # two workers die holding it
        assert outbox.claim(db, "dies", clock.now(), timedelta(seconds=1)) is not None
        clock.advance(seconds=2)
    worker.run_once()
    assert calls == []
    with db.read() as conn:
        assert "workers kept dying" in (outbox.list_jobs(conn, JobStatus.DEAD)[0].last_error or "")


def test_follow_up_jobs_commit_with_the_job(db: Database) -> None:
    clock = FrozenClock()
    registry, worker, calls = make(db, clock)

    def first(ctx: JobContext, payload: object) -> None:
        with ctx.transaction() as conn:
            ctx.defer(conn, "second")

    registry.register("first", first)
    registry.register("second", lambda ctx, p: calls.append("second"))
    defer(db, registry, clock, "first")
    assert worker.run(until_idle=True) == 2
    assert calls == ["second"]


def test_prefetched_jobs_run_in_order_and_are_released_when_the_worker_stops(
        db: Database) -> None:
    clock = FrozenClock()
    registry = TaskRegistry()
    seen: list[int] = []
    registry.register("send", lambda ctx, p: seen.append(p.order_id), payload=OrderRef)
    for n in range(5):
        defer(db, registry, clock, "send", {"order_id": n})
    worker = Worker(db, registry, name="w", clock=clock, prefetch=3, poll_interval=0.01)
    assert worker.run(max_jobs=2) == 2
    assert seen == [0, 1]
    with db.read() as conn:
        counts = outbox.counts(conn)
    assert (counts["todo"], counts["doing"], counts["succeeded"]) == (3, 0, 2)
    assert worker.run(until_idle=True) == 3
    assert seen == [0, 1, 2, 3, 4]
