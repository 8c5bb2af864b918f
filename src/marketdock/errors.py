"""The one exception tree of marketdock.

Every error marketdock raises derives from :class:`MarketdockError`. Errors from
libraries (SQLAlchemy, httpx, asyncssh, pydantic) are wrapped at the boundary with the
original kept as ``__cause__``. The class docstring is the default message.

::

    MarketdockError
    ├── ConfigError                 invalid marketdock.toml or environment
    ├── SecretError                 a secret cannot be resolved or decrypted
    ├── StorageError                the database failed
    │   └── AlreadyEnqueued         an identical job is already waiting (queueing lock)
    ├── JobError
    │   ├── UnknownTask             no handler is registered for a job's task name
    │   ├── BadJobPayload           a job's payload does not fit its handler
    │   └── LeaseLost               another worker reclaimed the job; our result is void
    ├── InputError                  bad input from outside: permanent, quarantined
    │   ├── ParseError              a payload or file cannot be read (names the position)
    │   ├── ValidationError         well-formed but violates a rule
    │   ├── UnknownSku              a SKU no listing or mapping knows
    │   └── MappingError            no valid carrier / SKU mapping
    ├── ConnectorError              talking to an external system failed
    │   ├── OperationNotSupported   the connector does not offer this operation
    │   ├── TransportError          no usable answer: timeout, reset, DNS (transient)
    │   │   └── RemoteTimeout       ambiguous: the request may have taken effect
    │   ├── AuthError               credentials refused
    │   ├── RateLimited             HTTP 429 (transient, carries retry_after)
    │   └── RemoteError             the remote answered with an error status
    └── Conflict                    the remote or the store already holds this effect

Retry classification lives in :mod:`marketdock.engine.retry`; it reads the classes and
fields defined here.
"""

from __future__ import annotations

from typing import Any


class MarketdockError(Exception):
    """marketdock failed."""

    def __init__(self, message: str | None = None, **context: Any) -> None:
        self.message = message or (self.__doc__ or type(self).__name__).strip()
        self.context = context
        super().__init__(self.message)


class ConfigError(MarketdockError):
    """The configuration is invalid."""


class SecretError(MarketdockError):
    """A secret cannot be resolved."""


class StorageError(MarketdockError):
    """The database failed."""


class AlreadyEnqueued(StorageError):
    """An identical job is already waiting in the queue."""


class JobError(MarketdockError):
    """A job cannot be run."""


class UnknownTask(JobError):
    """No handler is registered for this task."""


class BadJobPayload(JobError):
    """The job's payload does not fit its handler."""


class LeaseLost(JobError):
    """The job's lease was lost to another worker; this run's result is void."""


class InputError(MarketdockError):
    """Bad input from an external system."""


class ParseError(InputError):
    """A payload or file cannot be read."""


class ValidationError(InputError):
    """The input violates a rule."""


class UnknownSku(InputError):
    """The SKU is not known."""


class MappingError(InputError):
    """No valid mapping exists."""


class ConnectorError(MarketdockError):
    """Talking to an external system failed."""


class OperationNotSupported(ConnectorError):
    """The connector does not offer this operation."""


class TransportError(ConnectorError):
    """The external system gave no usable answer."""


class RemoteTimeout(TransportError):
    """The external system did not answer in time; the request may have taken effect."""


class AuthError(ConnectorError):
    """The external system refused our credentials."""


class RateLimited(ConnectorError):
    """The external system asked us to slow down."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None,
                 **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class RemoteError(ConnectorError):
    """The external system answered with an error."""

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 code: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.status = status
        self.code = code


class Conflict(MarketdockError):
    """This effect already exists."""
