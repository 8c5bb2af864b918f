"""The drop a file warehouse connector works on: the SFTP transport, or a local folder.

:class:`Drop` is what the connector needs of a connection to the drop;
:class:`~marketdock.connectors.sftp.SftpTransport` provides it. :class:`LocalDrop` does
the same on a folder of the local file system (a mounted share, or the sandbox drop's
folders in tests), with the same hand-over: ``name.tmp`` written, then renamed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

from marketdock.connectors.sftp import TEMP_SUFFIXES, RemoteFile, RemoteFileExists
from marketdock.connectors.sftp.errors import RemoteFileNotFound
from marketdock.errors import ValidationError


class Drop(Protocol):
    def list(self, folder: str) -> list[RemoteFile]: ...

    def read(self, folder: str, name: str) -> bytes: ...

    def upload(self, folder: str, name: str, data: bytes) -> None: ...

    def move(self, name: str, from_folder: str, to_folder: str) -> None: ...

    def rename(self, folder: str, name: str, new_name: str, *,
               to_folder: str | None = None) -> None: ...


DropOpener = Callable[[], AbstractContextManager[Drop]]
"""Opens a connection to the drop for one operation (connect on enter, close on exit)."""


class LocalDrop:
    """A drop on the local file system, rooted at ``root`` (folders below it)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __enter__(self) -> LocalDrop:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def list(self, folder: str) -> list[RemoteFile]:
        files = []
        for path in sorted((self.root / folder).iterdir()):
            if path.is_file() and not path.name.endswith(TEMP_SUFFIXES):
                stat = path.stat()
                files.append(RemoteFile(path.name, stat.st_size,
                                        datetime.fromtimestamp(stat.st_mtime, UTC)))
        return files

    def read(self, folder: str, name: str) -> bytes:
        path = self._path(folder, name)
        if not path.is_file():
            raise RemoteFileNotFound(f"{folder}/{name}: no such file", code="no_such_file")
        return path.read_bytes()

    def upload(self, folder: str, name: str, data: bytes) -> None:
        temp = self._path(folder, name + ".tmp")
        temp.write_bytes(data)
        self.rename(folder, temp.name, name)

    def move(self, name: str, from_folder: str, to_folder: str) -> None:
        self.rename(from_folder, name, name, to_folder=to_folder)

    def rename(self, folder: str, name: str, new_name: str, *,
               to_folder: str | None = None) -> None:
        source, target = self._path(folder, name), self._path(to_folder or folder, new_name)
        if target.exists():
            raise RemoteFileExists(f"cannot rename {folder}/{name}: "
                                   f"{to_folder or folder}/{new_name} already exists",
                                   code="exists")
        if not source.exists():
            raise RemoteFileNotFound(f"{folder}/{name}: no such file", code="no_such_file")
        os.rename(source, target)

    def _path(self, folder: str, name: str) -> Path:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
            raise ValidationError(f"{name!r} is not a plain file name", name=name)
        return self.root / folder / name
