"""What every bench shares: quiet logs, DynamoDB request counting, and the one line a script reads.

`quiet()` runs when a bench imports this module, before it starts a stack: request logs of the
app (Powertools logger and metrics), chalice.local, werkzeug, moto and botocore would otherwise
bury the table. Errors still print. `result(name, metric=value, ...)` prints the last line of a
bench, `bench: <name> <metric>=<value> ...`, which `bench/run.py` collects into
bench/results.json.
"""
import logging
import os
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOISY = ("werkzeug", "moto", "botocore", "boto3", "urllib3", "chalice", "onceship",
         "aws_lambda_powertools", "chalicelib")
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def quiet() -> None:
    """Silence request logs here and in child processes (they inherit the environment)."""
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"   # EMF metrics print one JSON line a request
    os.environ.setdefault("ONCESHIP_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.ERROR)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def result(name: str, **metrics) -> str:
    """Print (and answer) the machine-readable last line of a bench."""
    line = "bench: " + name + "".join(f" {k}={fmt(v)}" for k, v in metrics.items())
    print(line, flush=True)
    return line


def parse(line: str):
    """(name, {metric: number or text}) of a `bench:` line, or None."""
    if not line.startswith("bench: "):
        return None
    name, *pairs = line[len("bench: "):].split()
    metrics = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        try:
            metrics[key] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            metrics[key] = raw
    return name, metrics


class Requests:
    """DynamoDB requests of this process's shared client while inside `with`, by operation;
    `threads` limits counting to the given thread ids (None: every thread)."""

    def __init__(self, threads=None):
        self.threads = threads
        self.ops: Counter = Counter()
        self.params: list = []
        self.seconds = 0.0
        self._started: dict = {}

    def _before(self, model, params, **_):
        if self.threads is None or threading.get_ident() in self.threads:
            self.ops[model.name] += 1
            self.params.append((model.name, params))
            self._started[threading.get_ident()] = time.perf_counter()

    def _after(self, model, **_):
        started = self._started.pop(threading.get_ident(), None)
        if started is not None:
            self.seconds += time.perf_counter() - started

    def items_per_transaction(self) -> float:
        import json
        sizes = [len(json.loads(p["body"])["TransactItems"]) for op, p in self.params if op == "TransactWriteItems"]
        return sum(sizes) / len(sizes) if sizes else 0.0

    @property
    def total(self) -> int:
        return sum(self.ops.values())

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.ops.items() if op in WRITES)

    @contextmanager
    def counting(self):
        from chalicelib import aws
        events = aws.dynamodb().meta.events
        events.register("before-call.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        try:
            yield self
        finally:
            events.unregister("before-call.dynamodb", self._before)
            events.unregister("after-call.dynamodb", self._after)


quiet()
