"""The sandbox SFTP drop, exercised with a plain asyncssh client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from marketdock.connectors.sftp import SftpFolders
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.sftp import PARTIAL_FILE, DropCredentials, SftpDropServer, running_sftp_drop

CSV = b"record_type;sku\r\n" + b"".join(b"INVENTORY;SKU-%d\r\n" % i for i in range(20))


def connect(creds: DropCredentials, **options: Any) -> Any:
    """A raw asyncssh connection that checks the drop's host key."""
    fields: dict[str, Any] = {
        "username": creds.username,
        "known_hosts": asyncssh.import_known_hosts(creds.known_hosts_line),
        "client_keys": None,
        "agent_path": None,
        "config": None,
    }
    fields.update(options)
    return asyncssh.connect(creds.host, creds.port, **fields)


def run_with_drop(
    tmp_path: Path,
    body: Callable[[SftpDropServer, asyncssh.SFTPClient], Awaitable[None]],
    **server_options: Any,
) -> None:
    async def main() -> None:
        async with SftpDropServer(tmp_path / "drop", **server_options) as drop:
            creds = drop.credentials
            async with (
                connect(creds, password=creds.password) as conn,
                conn.start_sftp_client() as sftp,
            ):
                await body(drop, sftp)

    asyncio.run(main())


def test_password_login_sees_the_three_folders_chrooted(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("outside the drop")

    async def body(drop: SftpDropServer, sftp: asyncssh.SFTPClient) -> None:
        assert sorted(await sftp.listdir("/")) == [".", "..", "archive", "inbound", "outbound"]
        assert await sftp.realpath("../..") == "/"
        assert not await sftp.exists("../secret.txt")
        async with sftp.open("inbound/orders_1.csv", "wb") as f:
            await f.write(CSV)
        assert drop.floor.files() == ["orders_1.csv"]
        assert drop.floor.take("orders_1.csv") == CSV
        assert sorted(await sftp.listdir("archive")) == [".", "..", "orders_1.csv"]

    run_with_drop(tmp_path, body)


def test_key_login_and_credentials(tmp_path: Path) -> None:
    async def main() -> None:
        async with SftpDropServer(tmp_path, username="brand-a") as drop:
            creds = drop.credentials
            assert creds.known_hosts_line == f"[127.0.0.1]:{creds.port} {creds.host_public_key}"
            assert creds.host_key_fingerprint.startswith("SHA256:")
            assert creds.client_public_key.startswith("ssh-ed25519 ")
            key = asyncssh.import_private_key(creds.client_private_key)
            async with (
                connect(creds, client_keys=[key]) as conn,
                conn.start_sftp_client() as sftp,
            ):
                assert await sftp.isdir("outbound")

    asyncio.run(main())


@pytest.mark.parametrize("wrong", ["password", "key", "user"])
def test_wrong_credentials_are_refused(tmp_path: Path, wrong: str) -> None:
    async def main() -> None:
        async with SftpDropServer(tmp_path) as drop:
            creds = drop.credentials
            options: dict[str, Any] = {"password": creds.password}
            if wrong == "password":
                options = {"password": creds.password + "x"}
            elif wrong == "key":
                options = {"client_keys": [asyncssh.generate_private_key("ssh-ed25519")]}
            else:
                options["username"] = "intruder"
            with pytest.raises(asyncssh.PermissionDenied):
                async with connect(creds, **options):
                    pass

    asyncio.run(main())


def test_each_start_has_a_new_host_key(tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path) as first:
        print_a = first.credentials.host_key_fingerprint
    with running_sftp_drop(tmp_path) as second:
        assert second.credentials.host_key_fingerprint != print_a


def test_folder_names_are_configurable(tmp_path: Path) -> None:
    folders = SftpFolders(inbound="to-wms", outbound="from-wms", archive="done")

    async def body(drop: SftpDropServer, sftp: asyncssh.SFTPClient) -> None:
        assert sorted(await sftp.listdir("/"))[2:] == ["done", "from-wms", "to-wms"]
        drop.floor.publish("shipments_1.csv", CSV)
        async with sftp.open("from-wms/shipments_1.csv", "rb") as f:
            assert await f.read() == CSV

    run_with_drop(tmp_path, body, folders=folders)


def test_partial_file_is_seen_half_written_by_a_naive_reader(tmp_path: Path) -> None:
    faults = FaultSwitches()
    faults.set(PARTIAL_FILE, count=1, delay=3600)

    async def body(drop: SftpDropServer, sftp: asyncssh.SFTPClient) -> None:
        drop.floor.publish("inventory_20260116T050000Z_full.csv", CSV)
        names = [n for n in await sftp.listdir("outbound") if n not in (".", "..")]
        assert names == ["inventory_20260116T050000Z_full.csv.tmp"]
        async with sftp.open(f"outbound/{names[0]}", "rb") as f:
            seen = await f.read()
        assert seen == CSV[: len(CSV) // 2]  # what a reader ignoring the hand-over gets
        assert drop.floor.partial_writes == ["outbound/inventory_20260116T050000Z_full.csv"]
        finished = drop.floor.complete_partial_writes()
        assert finished == ["outbound/inventory_20260116T050000Z_full.csv"]
        assert drop.floor.partial_writes == []
        async with sftp.open("outbound/inventory_20260116T050000Z_full.csv", "rb") as f:
            assert await f.read() == CSV
        drop.floor.publish("inventory_20260116T060000Z_full.csv", CSV)  # switch spent
        assert drop.floor.partial_writes == []

    run_with_drop(tmp_path, body, faults=faults)


def test_partial_file_completes_by_itself_after_its_delay(tmp_path: Path) -> None:
    faults = FaultSwitches()
    faults.set(PARTIAL_FILE, count=1, delay=0.05)
    with running_sftp_drop(tmp_path, faults=faults) as drop:
        final = drop.floor.publish("shipments_1.csv", CSV)
        assert not final.exists()
        deadline = time.monotonic() + 10
        while drop.floor.partial_writes and time.monotonic() < deadline:
            time.sleep(0.01)
        assert final.read_bytes() == CSV
        assert drop.floor.files(drop.folders.outbound) == ["shipments_1.csv"]


def test_floor_never_replaces_a_file(tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path) as drop:
        drop.floor.publish("shipments_1.csv", CSV)
        with pytest.raises(FileExistsError):
            drop.floor.publish("shipments_1.csv", CSV)
        with pytest.raises(ValueError, match="plain file name"):
            drop.floor.publish("../escape.csv", CSV)


def test_sync_runner_stops_the_server(tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path) as drop:
        creds = drop.credentials

    async def main() -> None:
        with pytest.raises(OSError):
            async with connect(creds, password=creds.password):
                pass

    asyncio.run(main())
    with pytest.raises(RuntimeError, match="not running"):
        _ = drop.port
