"""Login with Amazon: the refresh-token grant, with the access token cached per account.

One :class:`AccessTokens` belongs to one selling-partner account (one connector). The
token is fetched on first use and again shortly before it expires, or at once after
Amazon refused it. The client secret, the refresh token and every access token are
registered with the log redactor, so none of them can appear in a log line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pydantic

from marketdock.connectors.amazon import wire
from marketdock.connectors.amazon.usage_plans import TOKEN
from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.errors import AuthError, RemoteError
from marketdock.logs import register_secret

REFRESH_MARGIN = 60.0
"""Seconds before expiry at which a token is replaced."""


@dataclass(frozen=True)
class LwaCredentials:
    client_id: str
    client_secret: str
    refresh_token: str

    def __post_init__(self) -> None:
        register_secret(self.client_secret)
        register_secret(self.refresh_token)

    def __repr__(self) -> str:
        return f"LwaCredentials(client_id={self.client_id!r}, client_secret=***, " \
               "refresh_token=***)"


class AccessTokens:
    def __init__(self, caller: HttpCaller, url: str, credentials: LwaCredentials,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.caller = caller
        self.url = url
        self.credentials = credentials
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.grants = 0
        """Token requests made so far (the cache's effect shows here)."""

    def get(self) -> str:
        with self._lock:
            if self._token is None or self.clock() >= self._expires - REFRESH_MARGIN:
                self._token, lifetime = self._grant()
                self._expires = self.clock() + lifetime
            return self._token

    def invalidate(self) -> None:
        """Forget the token (Amazon refused it); the next call fetches a new one."""
        with self._lock:
            self._token = None

    def _grant(self) -> tuple[str, float]:
        form = {"grant_type": "refresh_token", "refresh_token": self.credentials.refresh_token,
                "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret}
        self.grants += 1
        try:
            response = self.caller.call(TOKEN, "POST", self.url, data=form, ok=(200,))
        except RemoteError as exc:
            if exc.status == 400:
                raise AuthError(f"Login with Amazon refused the refresh token of account "
                                f"{self.caller.account} ({exc.code or 'invalid_grant'})",
                                status=400) from exc
            raise
        try:
            token = wire.TokenResponse.model_validate(self.caller.json(response, TOKEN))
        except pydantic.ValidationError as exc:
            raise BadResponse("Login with Amazon answered without an access token") from exc
        register_secret(token.access_token)
        return token.access_token, float(token.expires_in)
