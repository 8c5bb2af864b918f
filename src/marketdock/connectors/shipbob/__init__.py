"""ShipBob-shaped REST 3PL connector (a :class:`~marketdock.connectors.ports.WarehousePort`).

Layers: :mod:`.wire` (ShipBob's JSON), :mod:`.mapping` (pure wire ↔ port mapping),
:mod:`.cursor` (the poll cursor), :mod:`.webhooks` (signature and payload), :mod:`.api`
(the HTTP calls), :mod:`.settings` and :mod:`.connector`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marketdock.connectors.http import HttpCaller
from marketdock.connectors.shipbob.api import BUCKET, ShipBobApi, error_code
from marketdock.connectors.shipbob.connector import ShipBobConnector
from marketdock.connectors.shipbob.settings import ShipBobSettings

if TYPE_CHECKING:  # the factory imports this package to register it
    from marketdock.config import WarehouseConfig
    from marketdock.connectors.factory import BuildContext

__all__ = ["ShipBobConnector", "ShipBobSettings", "build"]


def build(ctx: BuildContext, warehouse: WarehouseConfig) -> ShipBobConnector:
    """The connector for one ``kind = "shipbob"`` warehouse of the config."""
    settings = ShipBobSettings.from_connection(warehouse.id, warehouse.connection,
                                               ctx.credentials(warehouse.connection))
    caller = HttpCaller(
        client=ctx.http(settings.base_url), system="shipbob", tenant_id=ctx.tenant_id,
        account=f"shipbob:{warehouse.id}", limiter=ctx.limiter,
        limits={BUCKET: settings.limit}, error_code=error_code)
    caller.remember_secret(settings.api_key)
    if settings.webhook_secret is not None:
        caller.remember_secret(settings.webhook_secret)
    return ShipBobConnector(ShipBobApi(caller, settings), settings, ctx.clock,
                            tenant_id=ctx.tenant_id, warehouse_id=warehouse.id)
