"""Settings from a warehouse's connection table: what is wrong is named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketdock.connectors.filewarehouse.settings import sftp_settings, x12_settings
from marketdock.errors import ConfigError
from marketdock.sandbox.sftp.keys import DropKeys

PARTNER = {"sender_qualifier": "ZZ", "sender_id": "MARKETDOCK", "receiver_qualifier": "ZZ",
           "receiver_id": "WH", "usage": "P"}


def test_sftp_settings_with_folders() -> None:
    host_key = DropKeys.generate().host_public_key
    settings = sftp_settings("wh1", {"host": "sftp.example", "username": "md",
                                     "known_host_key": host_key, "outbound_folder": "out"},
                             {"password": "secret"})
    assert settings.port == 22 and settings.folders.outbound == "out"
    assert settings.folders.inbound == "inbound"


def test_sftp_settings_need_the_host_key() -> None:
    with pytest.raises(ConfigError, match="warehouse 'wh1' connection: known_host_key"):
        sftp_settings("wh1", {"host": "sftp.example", "username": "md"}, {"password": "x"})


def test_x12_settings() -> None:
    settings = x12_settings("wh1", {**PARTNER, "ack_timeout_minutes": 90})
    assert settings.partner.receiver_id == "WH" and settings.ack_timeout == timedelta(minutes=90)
    with pytest.raises(ConfigError, match="usage"):
        x12_settings("wh1", {**PARTNER, "usage": "X"})
    with pytest.raises(ConfigError, match="ack_timeout_minutes"):
        x12_settings("wh1", {**PARTNER, "ack_timeout_minutes": 0})
