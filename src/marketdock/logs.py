"""Structured logging with secret redaction and per-job context.

Everything marketdock logs goes through structlog; records from libraries that use the
standard :mod:`logging` module (httpx, uvicorn, SQLAlchemy) are routed through the same
chain. Just before rendering, a :class:`Redactor`:

- replaces every registered secret value (see :func:`register_secret`) wherever it occurs:
  in the message, in nested dicts and lists, in exception text and tracebacks, and in the
  ``repr`` of any other object;
- masks the value of any key named like a credential (``token``, ``password``,
  ``client_secret``, ``authorization``, ``x-amz-access-token``…), at any depth.

Exceptions are turned into plain text (without local variables) before redaction, so the
renderer never formats a traceback the redactor has not seen. Records of the standard
:mod:`logging` module are redacted when they are created, so handlers that libraries or
tests attach see no registered secret either.

Call :func:`configure_logging` once at process start (CLI, worker, server). Bind job
context with :func:`bind_job`; every line logged inside carries it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from marketdock.errors import ConfigError

MASK = "***"
"""What a secret is replaced with."""

MIN_SECRET_LENGTH = 4
"""Registered values shorter than this are not replaced inside text, because they would
mask ordinary words and numbers. Credential-named keys are masked whatever their length."""

SENSITIVE_KEYS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "password", "passwd", "passphrase",
    "secret", "client_secret", "secret_key", "private_key", "authorization",
    "proxy_authorization", "api_key", "apikey", "x_amz_access_token", "x_api_key", "cookie",
    "set_cookie",
})
"""Key names (lower case, ``-`` read as ``_``) whose values are always masked."""

_SENSITIVE_SUFFIXES = ("_password", "_secret", "_access_token", "_refresh_token", "_api_key",
                       "_private_key")

_PLAIN_TYPES = (int, float, bool, Decimal, datetime, date, Enum, type(None))
_MAX_DEPTH = 32

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR, "critical": logging.CRITICAL}


def is_sensitive_key(key: object) -> bool:
    """True when a value stored under ``key`` must be masked."""
    if not isinstance(key, str):
        return False
    name = key.strip().lower().replace("-", "_")
    return name in SENSITIVE_KEYS or name.endswith(_SENSITIVE_SUFFIXES)


class Redactor:
    """Replaces registered secret values and masks credential-named keys.

    It is also a structlog processor: ``redactor(logger, method_name, event_dict)``.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def register(self, value: str) -> None:
        """Treat ``value`` (and its URL-encoded forms) as a secret from now on."""
        if len(value) < MIN_SECRET_LENGTH:
            return
        forms = {value, quote(value, safe=""), quote_plus(value)}
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))

    def redact_text(self, text: str) -> str:
        pattern = self._pattern
        return text if pattern is None else pattern.sub(MASK, text)

    def redact(self, value: Any, _depth: int = 0) -> Any:
        """A copy of ``value`` with secrets replaced; containers are copied, not changed."""
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, _PLAIN_TYPES):
            return value
        if _depth >= _MAX_DEPTH:
            return MASK
        if isinstance(value, Mapping):
            return self._redact_mapping(value, _depth)
        if isinstance(value, list | tuple | set | frozenset):
            if (isinstance(value, tuple) and len(value) == 2 and is_sensitive_key(value[0])):
                return (value[0], MASK)  # a header pair such as ("Authorization", "Bearer …")
            items = [self.redact(item, _depth + 1) for item in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, bytes | bytearray):
            text = bytes(value).decode("utf-8", "replace")
            redacted = self.redact_text(text)
            return value if redacted == text else redacted
        text = repr(value)
        redacted = self.redact_text(text)
        return value if redacted == text else redacted

    def _redact_mapping(self, value: Mapping[Any, Any], depth: int) -> dict[Any, Any]:
        return {
            self.redact(key, depth + 1): MASK if is_sensitive_key(key)
            else self.redact(item, depth + 1)
            for key, item in value.items()
        }

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        return self._redact_mapping(event_dict, 0)


_REDACTOR = Redactor()


def default_redactor() -> Redactor:
    """The process-wide redactor that :func:`configure_logging` installs."""
    return _REDACTOR


def register_secret(value: str) -> None:
    """Never log ``value``: replace it with ``***`` wherever it appears in a log event."""
    _REDACTOR.register(value)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
    ]


_handler: logging.Handler | None = None
_record_factory_installed = False


def _install_record_factory() -> None:
    """Redact every standard-library log record when it is created, so that handlers other
    than ours (a library's own handler, a test's capture) never see a registered secret."""
    global _record_factory_installed
    if _record_factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.msg, str):
            message = record.getMessage()
            redacted = _REDACTOR.redact_text(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _REDACTOR.redact_text(text)
        return record

    logging.setLogRecordFactory(factory)
    _record_factory_installed = True


def configure_logging(
    level: str | int = "info", json: bool = False, *, stream: TextIO | None = None
) -> None:
    """Set up structlog and the standard ``logging`` root for the whole process.

    ``level`` is a name (``debug``, ``info``, ``warning``, ``error``, ``critical``) or a
    :mod:`logging` number. ``json=True`` writes one JSON object per line (for machines);
    otherwise lines are rendered for humans, in colour only on a terminal. Output goes to
    ``stream`` (default: standard error). Calling it again replaces the earlier set-up.
    """
    global _handler
    if isinstance(level, str):
        if level.lower() not in _LEVELS:
            raise ConfigError(
                f"unknown log level {level!r}; use one of {', '.join(_LEVELS)}"
            )
        number = _LEVELS[level.lower()]
    else:
        number = level
    out = stream if stream is not None else sys.stderr
    renderer: Processor
    if json:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=out.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _REDACTOR,
            renderer,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    root.addHandler(handler)
    root.setLevel(number)
    # Alembic notes every migration context it opens; operators need only its warnings.
    logging.getLogger("alembic").setLevel(max(number, logging.WARNING))
    _handler = handler
    _install_record_factory()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            _REDACTOR,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None, **initial: Any) -> structlog.stdlib.BoundLogger:
    """A structlog logger, optionally named and with initial bound values."""
    return structlog.stdlib.get_logger(name, **initial)


@contextmanager
def bind_job(
    job_id: str | int,
    *,
    task: str | None = None,
    tenant: str | None = None,
    object: str | None = None,
    **extra: str | int,
) -> Iterator[None]:
    """Bind a job's context to every log line inside the ``with`` block.

    Binds ``job_id`` and, when given, ``task``, ``tenant``, ``object`` and any ``extra``
    keys (e.g. ``connector``, ``account``) through structlog's context variables, so it
    holds per thread and per asyncio task. The previous values are restored on exit.
    """
    values: dict[str, Any] = {"job_id": job_id, "task": task, "tenant": tenant,
                              "object": object, **extra}
    with structlog.contextvars.bound_contextvars(
        **{key: value for key, value in values.items() if value is not None}
    ):
        yield
