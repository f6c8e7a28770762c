"""Login throttling and the bounded password-hashing pool.

Failed logins are counted per account name and per client address. The first few failures are
free; after that each attempt must wait a delay that doubles with every further failure, and past
a limit the name or address is locked for a while. A throttled attempt is refused before its
password is hashed, so guessing costs the attacker time and the server nothing. A success clears
the account's count (not the address's: one known password must not unlock guessing others).

argon2 is built to cost memory (64 MiB a hash) and CPU; run on the event loop it stalls every
other request, run unbounded in threads it takes a gigabyte for a hundred parallel guesses. So
hashing runs in worker threads behind a small capacity limiter, and when too many logins already
wait for it, a new one is refused at once (429) instead of queueing.

The counts live in the process (the console is one uvicorn process); a restart clears them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
MAX_KEYS = 20_000  # names and addresses remembered; the oldest are forgotten first


@dataclass(frozen=True)
class Rule:
    """How many failures are free, when the lock comes and for how long."""

    free: int
    lock_after: int
    lock_seconds: float
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last failure before the next attempt."""
        if failures < self.free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.free))


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """Why an attempt may not go ahead now: wait `seconds`; `locked` when it is a lock."""

    seconds: int
    locked: bool
    key: str

    @property
    def message(self) -> str:
        if self.locked:
            minutes = max(1, math.ceil(self.seconds / 60))
            return f"登录失败次数过多，已临时锁定，请 {minutes} 分钟后再试，或请协调人核实账号。"
        return f"登录失败次数过多，请 {self.seconds} 秒后再试。"


class LoginThrottle:
    """Failure counts per account name and per address, with growing delays and temporary locks."""

    def __init__(self, account: Rule, address: Rule, clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = {"user": account, "addr": address}
        self.clock = clock
        self.counts: OrderedDict[str, _Count] = OrderedDict()

    @staticmethod
    def keys(name: str, address: str) -> tuple[str, str]:
        return f"user:{name.strip().lower()[:200]}", f"addr:{address}"

    def check(self, name: str, address: str) -> Refusal | None:
        """Return why an attempt must wait, or None when it may go ahead."""
        now = self.clock()
        worst: Refusal | None = None
        for key in self.keys(name, address):
            count = self.counts.get(key)
            if count is None:
                continue
            rule = self.rules[key.partition(":")[0]]
            refusal: Refusal | None = None
            if count.locked_until > now:
                refusal = Refusal(math.ceil(count.locked_until - now), True, key)
            else:
                wait = count.last + rule.delay(count.failures) - now
                refusal = Refusal(math.ceil(wait), False, key) if wait > 0 else None
            if refusal is not None and (worst is None or (refusal.locked, refusal.seconds) > (worst.locked,
                                                                                              worst.seconds)):
                worst = refusal
        return worst

    def failed(self, name: str, address: str) -> list[str]:
        """Count a failure; return the keys this failure locked (for the audit log)."""
        now = self.clock()
        locked = []
        for key in self.keys(name, address):
            rule = self.rules[key.partition(":")[0]]
            count = self.counts.pop(key, None) or _Count()
            if count.locked_until and count.locked_until <= now:
                count = _Count()  # a lock that ran out starts the count afresh
            count.failures += 1
            count.last = now
            if count.failures >= rule.lock_after and count.locked_until <= now:
                count.locked_until = now + rule.lock_seconds
                locked.append(key)
            self.counts[key] = count
        while len(self.counts) > MAX_KEYS:
            self.counts.popitem(last=False)
        return locked

    def succeeded(self, name: str, address: str) -> None:
        self.counts.pop(self.keys(name, address)[0], None)


class WorkerPool:
    """Run blocking work (password hashes, upload parsing) in worker threads, at most `workers` at a
    time; `busy()` once `queue` callers wait."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers, self.queue = workers, queue
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # created inside the server's event loop, on first use
            self._limiter = anyio.CapacityLimiter(self.workers)
        return self._limiter

    def busy(self) -> bool:
        """True when so many logins wait already that a new one should be refused."""
        return self.limiter.statistics().tasks_waiting >= self.queue

    async def run(self, function: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(function, *args, limiter=self.limiter)
