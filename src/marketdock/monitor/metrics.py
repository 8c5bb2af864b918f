"""Prometheus metrics read from the database at scrape time.

The database is the truth shared by all workers on all hosts, so any process's
``/metrics`` shows the whole installation.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from marketdock.engine.db import Database
from marketdock.engine.schema import business_exceptions, jobs


class HubCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        job_gauge = GaugeMetricFamily("marketdock_jobs", "Jobs in the outbox by status",
                                      labels=["tenant", "task", "status"])
        exception_gauge = GaugeMetricFamily(
            "marketdock_open_exceptions", "Open business exceptions by type",
            labels=["tenant", "type"])
        with self.db.read() as conn:
            for tenant, task, status, count in conn.execute(
                    sa.select(jobs.c.tenant_id, jobs.c.task, jobs.c.status, sa.func.count())
                    .group_by(jobs.c.tenant_id, jobs.c.task, jobs.c.status)):
                job_gauge.add_metric([tenant, task, status], count)
            for tenant, kind, count in conn.execute(
                    sa.select(business_exceptions.c.tenant_id, business_exceptions.c.type,
                              sa.func.count())
                    .where(business_exceptions.c.status == "open")
                    .group_by(business_exceptions.c.tenant_id, business_exceptions.c.type)):
                exception_gauge.add_metric([tenant, kind], count)
        yield job_gauge
        yield exception_gauge


def registry_for(db: Database) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(HubCollector(db))
    return registry
