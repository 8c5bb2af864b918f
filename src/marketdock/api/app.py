"""The HTTP API: health, status, jobs, business exceptions and Prometheus metrics.

It serves the same services as the CLI. The OpenAPI document is published at
``/openapi.json`` with interactive docs at ``/docs``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from prometheus_client import generate_latest
from pydantic import BaseModel

from marketdock import __version__
from marketdock.engine import outbox
from marketdock.engine.clock import Clock, SystemClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import Job, JobStatus
from marketdock.errors import (
    ConfigError,
    MarketdockError,
    OperationNotSupported,
    ValidationError,
)
from marketdock.monitor import exceptions
from marketdock.monitor.metrics import registry_for
from marketdock.monitor.status import snapshot


class JobOut(BaseModel):
    id: int
    tenant_id: str
    task: str
    status: str
    priority: int
    attempts: int
    max_attempts: int
    scheduled_at: str
    deadline: str | None
    last_error: str | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(id=job.id, tenant_id=job.tenant_id, task=job.task, status=job.status.value,
                   priority=int(job.priority), attempts=job.attempts,
                   max_attempts=job.max_attempts, scheduled_at=job.scheduled_at.isoformat(),
                   deadline=job.deadline.isoformat() if job.deadline else None,
                   last_error=job.last_error)


class ExceptionOut(BaseModel):
    id: int
    tenant_id: str
    type: str
    object_type: str
    object_id: str
    reason: str
    owner: str
    occurrences: int
    opened_at: str
    age_seconds: float


WarehouseWebhook = Callable[[str, str, Mapping[str, str], bytes], int]
"""(tenant, warehouse, headers, body) → packages reported (``Hub.receive_warehouse_webhook``)."""


def create_app(db: Database, clock: Clock | None = None,
               warehouse_webhook: WarehouseWebhook | None = None) -> FastAPI:
    clock = clock or SystemClock()
    app = FastAPI(title="marketdock", version=__version__)

    @app.post("/hooks/warehouses/{tenant}/{warehouse}", status_code=202)
    async def warehouse_hook(tenant: str, warehouse: str, request: Request) -> dict[str, int]:
        """A warehouse's webhook delivery (e.g. ShipBob ``order.shipped``): 202 once it is
        verified, 401 when its signature does not hold, 404 for an unknown warehouse or
        one that sends no webhooks."""
        if warehouse_webhook is None:
            raise HTTPException(404, "this process does not take webhooks")
        body = await request.body()
        try:
            packages = await run_in_threadpool(warehouse_webhook, tenant, warehouse,
                                               dict(request.headers), body)
        except ValidationError as exc:
            raise HTTPException(401, str(exc)) from exc
        except (ConfigError, OperationNotSupported) as exc:
            raise HTTPException(404, str(exc)) from exc
        return {"packages": packages}
    metrics = registry_for(db)

    @app.get("/health")
    def health() -> dict[str, str]:
        with db.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    @app.get("/status")
    def status() -> dict[str, Any]:
        return snapshot(db)

    @app.get("/jobs")
    def list_jobs(status: JobStatus | None = None, tenant: str | None = None,
                  limit: int = Query(100, ge=1, le=1000)) -> list[JobOut]:
        with db.read() as conn:
            return [JobOut.of(job) for job in outbox.list_jobs(conn, status, tenant, limit)]

    @app.post("/jobs/{job_id}/replay")
    def replay(job_id: int) -> JobOut:
        try:
            return JobOut.of(outbox.replay(db, job_id, clock.now()))
        except MarketdockError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc

    @app.get("/exceptions")
    def open_exceptions(tenant: str | None = None, type: str | None = None) -> list[ExceptionOut]:
        now = clock.now()
        with db.read() as conn:
            records = exceptions.list_open(conn, tenant, type)
        return [ExceptionOut(id=r.id, tenant_id=r.tenant_id, type=r.type,
                             object_type=r.object_type, object_id=r.object_id, reason=r.reason,
                             owner=r.owner, occurrences=r.occurrences,
                             opened_at=r.opened_at.isoformat(), age_seconds=r.age_seconds(now))
                for r in records]

    @app.get("/metrics", response_class=PlainTextResponse)
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(metrics).decode(),
                                 media_type="text/plain; version=0.0.4")

    return app
