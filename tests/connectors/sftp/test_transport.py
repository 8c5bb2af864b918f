"""The SFTP client transport against the sandbox drop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

from marketdock.connectors.csvfiles import read_csv
from marketdock.connectors.sftp import (
    AsyncSftpClient,
    HostKeyRejected,
    RemoteFileExists,
    RemoteFileNotFound,
    SftpFolders,
    SftpSettings,
    SftpTransport,
)
from marketdock.errors import AuthError, TransportError, ValidationError
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.sftp import PARTIAL_FILE, SftpDropServer, running_sftp_drop

CONTRACT = Path(__file__).resolve().parents[4] / "shared" / "contracts" / "wms" / "csv"
STOCK = "inventory_20260116T050000Z_full.csv"


def settings_for(drop: SftpDropServer, *, key: bool = False, **changes: Any) -> SftpSettings:
    creds = drop.credentials
    fields: dict[str, Any] = {
        "host": creds.host,
        "port": creds.port,
        "username": creds.username,
        "known_host_key": creds.known_hosts_line,
        "folders": creds.folders,
        "connect_timeout": 10,
        "operation_timeout": 10,
    }
    if key:
        fields["private_key"] = creds.client_private_key
    else:
        fields["password"] = creds.password
    fields.update(changes)
    return SftpSettings(**fields)


@pytest.fixture
def faults() -> FaultSwitches:
    return FaultSwitches()


@pytest.fixture
def drop(tmp_path: Path, faults: FaultSwitches) -> Iterator[SftpDropServer]:
    with running_sftp_drop(tmp_path / "drop", faults=faults) as server:
        yield server


@pytest.mark.parametrize("key", [False, True], ids=["password", "key"])
def test_list_read_write_rename_remove(drop: SftpDropServer, key: bool) -> None:
    with SftpTransport(settings_for(drop, key=key)) as sftp:
        sftp.write("inbound", "note.txt", b"hello")
        assert [f.name for f in sftp.list("inbound")] == ["note.txt"]
        assert sftp.list("inbound")[0].size == 5
        assert sftp.read("inbound", "note.txt") == b"hello"
        sftp.rename("inbound", "note.txt", "note2.txt")
        sftp.move("note2.txt", "inbound", "archive")
        assert sftp.list("inbound") == []
        assert drop.floor.read("note2.txt", folder="archive") == b"hello"
        sftp.remove("archive", "note2.txt")
        assert sftp.list("archive") == []


def test_atomic_upload_hands_over_the_whole_file(drop: SftpDropServer) -> None:
    data = (CONTRACT / STOCK).read_bytes()
    with SftpTransport(settings_for(drop)) as sftp:
        sftp.write("inbound", "orders_1.csv.tmp", b"stale half")  # an interrupted earlier try
        assert sftp.list("inbound") == []  # temp files are not offered by default
        assert [f.name for f in sftp.list("inbound", include_temp=True)] == ["orders_1.csv.tmp"]
        sftp.upload("inbound", "orders_1.csv", data)
        assert [f.name for f in sftp.list("inbound", include_temp=True)] == ["orders_1.csv"]
        assert drop.floor.files() == ["orders_1.csv"]
        assert drop.floor.read("orders_1.csv") == data
        with pytest.raises(RemoteFileExists, match="already exists"):
            sftp.upload("inbound", "orders_1.csv", b"other")
        assert drop.floor.read("orders_1.csv") == data


def test_partial_file_hurts_only_a_reader_ignoring_the_hand_over(
    drop: SftpDropServer, faults: FaultSwitches
) -> None:
    data = (CONTRACT / STOCK).read_bytes()
    faults.set(PARTIAL_FILE, count=1, delay=3600)
    drop.floor.publish(STOCK, data)
    with SftpTransport(settings_for(drop)) as sftp:
        assert sftp.list("outbound") == []  # the careful reader waits
        (naive,) = sftp.list("outbound", include_temp=True)
        half = sftp.read("outbound", naive.name)
        assert half == data[: len(data) // 2]
        partial = read_csv(half, STOCK)
        assert partial.errors and len(partial.rows) < 2  # a truncated file, not the snapshot
        drop.floor.complete_partial_writes()
        (ready,) = sftp.list("outbound")
        assert ready.name == STOCK
        whole = read_csv(sftp.read("outbound", STOCK), STOCK, strict=True)
        assert len(whole.rows) == 2


def test_wrong_host_key_is_refused(drop: SftpDropServer, tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path / "impostor") as impostor:
        other_key = impostor.credentials.host_public_key
    settings = settings_for(drop, known_host_key=other_key)
    with pytest.raises(HostKeyRejected) as caught:
        SftpTransport(settings).connect()
    assert isinstance(caught.value, AuthError)
    message = str(caught.value)
    assert drop.credentials.host_key_fingerprint in message
    assert "is not the configured known host key" in message
    assert drop.credentials.password not in message


def test_known_hosts_line_for_another_port_is_refused(drop: SftpDropServer) -> None:
    creds = drop.credentials
    line = f"[127.0.0.1]:{creds.port + 1} {creds.host_public_key}"
    with pytest.raises(HostKeyRejected):
        SftpTransport(settings_for(drop, known_host_key=line)).connect()


def test_bare_public_key_is_accepted_as_known_host_key(drop: SftpDropServer) -> None:
    settings = settings_for(drop, known_host_key=drop.credentials.host_public_key)
    with SftpTransport(settings) as sftp:
        assert sftp.list("outbound") == []


def test_wrong_password_is_an_auth_error(drop: SftpDropServer) -> None:
    with pytest.raises(AuthError, match="login refused") as caught:
        SftpTransport(settings_for(drop, password="nope")).connect()
    assert not isinstance(caught.value, HostKeyRejected)


def test_missing_files_and_bad_names(drop: SftpDropServer) -> None:
    with SftpTransport(settings_for(drop)) as sftp:
        with pytest.raises(RemoteFileNotFound, match="no such file"):
            sftp.read("outbound", "nothing.csv")
        with pytest.raises(RemoteFileNotFound):
            sftp.remove("outbound", "nothing.csv")
        with pytest.raises(RemoteFileNotFound):
            sftp.list("no-such-folder")
        with pytest.raises(ValidationError, match="not a plain file name"):
            sftp.read("outbound", "../inbound/x")


def test_no_server_is_a_transport_error(tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path) as gone:
        settings = settings_for(gone)
    with pytest.raises(TransportError, match="cannot connect"):
        SftpTransport(settings).connect()


def test_async_core_in_async_code(tmp_path: Path) -> None:
    async def main() -> None:
        async with SftpDropServer(tmp_path) as drop:
            drop.floor.publish("shipments_1.csv", b"x;y\r\n")
            async with AsyncSftpClient(settings_for(drop, key=True)) as sftp:
                assert [f.name for f in await sftp.list("outbound")] == ["shipments_1.csv"]
                await sftp.move("shipments_1.csv", "outbound", "archive")
                assert await sftp.read("archive", "shipments_1.csv") == b"x;y\r\n"

    asyncio.run(main())


def test_custom_folder_names(tmp_path: Path) -> None:
    folders = SftpFolders(inbound="to-wms", outbound="from-wms", archive="done")
    with running_sftp_drop(tmp_path, folders=folders) as drop:
        with SftpTransport(settings_for(drop)) as sftp:
            sftp.upload(sftp.settings.folders.inbound, "orders_1.csv", b"data")
        assert drop.floor.files() == ["orders_1.csv"]
        assert (tmp_path / "to-wms" / "orders_1.csv").exists()


class TestSettings:
    KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJmY5Q/xgWPi3LVLUGY1hB0w2mzPNHDYkTsrxJF4Tf40"

    def test_needs_password_or_key(self) -> None:
        with pytest.raises(pydantic.ValidationError, match="set a password or a private_key"):
            SftpSettings(host="h", username="u", known_host_key=self.KEY)

    def test_host_key_must_parse(self) -> None:
        with pytest.raises(pydantic.ValidationError, match="not a known_hosts line"):
            SftpSettings(host="h", username="u", password="p", known_host_key="ssh-ed25519 x")

    def test_private_key_must_parse(self) -> None:
        with pytest.raises(pydantic.ValidationError, match="private_key cannot be read"):
            SftpSettings(host="h", username="u", private_key="junk", known_host_key=self.KEY)

    def test_secrets_stay_out_of_repr_and_dumps(self) -> None:
        settings = SftpSettings(host="h", username="u", password="s3cret", known_host_key=self.KEY)
        assert "s3cret" not in repr(settings)
        assert "s3cret" not in settings.model_dump_json()


def test_server_going_down_mid_session_is_a_transport_error(tmp_path: Path) -> None:
    with running_sftp_drop(tmp_path) as drop:
        sftp = SftpTransport(settings_for(drop))
        sftp.connect()
        assert sftp.list("inbound") == []
    try:
        with pytest.raises(TransportError, match="connection lost"):
            sftp.list("inbound")
    finally:
        sftp.close()
