"""How flows reach connectors: a factory of ports per tenant and channel or warehouse."""

from __future__ import annotations

from typing import Protocol

from marketdock.connectors.ports import MarketplacePort, WarehousePort


class Ports(Protocol):
    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort: ...

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort: ...
