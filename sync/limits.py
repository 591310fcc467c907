"""How long a sync cycle may run and how much one answer may weigh.

A misbehaving or hostile server can otherwise hold a workstation forever (a body dripping a
byte every 25 s, pages linking to themselves, Retry-After: 300 on every request) or fill its
memory (an endless chunked body, a 10 GiB Content-Length). The deadline is per cycle, so
every request and wait in it shares one clock; IT sets both numbers in the policy.
"""

import time
from dataclasses import dataclass

MB = 2**20


@dataclass(frozen=True)
class SyncLimits:
    cycle_seconds: float = 600.0  # policy sync.cycle_deadline_seconds
    max_response_bytes: int = 64 * MB  # policy sync.max_response_mb

    @property
    def max_response_mb(self) -> str:
        return f"{self.max_response_bytes / MB:g}"


DEFAULT_LIMITS = SyncLimits()


class Deadline:
    """The end of the current cycle, on the monotonic clock (a clock change cannot move it).

    Before the first cycle starts there is no deadline, so a transport used on its own (a
    script, a test of retries) is bounded only by its timeouts.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._ends: float | None = None

    def start(self) -> None:
        self._ends = time.monotonic() + self.seconds

    def left(self) -> float | None:
        """Seconds left in this cycle (0 when past), or None outside a cycle."""
        if self._ends is None:
            return None
        return max(0.0, self._ends - time.monotonic())

    @property
    def passed(self) -> bool:
        return self.left() == 0.0
