"""Read the official SP-API models and validate simulator answers against them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema

CONTRACTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "contracts" / "amazon"
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def model(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACTS / name).read_text("utf-8"))
    return loaded


def operation(name: str, operation_id: str) -> tuple[str, str, dict[str, Any]]:
    for path, item in model(name)["paths"].items():
        for method in METHODS:
            if item.get(method, {}).get("operationId") == operation_id:
                return path, method, item[method]
    raise KeyError(f"{operation_id} not in {name}")


def check(name: str, operation_id: str, response: httpx.Response) -> None:
    """The answer's status is documented and its body validates against the model."""
    _, _, op = operation(name, operation_id)
    documented = op["responses"].get(str(response.status_code))
    assert documented is not None, f"{operation_id} does not document {response.status_code}"
    schema = documented.get("schema")
    if schema is None:
        assert response.content in (b"", b"null"), response.content
        return
    full = {**schema, "definitions": model(name)["definitions"]}
    jsonschema.Draft4Validator(full).validate(response.json())


def examples(name: str, operation_id: str) -> list[tuple[int, dict[str, Any], Any]]:
    """The static sandbox examples of an operation: (status, parameters, response)."""
    _, _, op = operation(name, operation_id)
    found = []
    for status, documented in op["responses"].items():
        for case in documented.get("x-amzn-api-sandbox", {}).get("static", []):
            params = case.get("request", {}).get("parameters", {})
            values = {k: v.get("value") for k, v in params.items() if isinstance(v, dict)}
            found.append((int(status), values, case.get("response")))
    return found


def query(values: dict[str, Any]) -> dict[str, Any]:
    """Query values as sent: lists joined by commas."""
    return {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}


def split_values(path: str, op: dict[str, Any], values: dict[str, Any],
                 ) -> tuple[str, dict[str, Any], Any]:
    """An example's values as (url with path parameters filled, query, body), placed where
    the operation's parameters say."""
    located = {p["name"]: p["in"] for p in op.get("parameters", [])}
    url, params, body = path, {}, None
    for name, value in values.items():
        where = located.get(name, "body" if name == "body" else "query")
        if where == "path":
            url = url.replace("{" + name + "}", str(value))
        elif where == "body":
            body = value
        else:
            params[name] = value
    return url, query(params), body
