"""Talk to an in-process OTTO simulator the way a seller's integration does.

For tests, the demo and benchmarks: ``authorized_client(app)`` fetches a token with the
default sandbox credentials and answers an ``httpx.Client`` that sends it on every request.
"""

from __future__ import annotations

from typing import Any

import httpx

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

ALL_SCOPES = " ".join(enums.API_SCOPES)


def fetch_token(
    client: httpx.Client,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    scope: str = ALL_SCOPES,
) -> str:
    """An access token from ``POST /v1/token`` (client credentials)."""
    response = client.post(
        "/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        },
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def authorized_client(app: Any, **credentials: str) -> httpx.Client:
    """An in-process client carrying a fresh bearer token (see :func:`fetch_token`).

    The token is fetched with a client of its own, so the answer can still be used in a
    ``with`` block; close it when done (its transport runs a thread).
    """
    with client_for(app) as bootstrap:
        token = fetch_token(bootstrap, **credentials)
    return client_for(app, headers={"Authorization": f"Bearer {token}"})
