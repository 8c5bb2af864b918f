"""Next tokens of the FBA inventory and reports listings: opaque, short-lived, per seller.

A token stands for the frozen query of the first page and the offset of the next one, in
``AmazonState.cursors``; a token of another operation, another seller or past its
lifetime is refused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marketdock.sandbox.amazon.http import Call, invalid
from marketdock.sandbox.amazon.model import PageCursor


def issue(call: Call, operation: str, query: dict[str, Any], offset: int, seconds: float) -> str:
    token = bytes(call.state.random.getrandbits(8) for _ in range(32)).hex()
    expires = call.sim.now() + timedelta(seconds=seconds)
    call.state.cursors[token] = PageCursor(call.seller_id, operation, query, offset, expires)
    return token


def resume(
    call: Call, operation: str, token: str, name: str = "nextToken"
) -> tuple[dict[str, Any], int]:
    """The frozen query and the offset a token stands for."""
    cursor = call.state.cursors.get(token)
    if (
        cursor is None
        or cursor.operation != operation
        or cursor.seller_id != call.seller_id
        or cursor.expires <= call.sim.now()
    ):
        raise invalid("Invalid input", f"{name} is invalid or has expired")
    query: dict[str, Any] = dict(cursor.query)
    return query, cursor.offset
