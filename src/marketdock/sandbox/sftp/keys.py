"""Throw-away SSH keys for one run of the SFTP drop, and what a client needs to trust it."""

from __future__ import annotations

from dataclasses import dataclass

import asyncssh


@dataclass(frozen=True)
class DropKeys:
    """A fresh host key and client key pair (Ed25519), generated per server start."""

    host_key: asyncssh.SSHKey
    client_key: asyncssh.SSHKey

    @classmethod
    def generate(cls) -> DropKeys:
        return cls(
            host_key=asyncssh.generate_private_key("ssh-ed25519", comment="marketdock-drop-host"),
            client_key=asyncssh.generate_private_key("ssh-ed25519", comment="marketdock-hub"),
        )

    @property
    def host_public_key(self) -> str:
        """``ssh-ed25519 AAAA…`` without comment: a bare known host key."""
        return _public_line(self.host_key)

    @property
    def host_key_fingerprint(self) -> str:
        """``SHA256:…`` as ``ssh-keygen -l`` prints it."""
        return self.host_key.get_fingerprint("sha256")

    def known_hosts_line(self, host: str, port: int) -> str:
        """The ``known_hosts`` line for the drop at ``host:port``."""
        pattern = host if port == 22 else f"[{host}]:{port}"
        return f"{pattern} {self.host_public_key}"

    @property
    def client_private_key(self) -> str:
        """The client's private key in OpenSSH format (unencrypted, sandbox only)."""
        return self.client_key.export_private_key("openssh").decode("ascii")

    @property
    def client_public_key(self) -> str:
        return _public_line(self.client_key)


def _public_line(key: asyncssh.SSHKey) -> str:
    algorithm, blob = key.export_public_key("openssh").decode("ascii").split()[:2]
    return f"{algorithm} {blob}"
