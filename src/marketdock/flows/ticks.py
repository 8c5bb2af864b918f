"""The payload every scheduled flow tick carries, and the schedule ids derived from config."""

from __future__ import annotations

from datetime import timedelta

import pydantic

from marketdock.config import ScheduleConfig, TenantConfig
from marketdock.engine.scheduler import Schedule


class FlowTick(pydantic.BaseModel):
    """One run of a flow, optionally for one channel account or one warehouse."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    warehouse: str | None = None

    def queueing_key(self, flow: str) -> str:
        """At most one waiting tick per flow and target: a slow flow does not pile up."""
        return f"{flow}:{self.channel or '*'}:{self.warehouse or '*'}"


def schedule_from_config(tenant: TenantConfig, config: ScheduleConfig) -> Schedule:
    tick = FlowTick(channel=config.channel, warehouse=config.warehouse)
    return Schedule(
        id=tick.queueing_key(config.flow),
        tenant_id=tenant.id,
        task=config.flow,
        every=timedelta(seconds=config.every_seconds),
        payload=tick.model_dump(),
    )
