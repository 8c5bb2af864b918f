"""Serve every simulator on loopback: ``marketdock sandbox``.

:class:`Sandbox` starts OTTO, Amazon SP-API and the ShipBob-shaped 3PL as HTTP servers
(uvicorn, each on its own thread) and the SFTP drop, all on 127.0.0.1. Behind the SFTP
drop a file warehouse (X12, EDIFACT or CSV, ``file_dialect``) works on the same warehouse
floor as the REST 3PL. The simulators' clocks follow wall time: OTTO's and Amazon's tick by
themselves; a ticker thread advances the warehouse floor once a second and lets the file
warehouse take and write its files. :meth:`Sandbox.describe` gives every base URL and
credential, so scripts can drive it; :func:`run_sandbox` is the command itself.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from marketdock.errors import ConfigError
from marketdock.sandbox import amazon, otto
from marketdock.sandbox.faults import FaultSpec, FaultSwitches
from marketdock.sandbox.filewarehouse import Dialect, FileWarehouse
from marketdock.sandbox.sftp import SftpDropServer, running_sftp_drop
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock, shipbob

HTTP_SIMULATORS = ("otto", "amazon", "3pl")
DEFAULT_PORTS = {"otto": 8801, "amazon": 8802, "3pl": 8803}


def parse_fault_option(text: str) -> tuple[str, str, FaultSpec]:
    """``SIMULATOR:SWITCH[:key=value,...]`` → (simulator, switch, spec).

    Example: ``otto:429:rate=0.1,path=/v4/orders``; without settings the switch fires
    for every request (``rate=1``).
    """
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ConfigError(f"fault {text!r}: write SIMULATOR:SWITCH[:key=value,...]")
    simulator, switch = parts[0], parts[1]
    if simulator not in (*HTTP_SIMULATORS, "sftp"):
        raise ConfigError(f"fault {text!r}: unknown simulator {simulator!r} "
                          f"(known: {', '.join((*HTTP_SIMULATORS, 'sftp'))})")
    fields: dict[str, Any] = {}
    for item in filter(None, (parts[2] if len(parts) == 3 else "").split(",")):
        key, equals, value = item.partition("=")
        if not equals or key not in FaultSpec.model_fields:
            raise ConfigError(f"fault {text!r}: {item!r} is not one of "
                              f"{', '.join(FaultSpec.model_fields)} as key=value")
        fields[key] = value
    if "rate" not in fields and "count" not in fields:
        fields["rate"] = 1.0
    try:
        return simulator, switch, FaultSpec.model_validate(fields)
    except ValueError as exc:
        raise ConfigError(f"fault {text!r}: {exc}") from exc


@dataclass
class _Server:
    name: str
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])


@dataclass
class Sandbox:
    """All simulators on loopback. Use as a context manager, or start() and stop()."""

    root: Path
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    seed: int = 0
    faults: Mapping[str, Mapping[str, FaultSpec]] = field(default_factory=dict)
    host: str = "127.0.0.1"
    file_dialect: Dialect = "x12"

    def __post_init__(self) -> None:
        self.switches = {name: FaultSwitches(seed=self.seed)
                         for name in (*HTTP_SIMULATORS, "sftp")}
        for simulator, specs in self.faults.items():
            for switch, spec in specs.items():
                self.switches[simulator].set(switch, spec)
        self.floor = Floor(FloorConfig(seed=self.seed), clock=ManualClock())
        self.apps = {
            "otto": otto.create_app(faults=self.switches["otto"],
                                    clock=otto.SimulatedClock(live=True)),
            "amazon": amazon.create_app(faults=self.switches["amazon"],
                                        clock=amazon.SimulatedClock(ticking=True)),
            "3pl": shipbob.create_app(self.floor, self.switches["3pl"], seed=self.seed),
        }
        self._servers: dict[str, _Server] = {}
        self._stack = ExitStack()
        self._stop = threading.Event()
        self.sftp: SftpDropServer | None = None
        self.file_warehouse: FileWarehouse | None = None

    def start(self) -> Sandbox:
        try:
            for name in HTTP_SIMULATORS:
                self._servers[name] = self._serve(name, self.ports.get(name, 0))
            self.root.mkdir(parents=True, exist_ok=True)
            self.sftp = self._stack.enter_context(running_sftp_drop(
                self.root, faults=self.switches["sftp"]))
            self.file_warehouse = FileWarehouse(self.floor, self.sftp.floor,
                                                dialect=self.file_dialect,
                                                faults=self.switches["sftp"])
            ticker = threading.Thread(target=self._tick_floor, daemon=True, name="floor-clock")
            ticker.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self, name: str, port: int) -> _Server:
        server = uvicorn.Server(uvicorn.Config(self.apps[name], host=self.host, port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True, name=f"sandbox-{name}")
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"the {name} simulator could not listen on "
                                  f"{self.host}:{port} (is the port taken?)")
            time.sleep(0.02)
        return _Server(name, server, thread)

    def _tick_floor(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(1.0):
            now = time.monotonic()
            if self.file_warehouse is not None:
                self.file_warehouse.advance(now - last)
            else:
                self.floor.advance(now - last)
            last = now

    def stop(self) -> None:
        self._stop.set()
        for running in self._servers.values():
            running.server.should_exit = True
        for running in self._servers.values():
            running.thread.join(timeout=10)
        self._servers.clear()
        self._stack.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, name: str) -> str:
        return f"http://{self.host}:{self._servers[name].port}"

    def describe(self) -> dict[str, Any]:
        """Every simulator's address and credentials, as JSON-serialisable data."""
        amazon_credentials = amazon.Credentials()
        described: dict[str, Any] = {
            "otto": {"base_url": self.url("otto"), "admin_url": f"{self.url('otto')}/_admin",
                     "token_url": f"{self.url('otto')}/v1/token",
                     "client_id": otto.DEFAULT_CLIENT_ID,
                     "client_secret": otto.DEFAULT_CLIENT_SECRET,
                     "partner_id": otto.DEFAULT_PARTNER_ID},
            "amazon": {"base_url": self.url("amazon"),
                       "admin_url": f"{self.url('amazon')}/_admin",
                       "token_url": f"{self.url('amazon')}/auth/o2/token",
                       "client_id": amazon_credentials.client_id,
                       "client_secret": amazon_credentials.client_secret,
                       "refresh_token": next(iter(amazon_credentials.refresh_tokens)),
                       "seller_id": amazon.DEFAULT_SELLER},
            "3pl": {"base_url": self.url("3pl"), "admin_url": f"{self.url('3pl')}/_admin",
                    "api_base_url": f"{self.url('3pl')}/2026-01",
                    "token": shipbob.DEFAULT_TOKEN, "channel_id": shipbob.DEFAULT_CHANNEL_ID},
        }
        if self.sftp is not None:
            drop = self.sftp.credentials
            described["sftp"] = {
                "host": drop.host, "port": drop.port, "username": drop.username,
                "password": drop.password, "private_key": drop.client_private_key,
                "known_hosts_line": drop.known_hosts_line,
                "host_key_fingerprint": drop.host_key_fingerprint,
                "folders": {"inbound": drop.folders.inbound, "outbound": drop.folders.outbound,
                            "archive": drop.folders.archive},
                "dialect": self.file_dialect,
                "root": str(self.root)}
        return described


@contextmanager
def _signals_stop(stop: threading.Event) -> Iterator[None]:
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_sandbox(*, json_output: bool, root: Path, ports: Mapping[str, int] | None = None,
                seed: int = 0, faults: Mapping[str, Mapping[str, FaultSpec]] | None = None,
                file_dialect: Dialect = "x12", echo: Any = print) -> None:
    """Start the sandbox, print what it serves, and run until SIGINT or SIGTERM.

    With ``json_output`` the first line printed is one JSON object describing every
    simulator, so scripts can read it.
    """
    stop = threading.Event()
    with _signals_stop(stop), Sandbox(root, ports=ports or DEFAULT_PORTS, seed=seed,
                                      faults=faults or {}, file_dialect=file_dialect) as sandbox:
        described = sandbox.describe()
        if json_output:
            echo(json.dumps(described), flush=True)
        else:
            for name, facts in described.items():
                where = facts.get("base_url") or f"sftp://{facts['host']}:{facts['port']}"
                echo(f"{name:7} {where}", flush=True)
            echo("credentials: marketdock sandbox --json; Ctrl-C stops", flush=True)
        stop.wait()
