"""Connectors built from the config: the :class:`~marketdock.flows.ports.Ports` of a hub.

Each channel or warehouse kind has a builder that turns its config section, resolved
secrets and shared services (database, rate limiter, HTTP client) into a port. Ports are
built on first use and kept, so token caches live as long as the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import httpx

from marketdock.config import ChannelConfig, Config, TenantConfig, WarehouseConfig
from marketdock.connectors.ports import MarketplacePort, WarehousePort
from marketdock.engine.clock import Clock
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.errors import ConfigError
from marketdock.secrets import SecretRef, SecretResolver


@dataclass(frozen=True)
class BuildContext:
    tenant_id: str
    db: Database
    limiter: RateLimiter
    secrets: SecretResolver
    clock: Clock
    http: Callable[[str], httpx.Client]
    """base URL → an httpx client (a real one, or one bound to a simulator)."""
    tenant: TenantConfig | None = None
    """The tenant's whole config, for what a connector needs of its neighbours (e.g. the
    ship-from address of the warehouse a package left)."""

    def credentials(self, refs: Mapping[str, object]) -> dict[str, str]:
        """Resolve every secret reference among ``refs`` (credentials or connection)."""
        return {key: self.secrets.resolve(self.tenant_id, ref) for key, ref in refs.items()
                if isinstance(ref, SecretRef)}


MarketplaceBuilder = Callable[[BuildContext, ChannelConfig], MarketplacePort]
WarehouseBuilder = Callable[[BuildContext, WarehouseConfig], WarehousePort]
P = TypeVar("P", MarketplacePort, WarehousePort)


def marketplace_builders() -> dict[str, MarketplaceBuilder]:
    """The connector for each channel kind of this version."""
    # imported here: every connector package imports BuildContext from this module
    from marketdock.connectors import amazon, otto

    return {"otto": otto.build, "amazon": amazon.build}


def warehouse_builders() -> dict[str, WarehouseBuilder]:
    """The connector for each warehouse kind of this version."""
    # imported here: every connector package imports BuildContext from this module
    from marketdock.connectors import filewarehouse, shipbob

    return {"rest": shipbob.build, "x12": filewarehouse.build_x12,
            "edifact": filewarehouse.build_edifact, "csv": filewarehouse.build_csv}


def default_http(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(30.0, connect=10.0))


class ConfigPorts:
    def __init__(self, config: Config, db: Database, limiter: RateLimiter,
                 secrets: SecretResolver, clock: Clock,
                 http: Callable[[str], httpx.Client] = default_http, *,
                 marketplaces: Mapping[str, MarketplaceBuilder] | None = None,
                 warehouses: Mapping[str, WarehouseBuilder] | None = None) -> None:
        self.marketplaces = marketplace_builders() if marketplaces is None else marketplaces
        self.warehouses = warehouse_builders() if warehouses is None else warehouses
        self.config = config
        self.db = db
        self.limiter = limiter
        self.secrets = secrets
        self.clock = clock
        self.http = http
        self._marketplaces: dict[tuple[str, str], MarketplacePort] = {}
        self._warehouses: dict[tuple[str, str], WarehousePort] = {}
        self._lock = threading.Lock()

    def _context(self, tenant_id: str) -> BuildContext:
        return BuildContext(tenant_id, self.db, self.limiter, self.secrets, self.clock,
                            self.http, self.config.tenant(tenant_id))

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        channel = self.config.tenant(tenant_id).channel(channel_id)
        builder = self.marketplaces.get(channel.kind.value)
        if builder is None:
            raise ConfigError(f"this version has no connector for {channel.kind.value} "
                              f"channels (channel {channel_id!r} of tenant {tenant_id!r})")
        return self._cached(self._marketplaces, (tenant_id, channel_id),
                            lambda: builder(self._context(tenant_id), channel))

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort:
        warehouse = self.config.tenant(tenant_id).warehouse(warehouse_id)
        builder = self.warehouses.get(warehouse.kind.value)
        if builder is None:
            raise ConfigError(f"this version has no connector for {warehouse.kind.value} "
                              f"warehouses (warehouse {warehouse_id!r} of tenant "
                              f"{tenant_id!r})")
        return self._cached(self._warehouses, (tenant_id, warehouse_id),
                            lambda: builder(self._context(tenant_id), warehouse))

    def _cached(self, built: dict[tuple[str, str], P], key: tuple[str, str],
                build: Callable[[], P]) -> P:
        with self._lock:
            if key not in built:
                built[key] = build()
            return built[key]
