"""The one path every outbound HTTP call takes.

:class:`HttpCaller` wraps an injected ``httpx.Client`` (a real one in production, one bound
to a simulator in tests) and, for every call:

1. takes a token from the shared rate-limit bucket of (tenant, account, operation), with
   the job's priority class, so every worker on every host keeps the remote's limit;
2. sends the request and maps what can go wrong onto marketdock's exception tree:
   - a connection that never opened: :class:`TransportError` (nothing was sent);
   - a timeout or a connection dropped mid-request: :class:`RemoteTimeout` (ambiguous:
     the remote may have acted, so the caller reads its state before a retry);
   - 429: the bucket is emptied and blocked for Retry-After, then :class:`RateLimited`;
   - 401/403: :class:`AuthError`; other 4xx/5xx: :class:`RemoteError` with the status and
     the remote's error code;
   - a success whose JSON cannot be read: :class:`BadResponse` (transient);
3. lets a rate-limit header (``x-amzn-RateLimit-Limit``) adjust the bucket's rate;
4. logs method, path, status and time, never a header or query value that holds a secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from marketdock.engine.jobs import Priority
from marketdock.engine.ratelimit import Limit, RateLimiter
from marketdock.errors import (
    AuthError,
    RateLimited,
    RemoteError,
    RemoteTimeout,
    TransportError,
)
from marketdock.logs import register_secret

log = structlog.get_logger("marketdock.http")


class BadResponse(TransportError):
    """The remote's answer cannot be read."""


ErrorCode = Callable[[httpx.Response], str | None]


def _no_code(response: httpx.Response) -> str | None:
    return None


@dataclass
class HttpCaller:
    client: httpx.Client
    system: str
    tenant_id: str
    account: str
    limiter: RateLimiter | None = None
    limits: Mapping[str, Limit] | None = None
    """Per-operation limits that seed the shared buckets on first use."""
    rate_header: str | None = None
    error_code: ErrorCode = _no_code
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        self._configured: set[str] = set()

    def call(self, operation: str, method: str, url: str, *,
             priority: Priority = Priority.OTHER, headers: Mapping[str, str] | None = None,
             params: Mapping[str, Any] | None = None, json_body: Any = None,
             data: Mapping[str, str] | None = None, content: bytes | None = None,
             ok: tuple[int, ...] = (200, 201, 202, 204, 207)) -> httpx.Response:
        """Send one request through the shared bucket; return the response if its status
        is in ``ok``, otherwise raise the matching marketdock error."""
        self._take_token(operation, priority)
        started = time.perf_counter()
        try:
            response = self.client.request(method, url, headers=headers, params=params,
                                           json=json_body, data=data, content=content)
        except httpx.ConnectError as exc:
            raise TransportError(f"{self.system} {operation}: cannot connect: {exc}") from exc
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:
            raise RemoteTimeout(f"{self.system} {operation}: no answer ({type(exc).__name__}); "
                                "the request may have taken effect") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{self.system} {operation}: {exc}") from exc
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        log.debug("http call", system=self.system, operation=operation, method=method,
                  path=response.request.url.path, status=response.status_code,
                  elapsed_ms=elapsed_ms)
        self._follow_rate_header(operation, response)
        if response.status_code in ok:
            return response
        raise self._error(operation, response)

    def json(self, response: httpx.Response, operation: str) -> Any:
        """The response's JSON body, or BadResponse."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadResponse(f"{self.system} {operation}: the answer is not JSON "
                              f"({len(response.content)} bytes)") from exc

    def remember_secret(self, value: str) -> None:
        """Register a token obtained at run time with the log redactor."""
        register_secret(value)

    def _take_token(self, operation: str, priority: Priority) -> None:
        if self.limiter is None:
            return
        if operation not in self._configured and self.limits and operation in self.limits:
            self.limiter.configure(self.tenant_id, self.account, operation,
                                   self.limits[operation])
            self._configured.add(operation)
        if self.limits is None or operation in self.limits:
            self.limiter.acquire(self.tenant_id, self.account, operation, priority,
                                 max_wait=self.max_wait)

    def _follow_rate_header(self, operation: str, response: httpx.Response) -> None:
        if self.limiter is None or self.rate_header is None:
            return
        value = response.headers.get(self.rate_header)
        if value is None or self.limits is None or operation not in self.limits:
            return
        try:
            rate = float(value)
        except ValueError:
            return
        self.limiter.adjust_rate(self.tenant_id, self.account, operation, rate)

    def _error(self, operation: str, response: httpx.Response) -> Exception:
        status = response.status_code
        code = self.error_code(response)
        text = f"{self.system} {operation}: HTTP {status}" + (f" {code}" if code else "")
        if status == 429:
            retry_after = _retry_after(response)
            if self.limiter is not None and self.limits is not None and operation in self.limits:
                self.limiter.penalize(self.tenant_id, self.account, operation, retry_after)
            return RateLimited(text, retry_after=retry_after)
        if status in (401, 403):
            return AuthError(text, status=status)
        return RemoteError(text, status=status, code=code, body=response.text[:2000])


def _retry_after(response: httpx.Response) -> float | None:
    for header in ("retry-after", "x-retry-after"):
        value = response.headers.get(header)
        if value is not None:
            try:
                return max(float(value), 0.0)
            except ValueError:
                return None
    return None
