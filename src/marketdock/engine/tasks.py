"""The task registry: named job handlers with typed payloads.

A task is registered explicitly on a :class:`TaskRegistry` (no global registry, no import
side effects). Its payload is a pydantic model, so a bad payload is refused with a clear
message when it is enqueued and again, as a dead job, if a stored one no longer fits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pydantic
from sqlalchemy.engine import Connection

from marketdock.engine import outbox
from marketdock.engine.jobs import JobSpec, Priority
from marketdock.errors import BadJobPayload, ConfigError, UnknownTask

if TYPE_CHECKING:
    from marketdock.engine.worker import JobContext


class NoPayload(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


Handler = Callable[["JobContext", Any], None]
KeyFunction = Callable[[Any], str | None]


@dataclass(frozen=True)
class Task:
    """A registered task: its handler, payload model and queueing rules.

    ``lock`` maps a payload to the business object it touches (e.g. ``order:42``), so
    two jobs for one object never run at once; ``queueing_lock`` maps it to a key that
    drops an identical job while one is already waiting.
    """

    name: str
    handler: Handler
    payload_model: type[pydantic.BaseModel]
    priority: Priority
    max_attempts: int
    lock: KeyFunction | None
    queueing_lock: KeyFunction | None

    def parse(self, payload: Any) -> pydantic.BaseModel:
        if isinstance(payload, self.payload_model):
            return payload
        try:
            return self.payload_model.model_validate(payload)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in err['loc']) or '(payload)'}: {err['msg']}"
                for err in exc.errors()
            )
            raise BadJobPayload(f"task {self.name!r} payload is invalid: {problems}") from exc


class TaskRegistry:
    """Task names to handlers. Registering a name twice is an error."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}

    def register(self, name: str, handler: Handler, *,
                 payload: type[pydantic.BaseModel] = NoPayload,
                 priority: Priority = Priority.OTHER, max_attempts: int = 10,
                 lock: KeyFunction | None = None,
                 queueing_lock: KeyFunction | None = None) -> Task:
        if name in self._tasks:
            raise ConfigError(f"task {name!r} is already registered")
        task = Task(name, handler, payload, priority, max_attempts, lock, queueing_lock)
        self._tasks[name] = task
        return task

    def task(self, name: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`register`."""
        def decorate(handler: Handler) -> Handler:
            self.register(name, handler, **options)
            return handler
        return decorate

    def get(self, name: str) -> Task:
        try:
            return self._tasks[name]
        except KeyError:
            raise UnknownTask(f"no task named {name!r} is registered") from None

    def names(self) -> frozenset[str]:
        return frozenset(self._tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks.values())

    def spec(self, name: str, tenant_id: str, payload: Any = None, *,
             deadline: datetime | None = None, scheduled_at: datetime | None = None,
             priority: Priority | None = None) -> JobSpec:
        """A validated job spec for task ``name`` with its locks computed."""
        task = self.get(name)
        model = task.parse({} if payload is None else payload)
        return JobSpec(
            task=name,
            tenant_id=tenant_id,
            payload=model.model_dump(mode="json"),
            priority=task.priority if priority is None else priority,
            deadline=deadline,
            scheduled_at=scheduled_at,
            lock=task.lock(model) if task.lock else None,
            queueing_lock=task.queueing_lock(model) if task.queueing_lock else None,
            max_attempts=task.max_attempts,
        )

    def defer(self, conn: Connection, now: datetime, name: str, tenant_id: str,
              payload: Any = None, **options: Any) -> int | None:
        """Enqueue task ``name`` on ``conn``; None when an identical job is already waiting."""
        return outbox.enqueue(conn, self.spec(name, tenant_id, payload, **options), now)
