"""The warehouse day: a seeded simulation of a busy day on the live local stack with faults on, every
invariant of the order hub checked at its end (`make day SEED=<n> ORDERS=<n>`).

N orders (default 1,000) come from three channels that resend on timeouts with the same checkout
token, are paid, 5% get refund requests at random moments, four operators review, reserve and
claim print batches at once (3% reprinted with a supervisor's authorization and then inspected,
2% scanned with a wrong item first, the rest shipped directly), an ERP pulls and acknowledges
orders and crashes before 1 in 10 acknowledgements, the merchant's webhook receiver fails 20% of
deliveries, and a spreadsheet of stock and one of order statuses are dropped mid-day. Meanwhile
the local AWS endpoint throttles, fails, delays and loses answers, and the event pump delivers
messages twice and lets handlers die after their writes (ONCESHIP_FAULTS, docs/faults.md; the
default below when unset). The checks read the table, the bucket and the receiver
(bench/warehouse/invariants.py); one table is printed and written as JSON, and the last line is

    day: seed=<n> orders=<n> faults=<n> violations=<n>

The exit status is 1 when any invariant is broken (the run then prints how to replay it).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from bench.warehouse import actors, invariants, report  # noqa: E402
from bench.warehouse.ledger import Ledger  # noqa: E402
from bench.warehouse.receiver import FlakyReceiver  # noqa: E402

DEFAULT_FAULTS = ("aws_lost_reply=0.02,aws_throttle=0.02,aws_error=0.005,aws_delay=0.01,aws_delay_ms=100,"
                  "sqs_duplicate=0.3,handler_crash_after=0.05")
SETTLE_SECONDS = 180
# The webhooks queue is not waited for: it may hold hints delayed by a failed delivery's backoff
# (up to 15 minutes), for deliveries the merchant's retries below have made succeed meanwhile.
WORK_QUEUES = ["JobsQueue", "UploadsQueue"]


def default_spec(seed: int) -> str:
    return f"seed={seed},{DEFAULT_FAULTS}"


def run_day(stack, seed: int, orders: int, spec: str, show_progress: bool = False) -> dict:
    """Run one day on a started LocalStack (faults are turned on for the day and off after it)."""
    from bench.warehouse import world as worlds
    receiver = FlakyReceiver(seed)
    try:
        stack.set_faults(None)
        world = worlds.build(stack, seed, orders, receiver)
        ledger = Ledger()
        day = actors.Day(world, ledger)
        stack.set_faults(spec)
        started = time.monotonic()
        result = _day(day, stack, started, show_progress)
        result.update(seed=seed, orders=orders, fault_spec=spec)
        return result
    finally:
        stack.set_faults(None)
        receiver.close()


def _day(day, stack, started: float, show_progress: bool) -> dict:
    world, ledger = day.world, day.ledger
    numbers = list(range(world.orders))
    channels = [actors.run_thread(day, f"channel {i}", actors.channel, i, numbers[i::len(world.channels)])
                for i in range(len(world.channels))]
    helpers = [actors.run_thread(day, "refunds", actors.refunds),
               actors.run_thread(day, "ticker", actors.ticker)]
    if show_progress:
        actors.run_thread(day, "progress", actors.progress)
    operators = [actors.run_thread(day, f"operator {i}", actors.operator, i) for i in range(len(world.operators))]
    erp = actors.run_thread(day, "erp", actors.erp)
    sheets = actors.run_thread(day, "sheets", actors.sheets)
    for thread in channels:
        thread.join()
    day.channels_done.set()
    helpers[0].join()
    for thread in operators:
        thread.join()
    sheets.join()
    day.desk_done.set()
    erp.join()
    seconds = time.monotonic() - started
    fault_counts = stack.fault_counts()
    aws_requests = stack.fault_requests()
    stack.set_faults(None)
    settle_started = time.monotonic()
    try:
        _settle(day, stack)
    except Exception as error:  # noqa: BLE001 - still check and report what is there
        day.failed("settle", error)
    finally:
        day.stop.set()
        helpers[1].join()
    stored = invariants.load(stack, world, ledger.sheets)
    checks = [check(stored, ledger, world) for check in invariants.CHECKS]
    checks.append(invariants.webhooks_once(stored, ledger, world, world.receiver.snapshot()))
    checks.append(invariants.dead_letters_empty(stack))
    statuses = [o["status"] for o in stored.orders.values()]
    placed = len(stored.orders)
    return {
        "violations": sum(len(c.violations) for c in checks),
        "invariants": [{"name": c.name, "checked": c.checked, "violations": len(c.violations),
                        "examples": c.violations[:50]} for c in checks],
        "fault_counts": fault_counts,
        "aws_requests": aws_requests,
        "client": day.counter.snapshot(),
        "api_calls": day.api_calls.snapshot(),
        "notes": dict(ledger.notes),
        "actor_errors": day.errors,
        "day": {"placed": placed, "refused": sum(ledger.refused.values()), "refusals": dict(ledger.refused),
                "paid": len(ledger.paid), "shipped": sum(s in invariants.SHIPPED for s in statuses),
                "cancelled": statuses.count("cancelled"),
                "left_with_reason": sum(s in ("paid", "partially_shipped") for s in statuses),
                "reprints": sum(ledger.reprints.values()), "wrong_scans": sum(ledger.wrong_scans.values()),
                "refund_requests": len(ledger.refunds), "erp_crashes": ledger.erp_crashes,
                "print_batches": len(ledger.batches), "webhook_calls": len(world.receiver.snapshot()),
                "seconds": round(seconds, 2), "orders_per_second": placed / seconds if seconds else 0.0,
                "settle_seconds": round(time.monotonic() - settle_started, 2),
                "settle_phases": day.settle_phases},
    }


def _settle(day, stack) -> None:
    """With the faults off: the queues run dry, the ERP reads the rest, the sheets finish, every
    webhook delivery succeeds (the merchant retries by hand what gave up or waits long), and the
    dead letters are redriven."""
    deadline = time.monotonic() + SETTLE_SECONDS
    phases = day.settle_phases
    started = time.monotonic()
    stack.pump.drain(timeout=SETTLE_SECONDS, names=WORK_QUEUES)
    phases["queues"] = round(time.monotonic() - started, 1)
    actors.erp(day, final=True)
    phases["erp"] = round(time.monotonic() - started - sum(phases.values()), 1)
    _until(deadline, lambda: _sheets_done(day, stack))
    phases["sheets"] = round(time.monotonic() - started - sum(phases.values()), 1)
    _until(deadline, lambda: _webhooks_done(day, stack))
    phases["webhooks"] = round(time.monotonic() - started - sum(phases.values()), 1)
    for queue in ("jobs", "uploads", "webhooks"):
        try:
            answer = day.call(day.world.admin, "POST", f"/v1/admin/dead-letters/{queue}/redrive")
            if answer.status_code != 200:
                day.failed("redrive", RuntimeError(answer.text[:300]))
        except Exception as error:  # noqa: BLE001 - the dead-letter check will say what is left
            day.failed(f"redrive {queue}", error)
    stack.pump.drain(timeout=SETTLE_SECONDS, names=WORK_QUEUES)
    _until(deadline, lambda: _webhooks_done(day, stack))


def _until(deadline: float, done) -> None:
    while not done() and time.monotonic() < deadline:
        time.sleep(0.5)


def _sheets_done(day, stack) -> bool:
    from chalicelib.domain.uploads import OPEN
    listed = day.call(day.world.merchant, "GET", "/v1/uploads?limit=100").json()["items"]
    return not any(job["status"] in OPEN for job in listed)


def _webhooks_done(day, stack) -> bool:
    from chalicelib.store.table import Table
    from chalicelib.store.webhooks import WebhookStore
    store = WebhookStore(day.world.merchant_id, Table(stack.table_name, client=stack.client("dynamodb")))
    items = []
    for status in ("pending", "failed"):              # what is not delivered yet
        before = None
        while True:
            page, before = store.page(status, 100, before)
            items += page
            if not before:
                break
    waiting = [i for i in items if i["status"] != "succeeded"]
    for item in waiting:  # the merchant sends again what failed or was never tried (a lost hint)
        day.call(day.world.merchant, "POST", f"/v1/webhook-deliveries/{item['event_id']}/retry", None)
    if waiting:
        stack.pump.run_schedule("SchedulerTick")
        time.sleep(1.0)
    return not waiting


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 1))
    parser.add_argument("--orders", type=int, default=int(os.environ.get("ORDERS") or 1000))
    parser.add_argument("--faults", default=None, help="ONCESHIP_FAULTS spec (default: ONCESHIP_FAULTS, "
                                                       "else the day's standard faults with --seed)")
    parser.add_argument("--json", type=Path, default=None, help="where the JSON goes "
                                                              "(default build/day/day-<seed>-<orders>.json)")
    args = parser.parse_args(argv)
    spec = args.faults or os.environ.get("ONCESHIP_FAULTS") or default_spec(args.seed)
    from chalicelib import config
    from chalicelib.local import faults
    from chalicelib.local.stack import LocalStack
    try:
        faults.parse(spec)
    except faults.FaultSpecError as error:
        print(error, file=sys.stderr)
        return 2
    import logging
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("onceship").setLevel(logging.ERROR)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    with tempfile.TemporaryDirectory(prefix="onceship-day-") as state:
        stack = LocalStack(port=0, aws_port=0, state_dir=state, visibility_timeout=2, run_schedules=False,
                           snapshot_interval=0, faults="")
        stack.start()
        config.reset()
        try:
            result = run_day(stack, args.seed, args.orders, spec, show_progress=True)
        finally:
            stack.stop(save=False)
    path = args.json or PROJECT_DIR / "build" / "day" / f"day-{args.seed}-{args.orders}.json"
    report.write_json(result, path)
    print(report.table(result))
    print(f"json: {path}")
    if result["violations"]:
        print(f"replay: make day SEED={args.seed} ORDERS={args.orders}"
              + (f" ONCESHIP_FAULTS='{spec}'" if args.faults or os.environ.get("ONCESHIP_FAULTS") else ""))
    print(report.last_line(result))
    return 1 if result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
