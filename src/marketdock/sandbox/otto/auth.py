"""The token endpoint: OAuth2 client credentials of a seller's self-app.

``POST /v1/token`` (also served at ``/oauth2/token``), form-encoded
``grant_type=client_credentials``, ``client_id``, ``client_secret`` (or HTTP Basic) and a
space-separated ``scope``. Tokens live
30 minutes; scopes must be requested, a token without scopes opens no API. About 10 token
requests per second and client IP are allowed.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import timedelta
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto.clock import AdvanceableClock
from marketdock.sandbox.otto.http import take
from marketdock.sandbox.otto.model import Token
from marketdock.sandbox.otto.state import OttoState


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def token_routes(state: OttoState, clock: AdvanceableClock) -> list[Route]:
    async def issue(request: Request) -> Response:
        body = (await request.body()).decode(errors="replace")
        content_type = request.headers.get("content-type", "")
        with state.lock:
            now = clock.now()
            rate = state.config.token_rate_per_second
            ip = request.client.host if request.client else "unknown"
            if rate is not None and not take(state, f"token-ip:{ip}", rate, now):
                return _oauth_error(
                    429, "too_many_requests", f"more than {rate:g} token requests/s"
                )
            if "application/x-www-form-urlencoded" not in content_type:
                return _oauth_error(400, "invalid_request", "send the token request form-encoded")
            form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            if form.get("grant_type") != "client_credentials":
                return _oauth_error(
                    400, "unsupported_grant_type",
                    f"grant_type {form.get('grant_type')!r}; use client_credentials",
                )  # fmt: skip
            client_id, secret = _credentials(request, form)
            partner = state.partner_by_client(client_id)
            if partner is None or not secrets.compare_digest(partner.client_secret, secret):
                return _oauth_error(401, "invalid_client", "invalid client credentials")
            requested = frozenset(form.get("scope", "").split())
            unknown = requested - partner.scopes
            if unknown:
                return _oauth_error(
                    400, "invalid_scope", f"scopes not granted to this app: {sorted(unknown)}"
                )
            token = Token(
                value=secrets.token_urlsafe(32),
                partner_id=partner.partner_id,
                scopes=requested,
                expires=now + state.config.token_ttl,
            )
            forgotten = now - timedelta(days=1)  # until then an expired token says "expired"
            for stale in [k for k, t in state.tokens.items() if t.expires <= forgotten]:
                del state.tokens[stale]
            state.tokens[token.value] = token
            return JSONResponse(
                {
                    "access_token": token.value,
                    "expires_in": int(state.config.token_ttl.total_seconds()),
                    "token_type": "bearer",
                    "not-before-policy": 0,
                    "scope": " ".join(sorted(requested)),
                }
            )

    return [
        Route("/v1/token", issue, methods=["POST"]),
        Route("/oauth2/token", issue, methods=["POST"]),
    ]
