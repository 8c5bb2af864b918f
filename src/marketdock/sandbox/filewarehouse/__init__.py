"""The warehouse that speaks files: the sandbox floor behind an SFTP drop, in X12, EDIFACT
or CSV."""

from marketdock.sandbox.filewarehouse.warehouse import (
    Dialect,
    FileWarehouse,
    FileWarehouseState,
)

__all__ = ["Dialect", "FileWarehouse", "FileWarehouseState"]
