"""Worker processes, SIGKILL and many workers: every job's effect happens exactly once.

These tests start real worker processes (``python -m marketdock.engine.probe``) against
a real database and kill them with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO

import pytest
import sqlalchemy as sa

from marketdock.engine import outbox, probe
from marketdock.engine.clock import SystemClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobSpec, JobStatus
from marketdock.engine.schema import jobs

pytestmark = pytest.mark.slow


OUTPUTS: dict[int, IO[bytes]] = {}


def start_worker(url: str, *extra: str) -> subprocess.Popen[bytes]:
    # Output goes to a temporary file: a full pipe would block the worker.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - must outlive this function
    process = subprocess.Popen([sys.executable, "-m", "marketdock.engine.probe", url, *extra],
                               stdout=output, stderr=subprocess.STDOUT)
    OUTPUTS[process.pid] = output
    return process


def output_of(process: subprocess.Popen[bytes]) -> str:
    output = OUTPUTS[process.pid]
    output.seek(0)
    return f"worker exited with {process.returncode}: {output.read().decode(errors='replace')}"


def wait_for(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def succeeded(db: Database) -> int:
    with db.read() as conn:
        return outbox.counts(conn)["succeeded"]


def assert_exactly_once(db: Database, expected: int) -> None:
    with db.read() as conn:
        counts = outbox.counts(conn)
        total, distinct = probe.effect_counts(conn)
    assert counts["succeeded"] == expected, counts
    assert (total, distinct) == (expected, expected)


def test_sigkill_mid_batch_loses_and_duplicates_nothing(db_url: str) -> None:
    db = Database.from_url(db_url)
    with db.begin() as conn:
        outbox.enqueue_many(conn, probe.specs(400, io_ms=5), SystemClock().now())
    first = start_worker(db_url, "--lease", "2")
    wait_for(lambda: succeeded(db) >= 50)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert succeeded(db) < 400, "the worker finished before it could be killed"
    restarted = start_worker(db_url, "--lease", "2", "--until-idle")
    assert restarted.wait(timeout=120) == 0, output_of(restarted)
    assert_exactly_once(db, 400)
    db.dispose()


@pytest.mark.postgres
def test_eight_workers_drain_ten_thousand_jobs_and_a_killed_worker_is_reclaimed(
        postgres_schema_url: str) -> None:
    url = postgres_schema_url
    db = Database.from_url(url)
    from marketdock.engine.schema import metadata
    metadata.create_all(db.engine)
    now = SystemClock().now()
    hang = JobSpec(probe.TASK, probe.TENANT,
                   probe.ProbePayload(n=10_000, hang_first_attempt=True).model_dump(),
                   max_attempts=5)
    with db.begin() as conn:
        hang_id = outbox.enqueue(conn, hang, now)
        outbox.enqueue_many(conn, probe.specs(10_000), now)
    workers = [start_worker(url, "--lease", "3", "--until-idle") for _ in range(8)]

    def hung_worker_pid() -> int | None:
        with db.read() as conn:
            row = conn.execute(sa.select(jobs.c.worker, jobs.c.status)
                               .where(jobs.c.id == hang_id)).one()
        if row.status != JobStatus.DOING.value or row.worker is None:
            return None
        return int(row.worker.split(":")[1])

    wait_for(lambda: hung_worker_pid() is not None)
    victim = hung_worker_pid()
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    for worker in workers:
        code = worker.wait(timeout=300)
        if worker.pid != victim:
            assert code == 0, output_of(worker)
    assert_exactly_once(db, 10_001)
    with db.read() as conn:
        reclaimed = outbox.get(conn, hang_id)
        per_worker = conn.execute(sa.select(sa.func.count(sa.distinct(jobs.c.worker)))).scalar()
    assert reclaimed is not None and reclaimed.attempts == 2 and reclaimed.worker
    assert int(reclaimed.worker.split(":")[1]) != victim
    assert per_worker and per_worker >= 2
    db.dispose()
