"""A thin SFTP client transport for warehouse drops (asyncssh; async core, sync façade)."""

from marketdock.connectors.sftp.client import AsyncSftpClient, RemoteFile, SftpTransport
from marketdock.connectors.sftp.errors import HostKeyRejected, RemoteFileExists, RemoteFileNotFound
from marketdock.connectors.sftp.loop import BackgroundLoop
from marketdock.connectors.sftp.settings import TEMP_SUFFIXES, SftpFolders, SftpSettings

__all__ = [
    "TEMP_SUFFIXES",
    "AsyncSftpClient",
    "BackgroundLoop",
    "HostKeyRejected",
    "RemoteFile",
    "RemoteFileExists",
    "RemoteFileNotFound",
    "SftpFolders",
    "SftpSettings",
    "SftpTransport",
]
