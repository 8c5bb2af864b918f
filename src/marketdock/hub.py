"""The hub: everything one marketdock process needs, built explicitly from the config.

There is no global state: the CLI, the HTTP API and the tests build a :class:`Hub` and
pass it around. Building it checks the parts of the configuration only the running code
can check (a schedule must name a flow that exists) and fails with the key path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import httpx
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.factory import ConfigPorts, default_http
from marketdock.engine import migrate
from marketdock.engine.clock import Clock, SystemClock
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.engine.scheduler import Schedule, Scheduler
from marketdock.engine.schema import channel_accounts, tenants, warehouses
from marketdock.engine.secret_store import DatabaseSecretStore
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.errors import ConfigError, StorageError
from marketdock.flows import register_flows
from marketdock.flows.ports import Ports
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.ticks import FlowTick, schedule_from_config
from marketdock.secrets import KEY_ENV, SecretBox, SecretResolver


class Hub:
    def __init__(self, config: Config, *, environ: Mapping[str, str] | None = None,
                 clock: Clock | None = None, db: Database | None = None,
                 ports: Ports | None = None,
                 http: Callable[[str], httpx.Client] = default_http,
                 limiter: RateLimiter | None = None) -> None:
        self.config = config
        self.environ = os.environ if environ is None else environ
        self.clock = clock or SystemClock()
        self.db = db or Database.from_url(config.database_url)
        self.secret_store = DatabaseSecretStore(self.db)
        self.limiter = limiter or RateLimiter(self.db)
        self.ports: Ports = ports or ConfigPorts(config, self.db, self.limiter, self.secrets,
                                                 self.clock, http)
        self.registry = register_flows(TaskRegistry(), config, self.ports)
        self.schedules = self._schedules()

    def _schedules(self) -> list[Schedule]:
        known = self.registry.names()
        schedules, problems = [], []
        for t, tenant in enumerate(self.config.tenants):
            for s, entry in enumerate(tenant.schedules):
                if entry.flow not in known:
                    problems.append(
                        f"tenants[{t}].schedules[{s}].flow: unknown flow {entry.flow!r} "
                        f"(this version has: {', '.join(sorted(known))})")
                else:
                    schedules.append(schedule_from_config(tenant, entry))
        if problems:
            raise ConfigError("the configuration names flows that do not exist:\n"
                              + "\n".join(f"  - {p}" for p in problems), problems=problems)
        return schedules

    @property
    def secrets(self) -> SecretResolver:
        box = SecretBox.from_environ(self.environ) if self.environ.get(KEY_ENV) else None
        return SecretResolver(self.environ, self.secret_store, box)

    def prepare(self, *, upgrade: bool) -> None:
        """Make the database current (or refuse to run on an old one) and load the config.

        ``upgrade`` applies pending migrations; without it, an out-of-date database is an
        error that tells the operator to run ``marketdock db upgrade``.
        """
        head, current = migrate.head_revision(), migrate.current_revision(self.db)
        if current != head:
            if not upgrade:
                raise StorageError(
                    f"the database is at schema revision {current or 'none'}, this version "
                    f"needs {head}; run `marketdock db upgrade`")
            migrate.upgrade(self.db)
        with self.db.begin() as conn:
            self._sync_config(conn, self.clock.now())

    def _sync_config(self, conn: Connection, now: datetime) -> None:
        """Upsert tenants, channel accounts and warehouses from the config."""
        insert = postgresql.insert if self.db.is_postgres else sqlite.insert
        for tenant in self.config.tenants:
            statement = insert(tenants).values(id=tenant.id, name=tenant.name, created_at=now)
            conn.execute(statement.on_conflict_do_update(
                index_elements=["id"], set_={"name": tenant.name}))
            for channel in tenant.channels:
                statement = insert(channel_accounts).values(
                    tenant_id=tenant.id, id=channel.id, channel=channel.kind.value,
                    name=channel.id, marketplace_ids=list(channel.marketplace_ids),
                    created_at=now)
                conn.execute(statement.on_conflict_do_update(
                    index_elements=["tenant_id", "id"],
                    set_={"channel": channel.kind.value,
                          "marketplace_ids": list(channel.marketplace_ids)}))
            for warehouse in tenant.warehouses:
                values = {"kind": warehouse.kind.value, "name": warehouse.id,
                          "cutoff": warehouse.cutoff.strftime("%H:%M"),
                          "timezone": warehouse.timezone}
                statement = insert(warehouses).values(tenant_id=tenant.id, id=warehouse.id,
                                                      created_at=now, **values)
                conn.execute(statement.on_conflict_do_update(
                    index_elements=["tenant_id", "id"], set_=values))

    def worker(self, name: str | None = None) -> Worker:
        return Worker(self.db, self.registry, name=name, clock=self.clock,
                      lease=timedelta(seconds=self.config.worker.lease_seconds),
                      poll_interval=self.config.worker.poll_interval,
                      prefetch=self.config.worker.prefetch)

    def scheduler(self) -> Scheduler:
        return Scheduler(self.db, self.registry, self.schedules, clock=self.clock)

    def enqueue_flow(self, flow: str, tenant_id: str | None = None) -> list[int]:
        """Enqueue one tick of ``flow`` now, for every matching schedule (or, for a flow
        with no schedule, once per tenant); return the job ids (a tick already waiting is
        not enqueued twice)."""
        self.registry.get(flow)
        targets = [(s.tenant_id, s.payload) for s in self.schedules
                   if s.task == flow and tenant_id in (None, s.tenant_id)]
        if not targets:
            targets = [(t.id, {}) for t in self.config.tenants if tenant_id in (None, t.id)]
        if not targets:
            raise ConfigError(f"no tenant {tenant_id!r} in the configuration" if tenant_id
                              else "the configuration has no tenants")
        now = self.clock.now()
        ids = []
        with self.db.begin() as conn:
            for target_tenant, payload in targets:
                job_id = self.registry.defer(conn, now, flow, target_tenant, payload)
                if job_id is not None:
                    ids.append(job_id)
        return ids

    def receive_warehouse_webhook(self, tenant_id: str, warehouse_id: str,
                                  headers: Mapping[str, str], body: bytes) -> int:
        """Verify one webhook delivery of a warehouse; when it reports packages, poll the
        warehouse now. The poll carries the packages (its cursor and the package store
        make a delivery that comes twice, late or never harmless); the webhook only makes
        it come sooner. Returns how many packages the delivery reported."""
        port = self.ports.warehouse(tenant_id, warehouse_id)
        receipt = port.receive_webhook(headers, body)
        if receipt.packages:
            with self.db.begin() as conn:
                self.registry.defer(conn, self.clock.now(), SHIPMENTS, tenant_id,
                                    FlowTick(warehouse=warehouse_id).model_dump())
        return len(receipt.packages)

    def close(self) -> None:
        self.db.dispose()
