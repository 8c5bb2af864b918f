"""The `marketdock` command line, as an operator uses it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from marketdock.cli.main import app
from marketdock.engine import outbox
from marketdock.engine.clock import SystemClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobSpec

runner = CliRunner(env={"COLUMNS": "300"})


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def config(tmp_path: Path) -> Path:
    code, output = invoke("init", str(tmp_path))
    assert code == 0, output
    return tmp_path / "marketdock.toml"


def test_init_creates_a_working_config_and_refuses_to_overwrite(config: Path) -> None:
    code, output = invoke("init", str(config.parent))
    assert code == 2 and "exists" in output
    code, output = invoke("status", "--json", "--config", str(config))
    state = json.loads(output)
    assert code == 0
    assert state["schema_revision"] == state["schema_head"] and state["tenants"] == ["demo"]


def test_sync_once_runs_a_tick_to_completion(config: Path) -> None:
    code, output = invoke("sync", "housekeeping", "--once", "--config", str(config))
    assert code == 0, output
    assert "1 tick(s) enqueued, 1 job(s) run; dead jobs: 0" in output
    code, output = invoke("jobs", "list", "--json", "--config", str(config))
    assert [(j["task"], j["status"]) for j in json.loads(output)] == [
        ("housekeeping", "succeeded")]
    assert invoke("sync", "housekeeping", "--config", str(config))[0] == 2
    code, output = invoke("sync", "no-such-flow", "--once", "--config", str(config))
    assert code == 2 and "no task named 'no-such-flow'" in output


def test_dead_jobs_are_listed_and_replayed(config: Path) -> None:
    db = Database.from_url(f"sqlite:///{config.parent / 'marketdock.db'}")
    with db.begin() as conn:
        job_id = outbox.enqueue(conn, JobSpec("retired-task", "demo"), SystemClock().now())
    db.dispose()
    code, output = invoke("sync", "housekeeping", "--once", "--config", str(config))
    assert code == 1 and "dead jobs: 1" in output
    code, output = invoke("jobs", "list", "--status", "dead", "--json", "--config", str(config))
    (dead,) = json.loads(output)
    assert dead["id"] == job_id and "no task named 'retired-task'" in dead["last_error"]
    code, output = invoke("status", "--json", "--config", str(config))
    assert json.loads(output)["open_exceptions"] == {"job_dead": 1}
    code, output = invoke("jobs", "replay", str(job_id), "--config", str(config))
    assert code == 0 and f"job {job_id} replayed" in output
    code, output = invoke("status", "--json", "--config", str(config))
    assert json.loads(output)["open_exceptions"] == {}
    assert invoke("jobs", "replay", str(job_id), "--config", str(config))[0] == 1


def test_invalid_config_fails_at_start_naming_every_key(config: Path) -> None:
    text = config.read_text()
    text = text.replace('cutoff = "14:00"', 'cutoff = "25:00"')
    text = text.replace("[server]", "[server]\nprot = 1")
    text = text.replace('flow = "housekeeping"', 'flow = "houskeeping"')
    config.write_text(text)
    code, output = invoke("status", "--config", str(config))
    assert code == 2
    assert "tenants[0].warehouses[0].cutoff" in output
    assert "server.prot: unknown key (did you mean 'port'?)" in output
    config.write_text(text.replace('cutoff = "25:00"', 'cutoff = "14:00"')
                      .replace("prot = 1", ""))
    code, output = invoke("status", "--config", str(config))
    assert code == 2 and "tenants[0].schedules[8].flow: unknown flow 'houskeeping'" in output


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    code, output = invoke("status", "--config", str(tmp_path / "nope.toml"))
    assert code == 2 and "not found" in output


def test_worker_refuses_an_out_of_date_database(tmp_path: Path) -> None:
    config = tmp_path / "marketdock.toml"
    from marketdock.config import example_config
    config.write_text(example_config())
    code, output = invoke("worker", "--config", str(config))
    assert code == 2 and "run `marketdock db upgrade`" in output
    assert invoke("db", "upgrade", "--config", str(config))[0] == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_run_serves_the_api_runs_the_scheduler_and_stops_on_ctrl_c(config: Path) -> None:
    port = free_port()
    config.write_text(config.read_text().replace("port = 8800", f"port = {port}"))
    env = {**os.environ, "MARKETDOCK_CONFIG": str(config)}
    process = subprocess.Popen([sys.executable, "-m", "marketdock", "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        while not httpx.get(f"http://127.0.0.1:{port}/jobs").json():
            assert time.monotonic() < deadline, "the scheduler enqueued no tick"
            time.sleep(0.2)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'marketdock_jobs{' in metrics and 'task="housekeeping"' in metrics
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "marketdock stopped" in output


def test_listings_and_carrier_mappings_from_the_command_line(config: Path) -> None:
    code, output = invoke("listings", "add", "demo", "otto", "GIFT", "--kit", "W-MUG:2,W-TEA:1",
                          "--config", str(config))
    assert code == 0, output
    code, output = invoke("listings", "add", "demo", "otto", "BAD", "--kit", "W-TEA",
                          "--config", str(config))
    assert code == 2 and "SKU:QUANTITY" in output
    code, output = invoke("listings", "add", "demo", "nope", "X", "--sku", "W-X",
                          "--config", str(config))
    assert code == 2 and "no channel 'nope'" in output
    code, output = invoke("carriers", "add", "demo", "--channel", "amazon",
                          "--warehouse-carrier", "Pigeon", "--code", "Other", "--config",
                          str(config))
    assert code == 2 and "'Other' needs carrier_name" in output
    code, output = invoke("carriers", "add", "demo", "--channel", "amazon",
                          "--warehouse-carrier", "Pigeon", "--code", "Other", "--name",
                          "Pigeon Post", "--config", str(config))
    assert code == 0, output
    labels = config.parent / "labels.txt"
    labels.write_text("RL-1\nRL-2\n\nRL-1\n", "utf-8")
    code, output = invoke("return-labels", "add", "demo", "otto", "--carrier", "dhl",
                          str(labels), "--config", str(config))
    assert code == 0 and "2 new return label(s); 2 unused for otto DHL" in output, output
    code, output = invoke("returns", "decide", "demo", "otto", "item-1", "--accept",
                          "--config", str(config))
    assert code == 2 and "item-1" in output, output
    code, output = invoke("inbound", "send", "demo", "main", "PO-1", "--lines", "W-MUG:0",
                          "--config", str(config))
    assert code == 2 and "SKU:QUANTITY" in output
    code, output = invoke("inbound", "send", "demo", "main", "PO-1", "--lines",
                          "W-MUG:12,W-TEA:4", "--expected", "2026-12-01T08:00:00+01:00",
                          "--config", str(config))
    assert code == 0 and "inbound PO-1 to main" in output, output
    code, output = invoke("jobs", "list", "--json", "--config", str(config))
    assert {j["task"] for j in json.loads(output)} == {"orders.reevaluate", "inbound.send",
                                                        "shipments.reconfirm_unmapped"}
