"""Flows: the business rules of each flow as tasks over domain records and the store.

:func:`register_flows` puts every flow on a task registry; a schedule in the config may
name only flows registered here.
"""

from __future__ import annotations

from marketdock.config import Config
from marketdock.engine.tasks import TaskRegistry
from marketdock.flows import housekeeping
from marketdock.flows.inbound import InboundFlow
from marketdock.flows.orders import OrderFlow
from marketdock.flows.ports import Ports
from marketdock.flows.returns import ReturnsFlow
from marketdock.flows.shipments import ShipmentFlow
from marketdock.flows.stock import StockFlow


def register_flows(registry: TaskRegistry, config: Config, ports: Ports) -> TaskRegistry:
    housekeeping.register(registry)
    stock = StockFlow(config, ports)
    stock.register(registry)
    OrderFlow(config, ports).register(registry)
    returns = ReturnsFlow(config, ports)
    returns.register(registry)
    InboundFlow(config, ports, returns=returns.received).register(registry)
    ShipmentFlow(config, ports, push_stock_now=stock.short_picked).register(registry)
    return registry
