"""The warehouse floor's side of the SFTP drop: files it publishes and takes, on disk.

The floor publishes with atomic hand-over (``name.tmp`` written, then renamed), like a
well-behaved WMS. With the ``partial_file`` fault switch on, a publish stops half-way:
``name.tmp`` stays visible with half the bytes until the rest is written ``delay``
seconds later (the switch's :class:`~marketdock.sandbox.faults.FaultSpec.delay`) or
when :meth:`DropFloor.complete_partial_writes` is called. A client that ignores the
hand-over and reads temp files gets a truncated file; one that waits for the final name
never does.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from marketdock.connectors.sftp.settings import TEMP_SUFFIXES, SftpFolders
from marketdock.sandbox.faults import FaultSwitches

PARTIAL_FILE = "partial_file"


@dataclass
class _PartialWrite:
    temp: Path
    final: Path
    rest: bytes


class DropFloor:
    """File operations of the warehouse on its own drop (no SFTP involved)."""

    def __init__(self, root: Path, folders: SftpFolders, faults: FaultSwitches) -> None:
        self.root = root
        self.folders = folders
        self.faults = faults
        self._pending: dict[Path, _PartialWrite] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def prepare(self) -> None:
        """Create the root and its folders."""
        for folder in (self.folders.inbound, self.folders.outbound, self.folders.archive):
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """The loop that finishes half-written files after their delay (None: only by hand)."""
        self._loop = loop

    def publish(self, name: str, data: bytes, *, folder: str | None = None) -> Path:
        """Hand a file to the hub (into ``outbound`` unless told), never replacing one."""
        folder = folder or self.folders.outbound
        final = self._path(folder, name)
        if final.exists():
            raise FileExistsError(f"{folder}/{name} already exists on the drop")
        temp = final.with_name(name + ".tmp")
        spec = self.faults.fire(PARTIAL_FILE, f"/{folder}/{name}", "PUT")
        if spec is None:
            temp.write_bytes(data)
            os.rename(temp, final)
            return final
        half = len(data) // 2
        temp.write_bytes(data[:half])
        with self._lock:
            self._pending[final] = _PartialWrite(temp, final, data[half:])
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.call_later, spec.delay, self._complete, final)
        return final

    @property
    def partial_writes(self) -> list[str]:
        """``folder/name`` of files still half-written."""
        with self._lock:
            return sorted(str(p.relative_to(self.root)) for p in self._pending)

    def complete_partial_writes(self) -> list[str]:
        """Finish every half-written file now; ``folder/name`` of those finished."""
        with self._lock:
            finals = list(self._pending)
        return [str(p.relative_to(self.root)) for p in finals if self._complete(p)]

    def files(self, folder: str | None = None) -> list[str]:
        """Names of the complete files in a folder (``inbound`` unless told), sorted."""
        directory = self.root / (folder or self.folders.inbound)
        return sorted(
            p.name for p in directory.iterdir()
            if p.is_file() and not p.name.endswith(TEMP_SUFFIXES)
        )

    def read(self, name: str, *, folder: str | None = None) -> bytes:
        return self._path(folder or self.folders.inbound, name).read_bytes()

    def take(self, name: str) -> bytes:
        """Read an inbound file the hub dropped and move it to the archive."""
        source = self._path(self.folders.inbound, name)
        data = source.read_bytes()
        os.rename(source, self._path(self.folders.archive, name))
        return data

    def _complete(self, final: Path) -> bool:
        with self._lock:
            write = self._pending.pop(final, None)
        if write is None:
            return False
        with write.temp.open("ab") as handle:
            handle.write(write.rest)
        os.rename(write.temp, write.final)
        return True

    def _path(self, folder: str, name: str) -> Path:
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"{name!r} is not a plain file name")
        return self.root / folder / name
