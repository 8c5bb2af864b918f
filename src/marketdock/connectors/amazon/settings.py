"""Settings of one Amazon selling-partner account, read from its channel config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from marketdock.config import ChannelConfig, Scalar
from marketdock.errors import ConfigError

LWA_URL = "https://api.amazon.com/auth/o2/token"
"""Login with Amazon's token endpoint for every region."""
FEED_MAX_MESSAGES = 25_000
"""JSON_LISTINGS_FEED's message limit per feed (schema ``messages.maxItems``)."""


@dataclass(frozen=True)
class AmazonSettings:
    tenant_id: str
    account_id: str
    base_url: str
    marketplace_ids: tuple[str, ...]
    seller_id: str
    """The selling partner id: the Listings Items paths and feed headers need it."""
    lwa_url: str = LWA_URL
    product_type: str = "PRODUCT"
    """Product type sent with quantity patches; ``PRODUCT`` serves offer-only changes."""
    page_size: int = 100
    feed_max_messages: int = FEED_MAX_MESSAGES
    before_lag: timedelta = timedelta(seconds=130)
    """How far behind now an order search ends: Amazon wants two minutes, plus skew."""
    feed_stuck_after: timedelta = timedelta(hours=2)
    """A feed still queued or in progress this long after its creation counts as stuck."""

    def __post_init__(self) -> None:
        if not self.marketplace_ids:
            raise ConfigError(f"Amazon channel {self.account_id}: no marketplace ids")
        if not 1 <= self.feed_max_messages <= FEED_MAX_MESSAGES:
            raise ConfigError(f"Amazon channel {self.account_id}: feed_max_messages must be "
                              f"between 1 and {FEED_MAX_MESSAGES}")
        if not 1 <= self.page_size <= 100:
            raise ConfigError(f"Amazon channel {self.account_id}: page_size must be 1 to 100")

    @classmethod
    def from_channel(cls, tenant_id: str, channel: ChannelConfig) -> AmazonSettings:
        """Options: ``seller_id`` (required), ``lwa_url``, ``product_type``, ``page_size``,
        ``feed_max_messages``. Without ``lwa_url`` a base URL on an Amazon host uses
        Amazon's token endpoint, any other (a simulator) serves ``/auth/o2/token`` itself."""
        options: Mapping[str, Scalar] = channel.options
        unknown = set(options) - {"seller_id", "lwa_url", "product_type", "page_size",
                                  "feed_max_messages", "unmapped_carrier"}
        if unknown:
            raise ConfigError(f"Amazon channel {channel.id}: unknown options "
                              f"{', '.join(sorted(unknown))}")
        if options.get("unmapped_carrier", "hold") not in ("hold", "other"):
            raise ConfigError(f"Amazon channel {channel.id}: options.unmapped_carrier must be "
                              "\"hold\" (an exception until a mapping exists) or \"other\" "
                              "(sent as carrier code Other with the warehouse's carrier name)")
        seller_id = options.get("seller_id")
        if not isinstance(seller_id, str) or not seller_id:
            raise ConfigError(f"Amazon channel {channel.id}: options.seller_id is required "
                              "(the merchant token shown in Seller Central)")
        host = urlsplit(channel.base_url).hostname or ""
        default_lwa = LWA_URL if host.endswith(".amazon.com") else \
            f"{channel.base_url}/auth/o2/token"
        return cls(
            tenant_id=tenant_id, account_id=channel.id, base_url=channel.base_url,
            marketplace_ids=tuple(channel.marketplace_ids), seller_id=seller_id,
            lwa_url=str(options.get("lwa_url", default_lwa)),
            product_type=str(options.get("product_type", "PRODUCT")),
            page_size=_integer(options, "page_size", 100, channel.id),
            feed_max_messages=_integer(options, "feed_max_messages", FEED_MAX_MESSAGES,
                                       channel.id),
        )


def _integer(options: Mapping[str, Scalar], key: str, default: int, channel_id: str) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"Amazon channel {channel_id}: options.{key} must be an integer")
    return value
