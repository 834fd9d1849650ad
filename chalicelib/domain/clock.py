"""Time: one place to read the clock and to write and parse RFC 3339."""
import time
from datetime import datetime, timezone


def now() -> float:
    return time.time()


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_iso() -> str:
    return iso(now())


def parse(text: str) -> float:
    """RFC 3339 with any offset (or 'Z') to epoch seconds; naive times are refused."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("time needs an offset, e.g. 2026-11-22T10:00:00+08:00")
    return value.timestamp()
