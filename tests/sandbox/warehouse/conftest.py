"""Fixtures for the ShipBob simulator: a wired simulator and the OpenAPI contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.sandbox.warehouse.helpers import Sim, build_sim

SPEC_PATH = (Path(__file__).resolve().parents[3].parent
             / "shared/contracts/wms/shipbob/shipbob-openapi.json")


@pytest.fixture
def sim() -> Iterator[Sim]:
    made = build_sim()
    with made.client:
        yield made


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def conforms(spec: dict[str, Any]) -> Any:
    """``conforms(instance, "Orders.OrderViewModel")`` validates against the spec."""

    def check(instance: Any, schema_name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{schema_name}",
                  "components": spec["components"]}
        jsonschema.Draft202012Validator(schema).validate(instance)

    return check
