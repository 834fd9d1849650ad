"""Fault injection for the local stack: the one switch `ONCESHIP_FAULTS`, parsed and seeded.

    ONCESHIP_FAULTS="seed=7,aws_lost_reply=0.02,aws_throttle=0.02,aws_delay=0.01,sqs_duplicate=0.5,handler_crash_after=0.1"

Each fault is a probability in [0, 1]:

    aws_throttle         the local AWS endpoint refuses a request before applying it with a
                         throttling error (DynamoDB ThrottlingException or
                         ProvisionedThroughputExceededException, SQS RequestThrottled, S3 503 SlowDown)
    aws_error            ... or with a 500 InternalServerError
    aws_lost_reply       applies the request, then drops the connection without an answer (the SDK
                         sees the connection closed and retries what already happened)
    aws_delay            holds a request up to `aws_delay_ms` (default 200) before applying it
    sqs_duplicate        the event pump delivers a message twice: half the time concurrently (two
                         invocations at once), else again right after the first
    handler_crash_after  the pump's handler "dies" after its writes and before it answers: nothing
                         of the batch is deleted, so it comes back after the visibility timeout

`seed` (an integer, default 0) makes the faults reproducible: decision number n of a kind is drawn
from a generator seeded with (seed, kind, n), so the same sequence of requests meets the same
faults (as far as threads keep the order of requests).

The endpoint's faults hit what the app sends (what runs in Lambda), not the local stack's own
machinery (bootstrap, snapshots, the pump's polling, which stands for the Lambda service): those
clients mark their requests `X-Onceship-Faults: off`. Off by default; when off, the endpoint
looks at one attribute per request and the pump at one per batch.
"""
from __future__ import annotations

import itertools
import random
import threading
from dataclasses import dataclass, fields

EXEMPT_HEADER = "X-Onceship-Faults"
ENVIRONMENT_VARIABLE = "ONCESHIP_FAULTS"


class FaultSpecError(ValueError):
    """ONCESHIP_FAULTS does not say something the local stack can do."""


@dataclass(frozen=True)
class FaultSpec:
    seed: int = 0
    aws_throttle: float = 0.0
    aws_error: float = 0.0
    aws_lost_reply: float = 0.0
    aws_delay: float = 0.0
    aws_delay_ms: int = 200
    sqs_duplicate: float = 0.0
    handler_crash_after: float = 0.0

    @property
    def aws_on(self) -> bool:
        return any((self.aws_throttle, self.aws_error, self.aws_lost_reply, self.aws_delay))

    @property
    def pump_on(self) -> bool:
        return bool(self.sqs_duplicate or self.handler_crash_after)

    def text(self) -> str:
        """The spec written back in ONCESHIP_FAULTS form (only what differs from the defaults)."""
        default = FaultSpec()
        parts = [f"seed={self.seed}"]
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name != "seed" and value != getattr(default, field.name):
                parts.append(f"{field.name}={value:g}" if isinstance(value, float) else f"{field.name}={value}")
        return ",".join(parts)


_PROBABILITIES = tuple(f.name for f in fields(FaultSpec) if f.type in ("float", float))
_INTEGERS = {"seed": (None, None), "aws_delay_ms": (1, 30_000)}


def parse(text: str | None) -> FaultSpec | None:
    """The spec of `text` (None or blank: no faults); FaultSpecError saying what is wrong."""
    if text is None or not text.strip():
        return None
    values: dict = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, equals, raw = part.partition("=")
        name, raw = name.strip(), raw.strip()
        if not equals or not raw:
            raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {part!r} is not name=value")
        if name in values:
            raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {name} is given twice")
        if name in _INTEGERS:
            values[name] = _integer(name, raw)
        elif name in _PROBABILITIES:
            values[name] = _probability(name, raw)
        else:
            known = ", ".join(["seed", *_PROBABILITIES, "aws_delay_ms"])
            raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: unknown fault {name!r} (known: {known})")
    spec = FaultSpec(**values)
    refused = spec.aws_throttle + spec.aws_error + spec.aws_lost_reply
    if refused > 1:
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: aws_throttle + aws_error + aws_lost_reply is "
                             f"{refused:g}; one request meets at most one of them, so at most 1")
    return spec


def _probability(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {name}={raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # NaN fails this too
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {name}={raw} is not a probability in [0, 1]")
    return value


def _integer(name: str, raw: str) -> int:
    if not raw.lstrip("-").isdigit() or len(raw) > 19:
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {name}={raw!r} is not a whole number")
    value = int(raw)
    low, high = _INTEGERS[name]
    if (low is not None and value < low) or (high is not None and value > high):
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {name}={raw} is outside {low}..{high}")
    return value


class Dice:
    """Seeded decisions: `roll(kind)` gives the generator of that kind's next decision."""

    def __init__(self, seed: int):
        self.seed = seed
        self._counters: dict = {}
        self._lock = threading.Lock()

    def roll(self, kind: str) -> random.Random:
        with self._lock:
            counter = self._counters.get(kind)
            if counter is None:
                counter = self._counters[kind] = itertools.count()
            n = next(counter)
        return random.Random(f"{self.seed}:{kind}:{n}")


class Counts:
    """How many faults of each kind were injected (thread-safe)."""

    def __init__(self):
        self._counts: dict = {}
        self._lock = threading.Lock()

    def add(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self._counts[kind] = self._counts.get(kind, 0) + n

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._counts)


class PumpFaults:
    """The event pump's share of a spec: which records of a batch are delivered twice, and how,
    and whether the handler dies before answering."""

    def __init__(self, spec: FaultSpec):
        self.spec = spec
        self.dice = Dice(spec.seed)
        self.counts = Counts()

    def duplicates(self, source: str, records: list) -> tuple:
        """(records delivered again at the same time, records delivered again right after)."""
        concurrent, after = [], []
        if not self.spec.sqs_duplicate:
            return concurrent, after
        for record in records:
            rng = self.dice.roll(f"duplicate:{source}")
            if rng.random() < self.spec.sqs_duplicate:
                (concurrent if rng.random() < 0.5 else after).append(record)
        self.counts.add("sqs:duplicate", len(concurrent) + len(after))
        return concurrent, after

    def crashes(self, source: str) -> bool:
        if not self.spec.handler_crash_after:
            return False
        crashed = self.dice.roll(f"crash:{source}").random() < self.spec.handler_crash_after
        if crashed:
            self.counts.add("pump:handler_crash_after")
        return crashed
