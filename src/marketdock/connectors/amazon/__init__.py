"""Amazon Selling Partner API connector (merchant-fulfilled orders and stock).

:func:`build` turns an ``amazon`` channel of the config into an :class:`AmazonConnector`:
credentials ``client_id``, ``client_secret`` and ``refresh_token`` (secret references),
``marketplace_ids``, and ``options.seller_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from marketdock.config import ChannelConfig
from marketdock.connectors.amazon.client import AmazonClient, error_code
from marketdock.connectors.amazon.connector import AmazonConnector
from marketdock.connectors.amazon.lwa import AccessTokens, LwaCredentials
from marketdock.connectors.amazon.settings import AmazonSettings
from marketdock.connectors.amazon.stock_mapping import FeedCheck, FeedState
from marketdock.connectors.amazon.usage_plans import USAGE_PLANS
from marketdock.connectors.http import HttpCaller
from marketdock.domain import FulfilmentChannel
from marketdock.errors import ConfigError
from marketdock.flows.store import listings as listing_store

if TYPE_CHECKING:  # the factory imports this package to register it
    from marketdock.connectors.factory import BuildContext

__all__ = ["AmazonConnector", "AmazonSettings", "FeedCheck", "FeedState", "build"]

REQUIRED_CREDENTIALS = ("client_id", "client_secret", "refresh_token")
LOOKUP_BATCH = 500


def build(ctx: BuildContext, channel: ChannelConfig) -> AmazonConnector:
    settings = AmazonSettings.from_channel(ctx.tenant_id, channel)
    secrets = ctx.credentials(channel.credentials)
    missing = [key for key in REQUIRED_CREDENTIALS if not secrets.get(key)]
    if missing:
        raise ConfigError(f"Amazon channel {channel.id}: credentials {', '.join(missing)} "
                          "missing")
    credentials = LwaCredentials(secrets["client_id"], secrets["client_secret"],
                                 secrets["refresh_token"])
    http = ctx.http(channel.base_url)
    caller = HttpCaller(http, system="amazon", tenant_id=ctx.tenant_id, account=channel.id,
                        limiter=ctx.limiter, limits=USAGE_PLANS,
                        rate_header="x-amzn-RateLimit-Limit", error_code=error_code)
    lwa = urlsplit(settings.lwa_url)
    lwa_base = f"{lwa.scheme}://{lwa.netloc}"
    lwa_http = http if lwa_base == channel.base_url else ctx.http(lwa_base)
    lwa_caller = HttpCaller(lwa_http, system="amazon-lwa", tenant_id=ctx.tenant_id,
                            account=channel.id, error_code=error_code)
    tokens = AccessTokens(lwa_caller, settings.lwa_url, credentials)

    def fba_skus(skus: Sequence[str]) -> Iterable[str]:
        found: list[str] = []
        with ctx.db.read() as conn:
            for start in range(0, len(skus), LOOKUP_BATCH):
                listings = listing_store.find(conn, ctx.tenant_id, channel.id,
                                              skus[start:start + LOOKUP_BATCH])
                found += [sku for sku, listing in listings.items()
                          if listing.fulfilment is FulfilmentChannel.FBA]
        return found

    return AmazonConnector(settings, AmazonClient(caller, tokens), ctx.clock.now, fba_skus)
