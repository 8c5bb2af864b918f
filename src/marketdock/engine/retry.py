"""Retry policy: classify an error and decide when, or whether, to run a job again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from marketdock.errors import (
    AuthError,
    ConfigError,
    Conflict,
    InputError,
    JobError,
    RateLimited,
    RemoteError,
    SecretError,
)


@dataclass(frozen=True)
class RetryDecision:
    """Run again after ``delay`` or give up (``delay is None``).

    ``count_attempt`` is False when the remote asked us to wait (429): waiting for quota
    does not use up the job's attempts.
    """

    delay: timedelta | None
    reason: str
    count_attempt: bool = True

    @property
    def give_up(self) -> bool:
        return self.delay is None


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying can never help.

    Permanent: bad input (validation, unknown SKU, mapping), conflicts, job errors, auth
    refusals, configuration and secret errors (the operator fixes them, then replays the
    job), and remote 4xx other than 408 and 429. Everything else (timeouts, resets,
    5xx, 408, 429, database trouble, unexpected exceptions) is transient.
    """
    if isinstance(exc, InputError | Conflict | JobError | AuthError | ConfigError | SecretError):
        return True
    if isinstance(exc, RemoteError) and exc.status is not None:
        return 400 <= exc.status < 500 and exc.status not in (408, 429)
    return False


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=15)
    jitter: float = 0.5
    max_rate_limited_wait: timedelta = timedelta(minutes=5)

    def decide(self, exc: BaseException, attempts: int, max_attempts: int,
               rng: random.Random | None = None) -> RetryDecision:
        reason = f"{type(exc).__name__}: {exc}"
        if is_permanent(exc):
            return RetryDecision(None, f"permanent error, not retried: {reason}")
        if isinstance(exc, RateLimited):
            asked = exc.retry_after
            if asked is None:
                asked = self.base.total_seconds()
            wait = min(asked, self.max_rate_limited_wait.total_seconds())
            return RetryDecision(timedelta(seconds=wait), f"rate limited: {reason}",
                                 count_attempt=False)
        if attempts >= max_attempts:
            return RetryDecision(None, f"gave up after {attempts} attempts: {reason}")
        return RetryDecision(self.backoff(attempts, rng), reason)

    def backoff(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The delay after ``attempts`` failed runs: base·2^(n-1), capped, with jitter."""
        raw = min(self.base.total_seconds() * 2 ** max(attempts - 1, 0), self.cap.total_seconds())
        spread = raw * self.jitter
        draw = (rng or random).uniform(-spread, spread)
        return timedelta(seconds=max(raw + draw, 0.0))

