"""The sandbox SFTP drop: a real asyncssh SFTP server on loopback.

Clients are chrooted to the drop's root, which holds the ``inbound``, ``outbound`` and
``archive`` folders. One user logs in with a password or with the client key generated at
start; the host key is generated at start too, and :attr:`SftpDropServer.credentials`
hands a client everything it needs, including the ``known_hosts`` line to check it by.

Use it from async code (``async with SftpDropServer(root) as drop``) or from sync code
(``with running_sftp_drop(root) as drop``: the server's loop runs in a background thread).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from marketdock.connectors.sftp.loop import BackgroundLoop
from marketdock.connectors.sftp.settings import SftpFolders
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.sftp.floor import DropFloor
from marketdock.sandbox.sftp.keys import DropKeys


@dataclass(frozen=True)
class DropCredentials:
    """What a client needs to reach and trust the running drop."""

    host: str
    port: int
    username: str
    password: str
    client_private_key: str
    client_public_key: str
    host_public_key: str
    host_key_fingerprint: str
    known_hosts_line: str
    folders: SftpFolders


class _DropLogin(asyncssh.SSHServer):
    """One user, by password or by the generated client key."""

    def __init__(
        self,
        username: str,
        password: str,
        client_key: asyncssh.SSHKey,
        sessions: set[asyncssh.SSHServerConnection],
    ) -> None:
        self._username = username
        self._password = password
        self._client_key = client_key
        self._sessions = sessions
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._sessions.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._sessions.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # every login must authenticate

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and hmac.compare_digest(
            password.encode(), self._password.encode()
        )

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self._username and key.public_data == self._client_key.public_data


class SftpDropServer:
    """An SFTP drop on ``host`` (loopback) at an ephemeral port, serving ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        folders: SftpFolders | None = None,
        username: str = "hub",
        password: str | None = None,
        faults: FaultSwitches | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.root = Path(root).resolve()
        self.folders = folders or SftpFolders()
        self.username = username
        self.password = password or secrets.token_urlsafe(16)
        self.faults = faults or FaultSwitches()
        self.host = host
        self.floor = DropFloor(self.root, self.folders, self.faults)
        self._keys: DropKeys | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._sessions: set[asyncssh.SSHServerConnection] = set()

    @property
    def port(self) -> int:
        if self._acceptor is None:
            raise RuntimeError("the SFTP drop is not running")
        return self._acceptor.get_port()

    @property
    def keys(self) -> DropKeys:
        if self._keys is None:
            raise RuntimeError("the SFTP drop is not running")
        return self._keys

    @property
    def credentials(self) -> DropCredentials:
        keys, port = self.keys, self.port
        return DropCredentials(
            host=self.host,
            port=port,
            username=self.username,
            password=self.password,
            client_private_key=keys.client_private_key,
            client_public_key=keys.client_public_key,
            host_public_key=keys.host_public_key,
            host_key_fingerprint=keys.host_key_fingerprint,
            known_hosts_line=keys.known_hosts_line(self.host, port),
            folders=self.folders,
        )

    async def start(self) -> None:
        if self._acceptor is not None:
            return
        self.floor.prepare()
        keys = self._keys = DropKeys.generate()
        root = str(self.root).encode()

        def login() -> asyncssh.SSHServer:
            return _DropLogin(self.username, self.password, keys.client_key, self._sessions)

        def sftp(chan: asyncssh.SSHServerChannel[Any]) -> asyncssh.SFTPServer:
            return asyncssh.SFTPServer(chan, chroot=root)

        self._acceptor = await asyncssh.listen(
            self.host,
            0,
            server_host_keys=[keys.host_key],
            server_factory=login,
            sftp_factory=sftp,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
        )
        self.floor.attach(asyncio.get_running_loop())

    async def stop(self) -> None:
        """Stop listening and drop every open session, like a server going down."""
        acceptor, self._acceptor = self._acceptor, None
        self.floor.attach(None)
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
        sessions = list(self._sessions)
        for conn in sessions:
            conn.close()
        for conn in sessions:
            await conn.wait_closed()

    async def __aenter__(self) -> SftpDropServer:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


@contextmanager
def running_sftp_drop(root: Path, **options: Any) -> Iterator[SftpDropServer]:
    """Run an :class:`SftpDropServer` for sync code; its loop lives in a background thread.

    ``options`` are those of :class:`SftpDropServer`.
    """
    server = SftpDropServer(root, **options)
    loop = BackgroundLoop("sandbox sftp drop")
    loop.start()
    try:
        loop.run(server.start())
        yield server
    finally:
        try:
            loop.run(server.stop())
        finally:
            loop.stop()
