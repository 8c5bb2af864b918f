"""OTTO Market connector: Orders V4, Shipments V1 and Availability V1 behind the
marketplace port; Returns V3 and Receipts V3 as extra operations.

Modules: :mod:`.settings` (channel config), :mod:`.wire` (OTTO's JSON), :mod:`.auth`
(token cache), :mod:`.api` (the HTTP calls), :mod:`.orders`, :mod:`.shipments`,
:mod:`.stock` and :mod:`.returns` (pure mapping), :mod:`.connector` (the port).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from marketdock.connectors.http import HttpCaller
from marketdock.connectors.otto.api import API_OPERATION, OttoApi, error_code
from marketdock.connectors.otto.auth import TOKEN_OPERATION, TokenCache
from marketdock.connectors.otto.connector import OttoConnector
from marketdock.connectors.otto.settings import OttoSettings, ShipFrom
from marketdock.engine.ratelimit import INSTALLATION, Limit

if TYPE_CHECKING:
    from marketdock.config import ChannelConfig
    from marketdock.connectors.factory import BuildContext
    from marketdock.domain import Address

TOKEN_BUCKET = "otto:token-endpoint"
"""The installation-wide bucket of OTTO token requests."""

__all__ = ["OttoConnector", "OttoSettings", "build"]


def build(ctx: BuildContext, channel: ChannelConfig,
          warehouses: Mapping[str, Address] | None = None) -> OttoConnector:
    """The connector of one OTTO channel account.

    ``warehouses`` (warehouse id → its ship-from address) gives each package the address
    it left from; by default the tenant's warehouse config gives them; the channel's
    ``ship_from_*`` options serve a package whose warehouse has none.
    """
    if warehouses is None and ctx.tenant is not None:
        warehouses = {w.id: w.ship_from for w in ctx.tenant.warehouses}
    settings = OttoSettings.from_channel(channel.id, channel.base_url,
                                         ctx.credentials(channel.credentials),
                                         dict(channel.options))
    client = ctx.http(settings.base_url)
    api_http = HttpCaller(client, system="otto", tenant_id=ctx.tenant_id,
                          account=settings.account, limiter=ctx.limiter,
                          limits={API_OPERATION: Limit(rate=settings.api_rate,
                                                       burst=settings.api_rate)},
                          error_code=error_code)
    # OTTO counts token requests per client IP: every account of every tenant shares one
    # bucket
    token_http = HttpCaller(client, system="otto", tenant_id=INSTALLATION,
                            account=TOKEN_BUCKET, limiter=ctx.limiter,
                            limits={TOKEN_OPERATION: Limit(rate=settings.token_rate,
                                                           burst=settings.token_rate)},
                            error_code=error_code)
    tokens = TokenCache(token_http, settings, ctx.clock)
    origins = {key: ShipFrom.of(address) for key, address in (warehouses or {}).items()}
    return OttoConnector(OttoApi(api_http, tokens), settings, ctx.tenant_id, origins)
