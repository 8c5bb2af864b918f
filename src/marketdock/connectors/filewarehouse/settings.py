"""How to reach one file warehouse, read from a warehouse's ``connection`` table.

``connection`` keys (flat, since ``connection`` holds scalars and secret references):

- ``host``, ``port`` (default 22), ``username``; ``password`` or ``private_key``
  (secret references; ``private_key_passphrase`` optional); ``known_host_key`` (the
  server's ``known_hosts`` line or public key: there is no "accept any key");
- ``inbound_folder``, ``outbound_folder``, ``archive_folder`` (defaults ``inbound``,
  ``outbound``, ``archive``: the names as the warehouse sees them);
- X12 only: ``sender_qualifier``/``sender_id`` (marketdock's ISA id),
  ``receiver_qualifier``/``receiver_id`` (the warehouse's), optional
  ``application_sender``/``application_receiver`` (GS ids), ``usage`` (``T`` or ``P``),
  ``ack_timeout_minutes`` (default 60: how long a document we sent may wait for its 997).
- EDIFACT only: ``sender_id`` (marketdock's UNB id) and ``receiver_id`` (the
  warehouse's), each with an optional ``sender_qualifier``/``receiver_qualifier`` (the
  UNB partner id code qualifier, e.g. ``14`` for a GLN, ``ZZ`` mutually defined).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import pydantic

from marketdock.connectors.sftp import SftpFolders, SftpSettings
from marketdock.connectors.x12 import TradingPartner
from marketdock.errors import ConfigError

DEFAULT_ACK_TIMEOUT = timedelta(hours=1)
SFTP_SECRETS = ("password", "private_key", "private_key_passphrase")
PARTNER_KEYS = ("sender_qualifier", "sender_id", "receiver_qualifier", "receiver_id",
                "application_sender", "application_receiver", "usage")


class EdifactSettings(pydantic.BaseModel):
    """The UNB ids of an EDIFACT warehouse: ``sender_*`` is marketdock's, ``receiver_*``
    the warehouse's, as on the interchanges marketdock writes."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    sender_id: str = pydantic.Field(min_length=1, max_length=35, pattern=r"^[^+:'?]+$")
    sender_qualifier: str | None = pydantic.Field(default=None, pattern=r"^[0-9A-Z]{1,4}$")
    receiver_id: str = pydantic.Field(min_length=1, max_length=35, pattern=r"^[^+:'?]+$")
    receiver_qualifier: str | None = pydantic.Field(default=None,
                                                    pattern=r"^[0-9A-Z]{1,4}$")

    @property
    def sender(self) -> tuple[str, ...]:
        return (self.sender_id, self.sender_qualifier) if self.sender_qualifier \
            else (self.sender_id,)

    @property
    def receiver(self) -> tuple[str, ...]:
        return (self.receiver_id, self.receiver_qualifier) if self.receiver_qualifier \
            else (self.receiver_id,)


EDIFACT_KEYS = ("sender_id", "sender_qualifier", "receiver_id", "receiver_qualifier")


@dataclass(frozen=True)
class X12Settings:
    partner: TradingPartner
    ack_timeout: timedelta = DEFAULT_ACK_TIMEOUT


def _where(warehouse_id: str) -> str:
    return f"warehouse {warehouse_id!r} connection"


def _problem(exc: pydantic.ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}"
                     for e in exc.errors())


def sftp_settings(warehouse_id: str, connection: Mapping[str, object],
                  secrets: Mapping[str, str]) -> SftpSettings:
    """The SFTP drop of a warehouse; :class:`ConfigError` naming what is wrong."""
    values: dict[str, object] = {key: connection[key] for key in
                                 ("host", "port", "username", "known_host_key")
                                 if key in connection}
    values.update({key: secrets[key] for key in SFTP_SECRETS if key in secrets})
    folders = {name: connection[f"{name}_folder"] for name in ("inbound", "outbound", "archive")
               if f"{name}_folder" in connection}
    try:
        return SftpSettings.model_validate({**values, "folders": SftpFolders(**folders)})
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{_where(warehouse_id)}: {_problem(exc)}") from None


def x12_settings(warehouse_id: str, connection: Mapping[str, object]) -> X12Settings:
    """The trading partner and the 997 timeout of an X12 warehouse."""
    values = {key: connection[key] for key in PARTNER_KEYS if key in connection}
    try:
        partner = TradingPartner.model_validate(values)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{_where(warehouse_id)}: {_problem(exc)}") from None
    minutes = connection.get("ack_timeout_minutes", DEFAULT_ACK_TIMEOUT.total_seconds() / 60)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        raise ConfigError(f"{_where(warehouse_id)}: ack_timeout_minutes must be a positive "
                          f"number, got {minutes!r}")
    return X12Settings(partner, timedelta(minutes=minutes))


def edifact_settings(warehouse_id: str, connection: Mapping[str, object]) -> EdifactSettings:
    """The UNB ids of an EDIFACT warehouse."""
    values = {key: connection[key] for key in EDIFACT_KEYS if key in connection}
    try:
        return EdifactSettings.model_validate(values)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{_where(warehouse_id)}: {_problem(exc)}") from None
