"""marketdock: the integration hub between marketplaces and 3PL warehouses."""

__version__ = "0.1.0"
