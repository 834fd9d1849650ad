"""A short warehouse day (bench/warehouse_day.py) on the live stack with faults on: channels
resending checkout tokens, refunds at random stages, four operators at once, reprints, wrong
scans, a crashing ERP, a flaky webhook receiver, two spreadsheets, lost answers, throttling,
duplicate and crashing deliveries; every invariant holds at the end."""
import re

from bench.warehouse import report
from bench.warehouse_day import default_spec, run_day

SEED = 20261213
ORDERS = 120   # about a minute on this 2-core machine


def test_a_short_day_with_faults_everywhere_breaks_no_invariant(stack):
    try:
        result = run_day(stack, SEED, ORDERS, default_spec(SEED))
    finally:
        # hints a failed delivery's backoff delayed (up to 15 minutes) for deliveries that have
        # succeeded since: stale, and they would hold up the next test's drain
        stack.client("sqs").purge_queue(QueueUrl=stack.queue_urls["WebhooksQueue"])
    table = report.table(result)
    assert result["violations"] == 0, table
    assert not result["actor_errors"], table
    names = {check["name"]: check for check in result["invariants"]}
    assert len(names) == 13, table
    rare = ("wrong-item", "reprinted")       # 2% and 3% of the orders: a short day may meet none
    assert all(check["checked"] > 0 for name, check in names.items() if not any(r in name for r in rare)), table
    faults = result["fault_counts"]
    for kind in ("dynamodb:lost_reply", "dynamodb:throttle", "sqs:duplicate"):
        assert faults.get(kind, 0) > 0, table  # the day met each kind of fault
    day = result["day"]
    assert day["placed"] > 0.8 * ORDERS and day["shipped"] > 0.6 * day["placed"], table
    assert re.fullmatch(rf"day: seed={SEED} orders={ORDERS} faults=\d+ violations=0", report.last_line(result))
