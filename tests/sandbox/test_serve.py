"""`marketdock sandbox`: every simulator served on loopback, described, faulted, stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from marketdock.connectors.sftp import SftpSettings, SftpTransport
from marketdock.connectors.x12 import (
    InMemoryControlNumbers,
    ShippingOrder940,
    TradingPartner,
    read_997,
    write_940,
)
from marketdock.connectors.x12.sets.common import Party, ProductId, Reference
from marketdock.connectors.x12.sets.w940 import OrderLine940
from marketdock.errors import ConfigError
from marketdock.sandbox.serve import Sandbox, parse_fault_option

EPHEMERAL = {"otto": 0, "amazon": 0, "3pl": 0}


def a_940() -> bytes:
    order = ShippingOrder940(
        depositor_order_number="MD-1",
        parties=[Party(entity="ST", name="Erika Muster", address_lines=["Hauptstrasse 5"],
                       city="Berlin", postal_code="10115", country="DE")],
        lines=[OrderLine940(assigned_number=1, quantity=Decimal(1), unit="EA",
                            product_ids=[ProductId(qualifier="VN", value="MUG")],
                            references=[Reference(qualifier="LI", value="l1")])])
    hub = TradingPartner(sender_qualifier="ZZ", sender_id="MARKETDOCK", receiver_qualifier="ZZ",
                         receiver_id="MDSANDBOXWH", usage="T")
    return write_940([order], hub, InMemoryControlNumbers(), at=datetime.now(UTC))


def test_fault_options_parse_with_clear_errors() -> None:
    simulator, switch, spec = parse_fault_option("otto:429:rate=0.25,path=/v4/orders")
    assert (simulator, switch, spec.rate, spec.path) == ("otto", "429", 0.25, "/v4/orders")
    assert parse_fault_option("amazon:5xx")[2].rate == 1.0
    for bad in ("otto", "ebay:429", "otto:429:often=yes", "otto:429:rate=2"):
        with pytest.raises(ConfigError):
            parse_fault_option(bad)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_every_simulator_answers_on_loopback_and_stops(tmp_path: Path) -> None:
    faults = {"3pl": {"5xx": parse_fault_option("3pl:5xx:path=/2026-01/channel")[2]}}
    with Sandbox(tmp_path, ports=EPHEMERAL, faults=faults) as sandbox:
        facts = sandbox.describe()
        otto = facts["otto"]
        token = httpx.post(otto["token_url"], data={
            "grant_type": "client_credentials", "client_id": otto["client_id"],
            "client_secret": otto["client_secret"], "scope": "orders"})
        assert token.status_code == 200 and token.json()["expires_in"] == 1800
        amazon = facts["amazon"]
        lwa = httpx.post(amazon["token_url"], data={
            "grant_type": "refresh_token", "refresh_token": amazon["refresh_token"],
            "client_id": amazon["client_id"], "client_secret": amazon["client_secret"]})
        assert lwa.status_code == 200 and lwa.json()["access_token"].startswith("Atza|")
        threepl = facts["3pl"]
        headers = {"Authorization": f"Bearer {threepl['token']}"}
        assert httpx.get(f"{threepl['api_base_url']}/inventory-level",
                         headers=headers).status_code == 200
        assert httpx.get(f"{threepl['api_base_url']}/channel", headers=headers).status_code == 503
        drop = facts["sftp"]
        settings = SftpSettings(host=drop["host"], port=drop["port"], username=drop["username"],
                                password=drop["password"],
                                known_host_key=drop["known_hosts_line"])
        sandbox.floor.set_stock("MUG", 3)
        with SftpTransport(settings) as sftp:
            sftp.upload("inbound", "940_1.edi", a_940())
            deadline = time.monotonic() + 15
            while not (acks := [f.name for f in sftp.list("outbound")
                                if f.name.startswith("997")]):
                assert time.monotonic() < deadline, "the file warehouse never answered"
                time.sleep(0.2)
            (ack,) = read_997(sftp.read("outbound", acks[0]))
            assert ack.status == "A" and sandbox.floor.order("MD-1").reference == "MD-1"
        ports = [sandbox._servers[name].port for name in ("otto", "amazon", "3pl")]
        assert all(port_open(port) for port in ports)
    assert not any(port_open(port) for port in ports)


@pytest.mark.slow
def test_the_command_prints_json_first_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "marketdock", "sandbox", "--json", "--root", str(tmp_path),
         "--otto-port", "0", "--amazon-port", "0", "--3pl-port", "0",
         "--fault", "amazon:429:count=1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"})
    try:
        assert process.stdout is not None
        facts = json.loads(process.stdout.readline())
        assert set(facts) == {"otto", "amazon", "3pl", "sftp"}
        first = httpx.post(facts["amazon"]["token_url"], data={"grant_type": "refresh_token"})
        assert first.status_code == 429
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
