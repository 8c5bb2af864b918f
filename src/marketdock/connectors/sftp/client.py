"""A thin SFTP client for warehouse drops: async core, sync façade.

:class:`AsyncSftpClient` holds the one implementation; :class:`SftpTransport` runs it on
a :class:`~marketdock.connectors.sftp.loop.BackgroundLoop` for sync callers. Every
failure leaves as a marketdock error (the asyncssh error kept as ``__cause__``):

- login refused → :class:`~marketdock.errors.AuthError`
- wrong host key → :class:`HostKeyRejected` (an ``AuthError``: retrying will not help)
- no connection, connection lost → :class:`~marketdock.errors.TransportError`
- an operation that does not answer in time → :class:`~marketdock.errors.RemoteTimeout`
- missing file → :class:`RemoteFileNotFound`; rename onto an existing file →
  :class:`RemoteFileExists`; any other SFTP status → :class:`~marketdock.errors.RemoteError`
"""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar

import asyncssh

from marketdock.connectors.sftp.errors import (
    HostKeyRejected,
    RemoteFileExists,
    RemoteFileNotFound,
)
from marketdock.connectors.sftp.loop import BackgroundLoop
from marketdock.connectors.sftp.settings import TEMP_SUFFIXES, SftpSettings, has_host_pattern
from marketdock.errors import (
    AuthError,
    MarketdockError,
    RemoteError,
    RemoteTimeout,
    TransportError,
    ValidationError,
)

T = TypeVar("T")


@dataclass(frozen=True)
class RemoteFile:
    """A regular file in a remote folder."""

    name: str
    size: int
    modified_at: datetime


class _HostKeyWitness(asyncssh.SSHClient):
    """Remembers the key a server offered when it is not the trusted one."""

    def __init__(self) -> None:
        self.offered: asyncssh.SSHKey | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.offered = key
        return False


class AsyncSftpClient:
    """One SFTP session to a drop; connect once, then list, read, upload, move."""

    def __init__(self, settings: SftpSettings) -> None:
        self.settings = settings
        self._conn: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None

    @property
    def where(self) -> str:
        return f"sftp://{self.settings.username}@{self.settings.host}:{self.settings.port}"

    async def __aenter__(self) -> AsyncSftpClient:
        await self.connect()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        if self._sftp is not None:
            return
        s = self.settings
        witness = _HostKeyWitness()
        key = s.known_host_key
        known_hosts: object = (
            asyncssh.import_known_hosts(key)
            if has_host_pattern(key)
            else ([asyncssh.import_public_key(key)], [], [])
        )
        client_keys = None
        if s.private_key is not None:
            passphrase = s.private_key_passphrase
            client_keys = [
                asyncssh.import_private_key(
                    s.private_key.get_secret_value(),
                    passphrase.get_secret_value() if passphrase else None,
                )
            ]
        try:
            conn = await asyncio.wait_for(
                asyncssh.connect(
                    s.host,
                    s.port,
                    username=s.username,
                    password=s.password.get_secret_value() if s.password else None,
                    client_keys=client_keys,
                    known_hosts=known_hosts,
                    client_factory=lambda: witness,
                    agent_path=None,
                    config=None,
                    preferred_auth="publickey,password",
                ),
                s.connect_timeout,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            offered = witness.offered.get_fingerprint("sha256") if witness.offered else "?"
            raise HostKeyRejected(
                f"{self.where}: the server's host key {offered} is not the configured "
                "known host key; refusing to connect (check known_host_key)",
                offered=offered,
            ) from exc
        except asyncssh.PermissionDenied as exc:
            raise AuthError(f"{self.where}: login refused ({exc.reason})") from exc
        except TimeoutError as exc:
            raise TransportError(f"{self.where}: no SSH connection within "
                                 f"{s.connect_timeout:g} s") from exc
        except (OSError, asyncssh.Error) as exc:
            raise TransportError(f"{self.where}: cannot connect: {exc}") from exc
        try:
            self._sftp = await self._guard(conn.start_sftp_client(), "start SFTP")
        except MarketdockError:
            conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        sftp, conn = self._sftp, self._conn
        self._sftp = self._conn = None
        if sftp is not None:
            sftp.exit()
        if conn is not None:
            conn.close()
            await conn.wait_closed()

    async def list(self, folder: str, *, include_temp: bool = False) -> list[RemoteFile]:
        """Regular files in ``folder`` by name; files still being written
        (``.tmp``, ``.part`` …) only with ``include_temp``."""
        entries = await self._guard(self._session().readdir(folder), f"list {folder}")
        files = []
        for entry in entries:
            name = entry.filename
            if isinstance(name, bytes):
                name = name.decode("utf-8", "surrogateescape")
            if entry.attrs.type != asyncssh.FILEXFER_TYPE_REGULAR:
                continue
            if not include_temp and name.endswith(TEMP_SUFFIXES):
                continue
            files.append(
                RemoteFile(
                    name=name,
                    size=entry.attrs.size or 0,
                    modified_at=datetime.fromtimestamp(entry.attrs.mtime or 0, UTC),
                )
            )
        return sorted(files, key=lambda f: f.name)

    async def read(self, folder: str, name: str) -> bytes:
        path = _path(folder, name)

        async def read_all() -> bytes:
            async with self._session().open(path, "rb") as remote:
                data: bytes = await remote.read()
            return data

        return await self._guard(read_all(), f"read {path}")

    async def write(self, folder: str, name: str, data: bytes) -> None:
        """Write ``name`` in place (readers may see it half-written: see :meth:`upload`)."""
        path = _path(folder, name)

        async def write_all() -> None:
            async with self._session().open(path, "wb") as remote:
                await remote.write(data)

        await self._guard(write_all(), f"write {path}")

    async def upload(self, folder: str, name: str, data: bytes) -> None:
        """Atomic hand-over: write ``name.tmp``, then rename it to ``name``.

        A reader that ignores temp names never sees a partial file. An existing ``name``
        is not replaced (:class:`RemoteFileExists`); a stale ``name.tmp`` from an
        interrupted upload is overwritten.
        """
        temp = name + ".tmp"
        await self.write(folder, temp, data)
        await self.rename(folder, temp, name)

    async def rename(
        self, folder: str, name: str, new_name: str, *, to_folder: str | None = None
    ) -> None:
        """Rename ``folder/name`` to ``to_folder/new_name`` (same folder by default);
        never replaces an existing file."""
        old, new = _path(folder, name), _path(to_folder or folder, new_name)
        try:
            await self._guard(self._session().rename(old, new), f"rename {old} to {new}")
        except RemoteError as exc:
            if isinstance(exc, RemoteFileNotFound) or not await self._exists(new):
                raise
            raise RemoteFileExists(
                f"{self.where}: cannot rename {old}: {new} already exists", code="exists"
            ) from exc

    async def move(self, name: str, from_folder: str, to_folder: str) -> None:
        """Move a file to another folder under the same name (e.g. into the archive)."""
        await self.rename(from_folder, name, name, to_folder=to_folder)

    async def remove(self, folder: str, name: str) -> None:
        path = _path(folder, name)
        await self._guard(self._session().remove(path), f"remove {path}")

    async def _exists(self, path: str) -> bool:
        return bool(await self._guard(self._session().exists(path), f"stat {path}"))

    def _session(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            raise TransportError(f"{self.where}: not connected")
        return self._sftp

    async def _guard(self, operation: Awaitable[T], what: str) -> T:
        """Run one operation within the time limit, translating its errors."""
        timeout = self.settings.operation_timeout
        try:
            async with asyncio.timeout(timeout):
                return await operation
        except TimeoutError as exc:
            raise RemoteTimeout(f"{self.where}: {what} got no answer in {timeout:g} s") from exc
        except asyncssh.SFTPNoSuchFile as exc:
            raise RemoteFileNotFound(
                f"{self.where}: {what}: no such file", code="no_such_file"
            ) from exc
        except (asyncssh.SFTPConnectionLost, asyncssh.SFTPNoConnection) as exc:
            raise TransportError(f"{self.where}: {what}: connection lost") from exc
        except asyncssh.SFTPError as exc:
            raise RemoteError(
                f"{self.where}: {what} failed: {exc.reason}", code=type(exc).__name__
            ) from exc
        except (OSError, asyncssh.Error) as exc:
            raise TransportError(f"{self.where}: {what}: {exc}") from exc


def _path(folder: str, name: str) -> str:
    """``folder/name``, refusing names that would leave the folder."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValidationError(f"{name!r} is not a plain file name", name=name)
    return posixpath.join(folder, name)


class SftpTransport:
    """Sync façade over :class:`AsyncSftpClient` (same methods, blocking)."""

    def __init__(self, settings: SftpSettings) -> None:
        self.settings = settings
        self._core = AsyncSftpClient(settings)
        self._loop = BackgroundLoop(f"sftp {settings.host}:{settings.port}")

    def __enter__(self) -> SftpTransport:
        self.connect()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def connect(self) -> None:
        self._loop.start()
        try:
            self._loop.run(self._core.connect())
        except BaseException:
            self._loop.stop()
            raise

    def close(self) -> None:
        try:
            self._loop.run(self._core.close())
        except RuntimeError:
            return  # never connected
        finally:
            self._loop.stop()

    def list(self, folder: str, *, include_temp: bool = False) -> list[RemoteFile]:
        return self._loop.run(self._core.list(folder, include_temp=include_temp))

    def read(self, folder: str, name: str) -> bytes:
        return self._loop.run(self._core.read(folder, name))

    def write(self, folder: str, name: str, data: bytes) -> None:
        self._loop.run(self._core.write(folder, name, data))

    def upload(self, folder: str, name: str, data: bytes) -> None:
        self._loop.run(self._core.upload(folder, name, data))

    def rename(
        self, folder: str, name: str, new_name: str, *, to_folder: str | None = None
    ) -> None:
        self._loop.run(self._core.rename(folder, name, new_name, to_folder=to_folder))

    def move(self, name: str, from_folder: str, to_folder: str) -> None:
        self._loop.run(self._core.move(name, from_folder, to_folder))

    def remove(self, folder: str, name: str) -> None:
        self._loop.run(self._core.remove(folder, name))
