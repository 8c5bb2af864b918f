"""Flows: the business rules of each flow as tasks over domain records and the store.

:func:`register_flows` puts every available flow on a task registry; a schedule in the
config may name only flows registered here.
"""

from __future__ import annotations

from marketdock.engine.tasks import TaskRegistry
from marketdock.flows import housekeeping


def register_flows(registry: TaskRegistry) -> TaskRegistry:
    housekeeping.register(registry)
    return registry
