"""The sandbox SFTP drop: a real SFTP server on loopback standing in for a 3PL's drop."""

from marketdock.sandbox.sftp.floor import PARTIAL_FILE, DropFloor
from marketdock.sandbox.sftp.keys import DropKeys
from marketdock.sandbox.sftp.server import DropCredentials, SftpDropServer, running_sftp_drop

__all__ = [
    "PARTIAL_FILE",
    "DropCredentials",
    "DropFloor",
    "DropKeys",
    "SftpDropServer",
    "running_sftp_drop",
]
