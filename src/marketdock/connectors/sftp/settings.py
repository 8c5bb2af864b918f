"""Settings of one SFTP drop: where, who, which host key, which folders.

The password and private key are :class:`~pydantic.SecretStr` so they never show in a
repr, a log line or a settings dump. There is no "accept any host key" switch: the
server's key must be configured (a ``known_hosts`` line or a bare public key).
"""

from __future__ import annotations

import asyncssh
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

TEMP_SUFFIXES = (".tmp", ".part", ".filepart", ".incomplete")


class SftpFolders(BaseModel):
    """Folder names on the drop, as the warehouse sees them.

    ``inbound``: files for the warehouse (orders, ASNs); ``outbound``: files from the
    warehouse (shipments, stock); ``archive``: where processed files are moved.
    """

    model_config = ConfigDict(frozen=True)

    inbound: str = Field(default="inbound", min_length=1)
    outbound: str = Field(default="outbound", min_length=1)
    archive: str = Field(default="archive", min_length=1)


class SftpSettings(BaseModel):
    """How to reach one SFTP drop."""

    model_config = ConfigDict(frozen=True)

    host: str = Field(min_length=1)
    port: int = Field(default=22, ge=1, le=65535)
    username: str = Field(min_length=1)
    password: SecretStr | None = None
    private_key: SecretStr | None = None
    private_key_passphrase: SecretStr | None = None
    known_host_key: str = Field(
        min_length=1,
        description="the server's key: a known_hosts line or 'ssh-ed25519 AAAA…'",
    )
    folders: SftpFolders = SftpFolders()
    connect_timeout: float = Field(default=15.0, gt=0)
    operation_timeout: float = Field(default=60.0, gt=0)

    @field_validator("known_host_key")
    @classmethod
    def _parses(cls, value: str) -> str:
        value = value.strip()
        try:
            if has_host_pattern(value):
                asyncssh.import_known_hosts(value)
            else:
                asyncssh.import_public_key(value)
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise ValueError(f"not a known_hosts line or public key: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _has_credentials(self) -> SftpSettings:
        if self.password is None and self.private_key is None:
            raise ValueError("set a password or a private_key")
        if self.private_key is not None:
            passphrase = self.private_key_passphrase
            try:
                asyncssh.import_private_key(
                    self.private_key.get_secret_value(),
                    passphrase.get_secret_value() if passphrase else None,
                )
            except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
                raise ValueError(f"private_key cannot be read: {exc}") from None
        return self


def has_host_pattern(entry: str) -> bool:
    """True for a known_hosts line (host pattern first), False for a bare public key."""
    first = entry.split(None, 1)[0]
    return not (first.startswith(("ssh-", "ecdsa-", "sk-")) or first.startswith("rsa-"))
