"""How to reach one ShipBob account, read from a warehouse's ``connection`` table.

``connection`` keys:

- ``base_url`` (required): e.g. ``https://api.shipbob.com``;
- ``api_key`` (required, a secret reference): a personal access token, sent as a bearer;
- ``channel_id`` (optional): the channel orders are created in; without it the first
  channel whose scopes allow writing orders is used (read once from ``GET /channel``);
- ``webhook_secret`` (optional, a secret reference): the subscription secret that signs
  webhook deliveries (``whsec_...`` or plain);
- ``api_version`` (optional): the dated API version, default ``2026-01``;
- ``requests_per_minute`` (optional): ShipBob's sliding window, default 150;
- ``fulfillment_center_id`` (optional): the fulfillment center inbound stock (receiving
  orders) is announced to; without it the warehouse cannot take inbound notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from marketdock.engine.ratelimit import Limit
from marketdock.errors import ConfigError

DEFAULT_VERSION = "2026-01"
DEFAULT_REQUESTS_PER_MINUTE = 150
BURST_SHARE = 0.1
"""Part of the window a burst may use. A token bucket lets ``burst + rate * 60`` calls
through in any 60 s; keeping that sum at the window's limit means a full bucket followed
by steady use never trips the sliding window."""


@dataclass(frozen=True)
class ShipBobSettings:
    base_url: str
    api_key: str
    channel_id: int | None = None
    webhook_secret: str | None = None
    api_version: str = DEFAULT_VERSION
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    fulfillment_center_id: int | None = None

    def __repr__(self) -> str:  # the token and the webhook secret stay out of reprs
        return (f"ShipBobSettings(base_url={self.base_url!r}, channel_id={self.channel_id!r}, "
                f"api_version={self.api_version!r})")

    @property
    def limit(self) -> Limit:
        """One bucket for every call: ShipBob counts all requests of a token together."""
        burst = max(1.0, self.requests_per_minute * BURST_SHARE)
        rate = (self.requests_per_minute - burst) / 60.0
        return Limit(rate=rate, burst=burst)

    def path(self, tail: str) -> str:
        return f"/{self.api_version}/{tail.lstrip('/')}"

    @classmethod
    def from_connection(cls, warehouse_id: str, connection: Mapping[str, object],
                        secrets: Mapping[str, str]) -> ShipBobSettings:
        """Settings from the scalar ``connection`` values and its resolved ``secrets``."""
        where = f"warehouse {warehouse_id!r} connection"

        def text(key: str) -> str | None:
            value = secrets.get(key, connection.get(key))
            if value is None:
                return None
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: {key} must be a non-empty string")
            return value.strip()

        def number(key: str, default: int | None) -> int | None:
            value = connection.get(key, default)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ConfigError(f"{where}: {key} must be a whole number, got {value!r}")
            try:
                result = int(value)
            except ValueError as exc:
                raise ConfigError(f"{where}: {key} must be a whole number, "
                                  f"got {value!r}") from exc
            if result < 1:
                raise ConfigError(f"{where}: {key} must be positive, got {result}")
            return result

        base_url, api_key = text("base_url"), text("api_key")
        if base_url is None:
            raise ConfigError(f"{where}: base_url is required (e.g. https://api.shipbob.com)")
        if api_key is None:
            raise ConfigError(f"{where}: api_key is required, as a secret reference "
                              '(api_key = { env = "SHIPBOB_TOKEN" })')
        if "api_key" not in secrets:
            raise ConfigError(f"{where}: api_key must be a secret reference, not plain text")
        requests = number("requests_per_minute", DEFAULT_REQUESTS_PER_MINUTE)
        assert requests is not None
        return cls(
            base_url=base_url.rstrip("/"), api_key=api_key,
            channel_id=number("channel_id", None), webhook_secret=text("webhook_secret"),
            api_version=text("api_version") or DEFAULT_VERSION, requests_per_minute=requests,
            fulfillment_center_id=number("fulfillment_center_id", None),
        )
