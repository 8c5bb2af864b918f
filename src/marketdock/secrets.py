"""Secrets: references in the config, an encrypted store, and resolution at run time.

``marketdock.toml`` never holds a credential. It holds a :class:`SecretRef`:

- ``{ env = "OTTO_CLIENT_SECRET" }`` reads the process environment;
- ``{ stored = "otto-client-secret" }`` reads the tenant's encrypted secret store.

Stored secrets are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a key taken
from ``MARKETDOCK_SECRET_KEY``. The choice of key handling:

- if the variable holds a Fernet key (``SecretBox.generate_key()``; 32 random bytes in
  url-safe base64), it is used as it is. This is the recommended setting;
- any other value is treated as a passphrase and stretched with scrypt (n=2^15, r=8, p=1)
  and a salt. The salt is :data:`DEFAULT_SALT` unless the caller passes a per-install salt
  kept next to the database; changing the salt or the passphrase makes stored secrets
  unreadable.

Each ciphertext is bound to its tenant and name, so a value copied into another tenant's
row does not decrypt there. The store only ever sees ciphertext.

Every value the :class:`SecretResolver` returns is registered with the log redactor, so
it is replaced with ``***`` wherever it would appear in a log line.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from marketdock.errors import SecretError
from marketdock.logs import Redactor, default_redactor

KEY_ENV = "MARKETDOCK_SECRET_KEY"
"""The environment variable holding the Fernet key or passphrase of the secret store."""

DEFAULT_SALT = b"marketdock/secret-store/v1"
"""The scrypt salt used for passphrases when no per-install salt is given."""

PLAINTEXT_SECRET_HINT = (
    "a secret must not be written into the config file; reference it as "
    '{ env = "VARIABLE" } (read from the environment) or { stored = "name" } '
    "(saved in the encrypted secret store)"
)

EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
StoredName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,127}$")]


class SecretRef(BaseModel):
    """Where a secret is found: exactly one of ``env`` and ``stored``.

    A plain string in its place is refused with :data:`PLAINTEXT_SECRET_HINT`; the
    refusal never repeats the string.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    env: EnvName | None = None
    stored: StoredName | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_plaintext(cls, data: Any) -> Any:
        if isinstance(data, str | bytes | int | float):
            raise PydanticCustomError("plaintext_secret", PLAINTEXT_SECRET_HINT)
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.stored is None):
            raise ValueError('give exactly one of env = "VARIABLE" or stored = "name"')
        return self

    def __str__(self) -> str:
        return f"env:{self.env}" if self.env is not None else f"stored:{self.stored}"


class SecretBox:
    """Encrypts and decrypts stored secrets with one Fernet key."""

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, binascii.Error) as exc:
            raise SecretError("the secret key is not a valid Fernet key") from exc

    @staticmethod
    def generate_key() -> str:
        """A new random Fernet key, suitable for ``MARKETDOCK_SECRET_KEY``."""
        return Fernet.generate_key().decode("ascii")

    @classmethod
    def from_passphrase(cls, passphrase: str, *, salt: bytes = DEFAULT_SALT) -> SecretBox:
        """Use ``passphrase`` directly if it is a Fernet key, else derive a key from it."""
        if not passphrase:
            raise SecretError(f"{KEY_ENV} is empty")
        if _is_fernet_key(passphrase):
            return cls(passphrase)
        kdf = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1)
        return cls(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, salt: bytes = DEFAULT_SALT
    ) -> SecretBox:
        """The box for ``MARKETDOCK_SECRET_KEY``; :class:`SecretError` if it is not set."""
        env = os.environ if environ is None else environ
        passphrase = env.get(KEY_ENV, "")
        if not passphrase:
            raise SecretError(
                f"{KEY_ENV} is not set; stored secrets cannot be read or written without it"
            )
        return cls.from_passphrase(passphrase, salt=salt)

    def encrypt(self, tenant_id: str, name: str, value: str) -> bytes:
        """Ciphertext of ``value``, bound to ``tenant_id`` and ``name``."""
        payload = json.dumps({"tenant": tenant_id, "name": name, "value": value})
        return self._fernet.encrypt(payload.encode("utf-8"))

    def decrypt(self, tenant_id: str, name: str, token: bytes) -> str:
        """The value sealed by :meth:`encrypt` for the same tenant and name."""
        what = f"stored secret {name!r} of tenant {tenant_id!r}"
        try:
            payload = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise SecretError(
                f"{what} cannot be decrypted: wrong {KEY_ENV} or damaged data",
                tenant=tenant_id, name=name,
            ) from exc
        except ValueError as exc:
            raise SecretError(f"{what} is damaged", tenant=tenant_id, name=name) from exc
        if (
            not isinstance(payload, dict)
            or payload.get("tenant") != tenant_id
            or payload.get("name") != name
            or not isinstance(payload.get("value"), str)
        ):
            raise SecretError(
                f"{what} was sealed for another tenant or name", tenant=tenant_id, name=name
            )
        value: str = payload["value"]
        return value


def _is_fernet_key(text: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(text.encode("ascii"))) == 32 and len(text) == 44
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return False


class SecretStore(Protocol):
    """Keeps ciphertext per tenant and name. The engine implements it on the database."""

    def get(self, tenant_id: str, name: str) -> bytes | None: ...

    def put(self, tenant_id: str, name: str, ciphertext: bytes) -> None: ...


class InMemorySecretStore:
    """A :class:`SecretStore` in a dict, for tests and one-off tools."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], bytes] = {}

    def get(self, tenant_id: str, name: str) -> bytes | None:
        return self._items.get((tenant_id, name))

    def put(self, tenant_id: str, name: str, ciphertext: bytes) -> None:
        self._items[(tenant_id, name)] = bytes(ciphertext)


class SecretResolver:
    """Turns :class:`SecretRef` values into secrets at the moment they are needed.

    ``environ`` defaults to ``os.environ``. ``store`` and ``box`` are needed only for
    ``stored`` references. Errors name the reference and tenant, never a value.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        store: SecretStore | None = None,
        box: SecretBox | None = None,
        *,
        redactor: Redactor | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._store = store
        self._box = box
        self._redactor = redactor if redactor is not None else default_redactor()

    def resolve(self, tenant_id: str, ref: SecretRef) -> str:
        """The secret ``ref`` points to; :class:`SecretError` when missing or unreadable."""
        if ref.env is not None:
            value = self._environ.get(ref.env, "")
            if not value:
                raise SecretError(
                    f"secret {ref} for tenant {tenant_id!r}: environment variable "
                    f"{ref.env} is not set",
                    tenant=tenant_id, ref=str(ref),
                )
        else:
            assert ref.stored is not None
            store, box = self._require_store(f"secret {ref} for tenant {tenant_id!r}")
            token = store.get(tenant_id, ref.stored)
            if token is None:
                raise SecretError(
                    f"secret {ref} for tenant {tenant_id!r} is not in the secret store",
                    tenant=tenant_id, ref=str(ref),
                )
            value = box.decrypt(tenant_id, ref.stored, token)
        self._redactor.register(value)
        return value

    def resolve_all(self, tenant_id: str, refs: Mapping[str, SecretRef]) -> dict[str, str]:
        """Resolve every reference of a ``credentials`` table, keyed the same way."""
        return {key: self.resolve(tenant_id, ref) for key, ref in refs.items()}

    def put(self, tenant_id: str, name: str, value: str) -> SecretRef:
        """Encrypt and store ``value``; return the reference to write into the config."""
        ref = SecretRef(stored=name)
        store, box = self._require_store(f"secret {ref} for tenant {tenant_id!r}")
        self._redactor.register(value)
        store.put(tenant_id, name, box.encrypt(tenant_id, name, value))
        return ref

    def _require_store(self, what: str) -> tuple[SecretStore, SecretBox]:
        if self._store is None:
            raise SecretError(f"{what}: no secret store is available")
        if self._box is None:
            raise SecretError(f"{what}: {KEY_ENV} is not set, so the store cannot be read")
        return self._store, self._box
