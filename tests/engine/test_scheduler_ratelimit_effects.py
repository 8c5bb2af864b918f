"""Scheduler ticks, shared rate-limit buckets and the effect ledger, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketdock.engine import effects, outbox
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import Priority
from marketdock.engine.ratelimit import Limit, RateLimiter
from marketdock.engine.scheduler import Schedule, Scheduler
from marketdock.engine.tasks import TaskRegistry
from marketdock.errors import ConfigError, RateLimited


def test_any_number_of_schedulers_enqueue_each_tick_once(db: Database) -> None:
    clock = FrozenClock()
    registry = TaskRegistry()
    registry.register("orders", lambda ctx, p: None)
    schedules = [Schedule("acme-orders", "acme", "orders", timedelta(minutes=1))]
    schedulers = [Scheduler(db, registry, schedules, clock=clock) for _ in range(3)]
    assert sum(len(s.tick()) for s in schedulers) == 1
    clock.advance(seconds=30)
    assert sum(len(s.tick()) for s in schedulers) in (0, 1)  # same or next minute
    clock.advance(seconds=60)
    assert sum(len(s.tick()) for s in schedulers) == 1
    with db.read() as conn:
        assert outbox.counts(conn)["todo"] in (2, 3)


def test_tick_is_the_period_boundary() -> None:
    clock = FrozenClock()
    schedule = Schedule("s", "acme", "t", timedelta(minutes=15))
    tick = schedule.tick_at(clock.now() + timedelta(minutes=7, seconds=3))
    assert tick.minute % 15 == 0 and tick.second == 0 and tick <= clock.now() + timedelta(minutes=8)


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_refills_at_its_rate_and_caps_at_burst(db: Database) -> None:
    seconds = Seconds()
    limiter = RateLimiter(db, clock=seconds)
    limiter.configure("acme", "otto-1", "shipments", Limit(rate=2.0, burst=2))
    take = lambda: limiter.try_acquire("acme", "otto-1", "shipments", Priority.TRACKING)  # noqa: E731
    assert take() == 0.0 and take() == 0.0
    assert take() == pytest.approx(0.5)
    seconds.now += 10
    assert [take() for _ in range(3)][:2] == [0.0, 0.0]


def test_buckets_are_shared_between_limiters(db: Database) -> None:
    seconds = Seconds()
    a, b = RateLimiter(db, clock=seconds), RateLimiter(db, clock=seconds)
    a.configure("acme", "amz", "confirmShipment", Limit(rate=1.0, burst=3))
    results = [limiter.try_acquire("acme", "amz", "confirmShipment", Priority.TRACKING)
               for limiter in (a, b, a, b)]
    assert results[:3] == [0.0, 0.0, 0.0] and results[3] > 0


def test_lower_priorities_leave_a_reserve_for_tracking(db: Database) -> None:
    seconds = Seconds()
    limiter = RateLimiter(db, clock=seconds)
    limiter.configure("acme", "amz", "orders", Limit(rate=1.0, burst=10))
    taken = {p: 0 for p in Priority}
    for priority in (Priority.OTHER, Priority.STOCK, Priority.TRACKING):
        while limiter.try_acquire("acme", "amz", "orders", priority) == 0.0:
            taken[priority] += 1
    assert taken == {Priority.OTHER: 6, Priority.STOCK: 2, Priority.TRACKING: 2}


def test_429_blocks_the_bucket_and_headers_adjust_the_rate(db: Database) -> None:
    seconds = Seconds()
    limiter = RateLimiter(db, clock=seconds)
    limiter.configure("acme", "amz", "feeds", Limit(rate=1.0, burst=5))
    limiter.penalize("acme", "amz", "feeds", retry_after=30)
    assert limiter.try_acquire("acme", "amz", "feeds") == pytest.approx(30)
    seconds.now += 30
    limiter.adjust_rate("acme", "amz", "feeds", 0.5)
    assert limiter.try_acquire("acme", "amz", "feeds", Priority.TRACKING) > 0  # bucket emptied
    seconds.now += 2
    assert limiter.try_acquire("acme", "amz", "feeds", Priority.TRACKING) == 0.0


def test_acquire_waits_then_gives_up_as_rate_limited(db: Database) -> None:
    seconds = Seconds()
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        seconds.now += s

    limiter = RateLimiter(db, clock=seconds, sleep=sleep)
    limiter.configure("acme", "otto", "stock", Limit(rate=1.0, burst=1))
    limiter.acquire("acme", "otto", "stock")
    limiter.acquire("acme", "otto", "stock")
    assert slept == [pytest.approx(1.0)]
    limiter.penalize("acme", "otto", "stock", retry_after=120)
    with pytest.raises(RateLimited) as caught:
        limiter.acquire("acme", "otto", "stock", max_wait=10)
    assert caught.value.retry_after == pytest.approx(120)
    with pytest.raises(ConfigError):
        limiter.try_acquire("acme", "otto", "unknown-operation")


def test_effect_is_claimed_once_and_remembers_attempts(db: Database) -> None:
    clock = FrozenClock()
    with db.begin() as conn:
        first = effects.claim(conn, "acme", "warehouse_order", "order:1", clock.now())
    assert not first.maybe_sent
    with db.begin() as conn:  # the first send timed out; a retry claims again
        second = effects.claim(conn, "acme", "warehouse_order", "order:1", clock.now())
    assert second.id == first.id and second.maybe_sent
    with db.begin() as conn:
        effects.complete(conn, second.id, "WH-77", clock.now())
        third = effects.claim(conn, "acme", "warehouse_order", "order:1", clock.now())
        assert third.done and third.remote_ref == "WH-77"
        assert effects.count(conn, "acme", "warehouse_order") == 1
