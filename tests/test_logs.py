"""Secrets never reach a log line; job context does."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import structlog

from marketdock.config import parse_config
from marketdock.errors import ConfigError
from marketdock.logs import (
    MASK,
    Redactor,
    bind_job,
    configure_logging,
    get_logger,
    is_sensitive_key,
)
from marketdock.secrets import InMemorySecretStore, SecretBox, SecretResolver

CONFIG = """
[[tenants]]
id = "acme"
name = "Acme"

[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "http://127.0.0.1:8801"
credentials = { client_secret = { env = "OTTO_CLIENT_SECRET" } }

[[tenants.channels]]
id = "amazon"
kind = "amazon"
base_url = "http://127.0.0.1:8802"
marketplace_ids = ["A1PA6795UKMFR9"]
credentials = { refresh_token = { stored = "amazon-refresh" } }

[[tenants.warehouses]]
id = "wh1"
kind = "rest"
cutoff = "14:00"
timezone = "Europe/Berlin"
ship_from = { company = "3PL", street = "Weg 1", postal_code = "20095", city = "Hamburg", \
country_code = "DE" }
connection = { username = "md", password = { env = "WMS_PASSWORD" } }
"""

OTTO_SECRET = "otto-cl13nt-s3cret-7f3a"
REFRESH_TOKEN = "Atzr|IwEBIJ-refresh-9c1d"
WMS_PASSWORD = "Pa55 w0rd!&more"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield io.StringIO()
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def resolve_config_secrets() -> list[str]:
    """Load the config and resolve its credentials as a connector would."""
    key = SecretBox.generate_key()
    store = InMemorySecretStore()
    store.put("acme", "amazon-refresh",
              SecretBox(key).encrypt("acme", "amazon-refresh", REFRESH_TOKEN))
    environ = {"OTTO_CLIENT_SECRET": OTTO_SECRET, "WMS_PASSWORD": WMS_PASSWORD}
    tenant = parse_config(CONFIG, environ).tenant("acme")
    resolver = SecretResolver(environ, store, SecretBox(key))
    otto = resolver.resolve_all("acme", tenant.channel("otto").credentials)
    amazon = resolver.resolve_all("acme", tenant.channel("amazon").credentials)
    password = tenant.warehouse("wh1").connection["password"]
    assert not isinstance(password, str | int | float | bool)
    return [otto["client_secret"], amazon["refresh_token"], resolver.resolve("acme", password)]


def log_everywhere(secrets: list[str]) -> None:
    otto, refresh, password = secrets
    log = get_logger("marketdock.test")
    log.info(f"token exchange with refresh token {refresh}")
    log.info("request", request={"url": "http://127.0.0.1:8803/login",
                                 "body": {"user": "md", "credentials": [{"value": password}]},
                                 "headers": [("Authorization", "Bearer abc.def"),
                                             ("Accept", "json")]})
    log.info("form", body=urlencode({"user": "md", "password": password}))
    try:
        raise RuntimeError(f"OTTO refused client secret {otto}")
    except RuntimeError as exc:
        log.exception("login failed", cause=exc)
    try:
        raise ValueError(f"bad password {password}")
    except ValueError:
        logging.getLogger("httpx").exception("library saw %s", refresh)
    logging.getLogger("httpx").warning("retrying with token %s", otto)


@pytest.mark.parametrize("as_json", [False, True])
def test_config_secrets_never_reach_a_log_line(output: io.StringIO, as_json: bool) -> None:
    secrets = resolve_config_secrets()
    assert secrets == [OTTO_SECRET, REFRESH_TOKEN, WMS_PASSWORD]
    configure_logging("info", json=as_json, stream=output)
    log_everywhere(secrets)
    text = output.getvalue()
    for secret in secrets:
        assert secret not in text
    assert "Bearer abc.def" not in text
    assert "Pa55" not in text and "otto-cl13nt" not in text and "Atzr" not in text
    assert "OTTO refused client secret ***" in text
    assert "bad password ***" in text
    assert "library saw ***" in text
    assert "Traceback" in text
    assert text.count(MASK) >= 8
    if as_json:
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert len(records) == 6
        request = records[1]["request"]
        assert request["body"]["credentials"] == [{"value": MASK}]
        assert request["headers"][0] == ["Authorization", MASK]
        assert request["headers"][1] == ["Accept", "json"]
        assert records[2]["body"] == f"user=md&password={MASK}"


def test_other_handlers_see_no_secret_either(output: io.StringIO,
                                             caplog: pytest.LogCaptureFixture) -> None:
    secrets = resolve_config_secrets()
    configure_logging("info", json=True, stream=output)
    log_everywhere(secrets)
    captured = caplog.text + "".join(str(r.msg) + (r.exc_text or "") for r in caplog.records)
    assert captured
    for secret in secrets:
        assert secret not in captured


def test_job_context_is_bound_and_released(output: io.StringIO) -> None:
    configure_logging("debug", json=True, stream=output)
    log = get_logger("marketdock.worker")
    with bind_job(42, task="orders.import", tenant="acme", object="order:so-1",
                  connector="otto"):
        log.info("started")
    log.info("idle")
    started, idle = (json.loads(line) for line in output.getvalue().splitlines())
    assert started["job_id"] == 42
    assert (started["task"], started["tenant"], started["object"], started["connector"]) == (
        "orders.import", "acme", "order:so-1", "otto")
    assert started["level"] == "info" and started["logger"] == "marketdock.worker"
    assert "job_id" not in idle


def test_level_filters_lines(output: io.StringIO) -> None:
    configure_logging("warning", stream=output)
    log = get_logger("marketdock.test")
    log.info("quiet")
    log.warning("loud")
    assert "quiet" not in output.getvalue() and "loud" in output.getvalue()


def test_reconfiguring_replaces_the_handler(output: io.StringIO) -> None:
    configure_logging("info", stream=io.StringIO())
    configure_logging("info", json=True, stream=output)
    get_logger().info("once")
    assert output.getvalue().count("once") == 1


def test_unknown_level_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown log level 'loud'"):
        configure_logging("loud")


@pytest.mark.parametrize(
    "key",
    ["token", "Access_Token", "refresh_token", "password", "secret", "client_secret",
     "Authorization", "api_key", "API-Key", "x-amz-access-token", "db_password",
     "lwa_client_secret"],
)
def test_credential_keys_are_sensitive(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", ["next_token", "sku", "tokens_used", "order_id", 3])
def test_ordinary_keys_are_not(key: object) -> None:
    assert not is_sensitive_key(key)


def test_redactor_masks_values_anywhere() -> None:
    redactor = Redactor()
    redactor.register("s3cr3t/value")
    redactor.register("abc")  # too short to replace inside text
    event = {
        "event": "call with s3cr3t/value",
        "nested": {"deeper": [("x", "s3cr3t/value"), {"password": 123}]},
        "url": "https://h/?k=s3cr3t%2Fvalue",
        "error": KeyError("s3cr3t/value"),
        "raw": b"s3cr3t/value",
        "count": 3,
        "abc": "abc",
    }
    redacted = redactor(None, "info", event)
    assert redacted == {
        "event": "call with ***",
        "nested": {"deeper": [("x", "***"), {"password": "***"}]},
        "url": "https://h/?k=***",
        "error": "KeyError('***')",
        "raw": "***",
        "count": 3,
        "abc": "abc",
    }
    assert event["event"] == "call with s3cr3t/value"
