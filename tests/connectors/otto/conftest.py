from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.otto.harness import Sim


@pytest.fixture
def sim() -> Iterator[Sim]:
    world = Sim()
    yield world
    world.close()
    world.check_contract()
