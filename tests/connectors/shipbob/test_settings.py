"""Connection settings: required keys, secrets only by reference, the shared limit."""

from __future__ import annotations

import pytest

from marketdock.connectors.shipbob.settings import ShipBobSettings
from marketdock.errors import ConfigError

SECRETS = {"api_key": "pat-123", "webhook_secret": "whsec_a2V5"}


def test_settings_from_a_connection_table() -> None:
    settings = ShipBobSettings.from_connection(
        "hh", {"base_url": "https://api.shipbob.com/", "channel_id": "4711",
               "api_key": object(), "webhook_secret": object()}, SECRETS)
    assert (settings.base_url, settings.channel_id, settings.api_version) == \
        ("https://api.shipbob.com", 4711, "2026-01")
    assert settings.path("/order") == "/2026-01/order"
    assert "pat-123" not in repr(settings) and "whsec" not in repr(settings)


def test_the_bucket_never_lets_more_than_the_window_through() -> None:
    settings = ShipBobSettings.from_connection("hh", {"base_url": "http://x"}, SECRETS)
    limit = settings.limit
    assert limit.burst + limit.rate * 60 == pytest.approx(150)
    assert limit.burst >= 1


@pytest.mark.parametrize(("connection", "secrets", "message"), [
    ({}, SECRETS, "base_url is required"),
    ({"base_url": "http://x"}, {}, "api_key is required"),
    ({"base_url": "http://x", "api_key": "pat-plain"}, {}, "api_key must be a secret"),
    ({"base_url": "http://x", "channel_id": "main"}, SECRETS, "channel_id must be a whole"),
    ({"base_url": "http://x", "requests_per_minute": 0}, SECRETS,
     "requests_per_minute must be positive"),
    ({"base_url": 5}, SECRETS, "base_url must be a non-empty string"),
])
def test_bad_connection_tables_name_the_key(connection: dict[str, object],
                                            secrets: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=f"warehouse 'hh' connection: {message}"):
        ShipBobSettings.from_connection("hh", connection, secrets)
