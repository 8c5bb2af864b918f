"""Warehouses that exchange files over an SFTP drop: X12 (940/943 out, 945/944/846/997
in), EDIFACT (ORDERS and inbound DESADV out, DESADV/INVRPT/RECADV in) or CSV.

``build_x12``, ``build_edifact`` and ``build_csv`` make the port of a
``[[tenants.warehouses]]`` entry from its ``connection`` table (see
:mod:`marketdock.connectors.filewarehouse.settings`). Each keeps its ledger of exchanged
files in the hub's database; X12 control numbers, EDIFACT interchange control
references and the sequence of CSV orders files are kept there too, so a restart never
reuses one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from marketdock.connectors.filewarehouse.csv_warehouse import CsvFileWarehouse
from marketdock.connectors.filewarehouse.drop import Drop, DropOpener, LocalDrop
from marketdock.connectors.filewarehouse.edifact_warehouse import EdifactFileWarehouse
from marketdock.connectors.filewarehouse.exchange import FileExchange, SentDocument
from marketdock.connectors.filewarehouse.ledger import FileLedger
from marketdock.connectors.filewarehouse.settings import (
    edifact_settings,
    sftp_settings,
    x12_settings,
)
from marketdock.connectors.filewarehouse.x12_warehouse import X12FileWarehouse
from marketdock.connectors.sftp import SftpSettings, SftpTransport
from marketdock.engine.control_numbers import DatabaseControlNumbers
from marketdock.errors import ConfigError

if TYPE_CHECKING:  # the factory imports the builders
    from marketdock.config import WarehouseConfig
    from marketdock.connectors.factory import BuildContext

__all__ = [
    "CsvFileWarehouse",
    "Drop",
    "DropOpener",
    "EdifactFileWarehouse",
    "FileExchange",
    "FileLedger",
    "LocalDrop",
    "SentDocument",
    "X12FileWarehouse",
    "build_csv",
    "build_edifact",
    "build_x12",
]


def _opener(settings: SftpSettings) -> DropOpener:
    return lambda: SftpTransport(settings)


def build_x12(ctx: BuildContext, warehouse: WarehouseConfig) -> X12FileWarehouse:
    connection = warehouse.connection
    sftp = sftp_settings(warehouse.id, connection, ctx.credentials(connection))
    x12 = x12_settings(warehouse.id, connection)
    delta = connection.get("delta_report_type")
    if delta is not None and not isinstance(delta, str):
        raise ConfigError(f"warehouse {warehouse.id!r} connection: delta_report_type must be "
                          f"a BIA02 code such as \"DD\", got {delta!r}")
    return X12FileWarehouse(
        _opener(sftp), FileLedger(ctx.db, ctx.tenant_id, warehouse.id, ctx.clock),
        sftp.folders, x12, DatabaseControlNumbers(ctx.db, ctx.tenant_id, f"x12:{warehouse.id}"),
        ctx.clock, ZoneInfo(warehouse.timezone), delta)


def build_csv(ctx: BuildContext, warehouse: WarehouseConfig) -> CsvFileWarehouse:
    connection = warehouse.connection
    sftp = sftp_settings(warehouse.id, connection, ctx.credentials(connection))
    return CsvFileWarehouse(
        _opener(sftp), FileLedger(ctx.db, ctx.tenant_id, warehouse.id, ctx.clock),
        sftp.folders, DatabaseControlNumbers(ctx.db, ctx.tenant_id, f"csv:{warehouse.id}"),
        ctx.clock, ZoneInfo(warehouse.timezone))


def build_edifact(ctx: BuildContext, warehouse: WarehouseConfig) -> EdifactFileWarehouse:
    connection = warehouse.connection
    sftp = sftp_settings(warehouse.id, connection, ctx.credentials(connection))
    return EdifactFileWarehouse(
        _opener(sftp), FileLedger(ctx.db, ctx.tenant_id, warehouse.id, ctx.clock),
        sftp.folders, edifact_settings(warehouse.id, connection),
        DatabaseControlNumbers(ctx.db, ctx.tenant_id, f"edifact:{warehouse.id}"),
        ctx.clock, ZoneInfo(warehouse.timezone))
