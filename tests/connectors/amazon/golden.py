"""A connector over a scripted transport: canned SP-API answers, every request kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from marketdock.connectors.amazon.client import AmazonClient, error_code
from marketdock.connectors.amazon.connector import AmazonConnector
from marketdock.connectors.amazon.lwa import AccessTokens, LwaCredentials
from marketdock.connectors.amazon.settings import AmazonSettings
from marketdock.connectors.http import HttpCaller

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://sellingpartnerapi-eu.amazon.com"
SETTINGS = AmazonSettings(tenant_id="acme", account_id="amazon-eu", base_url=BASE_URL,
                          marketplace_ids=("A1PA6795UKMFR9", "A1F83G8C2ARO7P"),
                          seller_id="A2SELLER")

Answer = Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


class Scripted:
    """Answers requests by (method, path) and keeps them for inspection."""

    def __init__(self, answers: dict[tuple[str, str], Answer]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|golden", "expires_in": 3600})
        return self.answers[(request.method, request.url.path)](request)

    def connector(self, now: datetime) -> AmazonConnector:
        client = httpx.Client(transport=httpx.MockTransport(self), base_url=BASE_URL)
        caller = HttpCaller(client, system="amazon", tenant_id="acme", account="amazon-eu",
                            error_code=error_code)
        tokens = AccessTokens(caller, "https://api.amazon.com/auth/o2/token",
                              LwaCredentials("id", "golden-secret", "Atzr|golden"))
        return AmazonConnector(SETTINGS, AmazonClient(caller, tokens), lambda: now)
