"""Login with Amazon: the token endpoint that turns a refresh token into an access token."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from marketdock.sandbox.amazon.http import sim_of
from marketdock.sandbox.amazon.model import AccessToken

GRANTLESS_SCOPES = frozenset(
    {"sellingpartnerapi::notifications", "sellingpartnerapi::client_credential:rotation"}
)


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


async def token_endpoint(request: Request) -> JSONResponse:
    """``POST /auth/o2/token`` (form-encoded), as at https://api.amazon.com.

    Grantless (client_credentials) tokens are issued but carry no seller, so every
    seller operation of this simulator answers them with 403.
    """
    sim = sim_of(request)
    fields = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    grant = fields.get("grant_type", "")
    if grant not in ("refresh_token", "client_credentials"):
        return _error(400, "unsupported_grant_type", f"Unsupported grant_type: {grant!r}")
    for name in ("client_id", "client_secret"):
        if not fields.get(name):
            return _error(400, "invalid_request", f"The request is missing {name}")
    creds = sim.state.credentials
    if fields["client_id"] != creds.client_id or fields["client_secret"] != creds.client_secret:
        return _error(401, "invalid_client", "Client authentication failed")
    lifetime = sim.state.config.access_token_seconds
    expires = sim.now() + timedelta(seconds=lifetime)
    access = "Atza|" + secrets.token_urlsafe(48)
    if grant == "client_credentials":
        scope = fields.get("scope", "")
        if scope not in GRANTLESS_SCOPES:
            return _error(400, "invalid_scope", f"The scope {scope!r} is not valid")
        sim.state.tokens[access] = AccessToken(None, expires, scope)
        body = {"access_token": access, "scope": scope, "token_type": "bearer"}
        return JSONResponse({**body, "expires_in": lifetime})
    refresh = fields.get("refresh_token", "")
    if not refresh:
        return _error(400, "invalid_request", "The request is missing refresh_token")
    seller_id = creds.refresh_tokens.get(refresh)
    if seller_id is None:
        return _error(
            400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
        )
    sim.state.tokens[access] = AccessToken(seller_id, expires)
    return JSONResponse(
        {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": lifetime,
        }
    )
