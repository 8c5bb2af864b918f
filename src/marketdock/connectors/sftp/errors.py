"""SFTP-specific errors, inside marketdock's one exception tree."""

from __future__ import annotations

from marketdock.errors import AuthError, RemoteError


class HostKeyRejected(AuthError):
    """The server's host key is not the configured known host key (possible impostor)."""


class RemoteFileNotFound(RemoteError):
    """The remote file or folder does not exist."""


class RemoteFileExists(RemoteError):
    """The remote file already exists; it is not overwritten."""
