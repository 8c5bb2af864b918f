"""The payload every scheduled flow tick carries, and the schedule ids derived from config."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import pydantic

from marketdock.config import Config, ScheduleConfig, TenantConfig
from marketdock.engine.scheduler import Schedule

if TYPE_CHECKING:
    from marketdock.engine.worker import JobContext


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


Targets = Literal["channels", "warehouses"]


def fan_out(ctx: JobContext, config: Config, flow: str, over: Targets) -> None:
    """A tick for no target: enqueue one tick of ``flow`` per channel or warehouse of the
    job's tenant (one waiting tick per target at most, by the flow's queueing lock)."""
    tenant = config.tenant(ctx.job.tenant_id)
    ticks = ([FlowTick(channel=channel.id) for channel in tenant.channels] if over == "channels"
             else [FlowTick(warehouse=warehouse.id) for warehouse in tenant.warehouses])
    with ctx.transaction() as conn:
        for tick in ticks:
            ctx.defer(conn, flow, tick)


def per_target(ctx: JobContext, config: Config, flow: str, tick: FlowTick, over: Targets,
               run: Callable[[JobContext, str, str], None]) -> None:
    """``run(ctx, tenant id, target)`` for the tick's channel or warehouse; a tick for no
    target fans out to every one of them."""
    target = tick.channel if over == "channels" else tick.warehouse
    if target is None:
        fan_out(ctx, config, flow, over)
    else:
        run(ctx, ctx.job.tenant_id, target)
