"""Client-credentials access tokens of one OTTO account, cached until shortly before expiry.

OTTO's tokens live about 30 minutes and the token endpoint is limited per client IP, so a
token is fetched once and shared by every call (and every worker thread) of the account.
It is renewed ``refresh_margin`` before it expires; when OTTO refuses it earlier anyway
(401), the caller drops exactly that token with :meth:`TokenCache.invalidate` and asks once
more.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pydantic
import structlog

from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.connectors.otto.settings import OttoSettings
from marketdock.connectors.otto.wire import TokenResponse
from marketdock.engine.clock import Clock
from marketdock.errors import AuthError, RemoteError

log = structlog.get_logger("marketdock.otto")

TOKEN_OPERATION = "token"


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: datetime


class TokenCache:
    """The current access token of one account; thread-safe."""

    def __init__(self, http: HttpCaller, settings: OttoSettings, clock: Clock) -> None:
        self._http = http
        self._settings = settings
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        """A token valid for at least the refresh margin; fetched only when needed."""
        with self._lock:
            margin = timedelta(seconds=self._settings.refresh_margin_seconds)
            if self._token is None or self._token.expires_at - margin <= self._clock.now():
                self._token = self._fetch()
            return self._token.value

    def invalidate(self, value: str) -> None:
        """OTTO refused ``value``: forget it, unless another thread has already renewed it."""
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _fetch(self) -> AccessToken:
        form = {"grant_type": "client_credentials", "client_id": self._settings.client_id,
                "client_secret": self._settings.client_secret, "scope": self._settings.scopes}
        now = self._clock.now()
        try:
            response = self._http.call(TOKEN_OPERATION, "POST", self._settings.token_path,
                                       data=form, ok=(200,))
        except RemoteError as exc:
            if exc.status == 400:
                raise AuthError(f"OTTO account {self._settings.account}: token request "
                                f"refused: {exc.message}", status=400) from exc
            raise
        try:
            answer = TokenResponse.model_validate(self._http.json(response, TOKEN_OPERATION))
        except pydantic.ValidationError as exc:
            raise BadResponse(f"OTTO account {self._settings.account}: the token answer "
                              "lacks access_token or expires_in") from exc
        self._http.remember_secret(answer.access_token)
        log.info("otto token fetched", account=self._settings.account,
                 expires_in=answer.expires_in)
        return AccessToken(answer.access_token, now + timedelta(seconds=answer.expires_in))
