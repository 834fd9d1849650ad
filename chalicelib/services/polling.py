"""Scheduled polling of merchants' ERPs (contract section 5).

The one-minute schedule claims every due connection and sends one `erp_poll` message each to the
jobs queue, so a slow ERP delays nobody else. The worker reads every page of the ERP, then
compares with what is stored and writes only the SKUs that changed and that the sync switches
allow, then records the outcome and when to poll next.

A half-read ERP writes nothing. If page 3 of 5 fails, the pages already read are dropped: a poll
is applied whole or not at all, so the status ("ok" with its counts, or "failed" with the reason)
always describes what the stock records hold. Applying whole pages instead would gain little:
only changed SKUs are written, so the next successful poll catches up for the price of reading
pages again, while the ERP's cursor may not even be stable across an outage.
"""
import uuid
from typing import Optional

from chalicelib import observability as obs
from chalicelib.adapters import poll_snapshots as snapshots
from chalicelib.adapters import queues
from chalicelib.adapters.erp import ErpUnavailable, read_inventory
from chalicelib.adapters.outbound import UrlRefused, resolve
from chalicelib.config import settings
from chalicelib.domain import clock, inventory as rules, polling, sealed, urls
from chalicelib.domain.errors import ChangedMeanwhile, NotFound, UnprocessableRequest, ValidationFailed
from chalicelib.services.inventory import INVENTORY, LOTS, stock_changed
from chalicelib.services.sync import SyncGate
from chalicelib.store import erp as erp_store
from chalicelib.store.erp import ErpConnectionStore
from chalicelib.store.parallel import each
from chalicelib.store.stock import ABSENT, StockStore

MESSAGE = "erp_poll"
SEAL_PURPOSE = "erp-auth-header"
CLAIM_FALLBACK_SECONDS = 900    # a claimed poll whose message was lost is claimed again after this
LEASE_SECONDS = 330             # longer than the jobs worker's 300 s timeout
MAX_POLL_SECONDS = 240          # reading every page must fit in the worker's run
DEFAULT_TIMEOUT_SECONDS = 10
SNAPSHOT_MARGIN_SECONDS = 120   # clock skew, index lag, transactions built before they commit


# the merchant's settings -------------------------------------------------------------------------
def configure(merchant_id: str, inventory_url: str, poll_every_minutes: int,
              auth_header: Optional[str], auth_header_given: bool, timeout_seconds: Optional[int]) -> dict:
    """Set the connection; `auth_header` not given keeps the stored one (only while the URL keeps
    its scheme, host and port: moved elsewhere, the stored header is dropped), null removes it.
    The header is sealed bound to the URL's origin, so it never opens for another one."""
    try:
        resolve(inventory_url)
    except UrlRefused as refused:
        raise UnprocessableRequest("url_not_allowed", f"inventory_url: {refused}")
    origin = urls.origin(inventory_url)
    auth_sealed = None
    if auth_header_given and auth_header is not None:
        try:
            polling.header_line(auth_header)
        except ValueError as bad:
            raise ValidationFailed("The auth header is not valid", [{"field": "auth_header", "message": str(bad)}])
        auth_sealed = sealed.seal(settings().secret_key, SEAL_PURPOSE, merchant_id, auth_header, bound_to=origin)
    record = ErpConnectionStore(merchant_id).configure(
        {"inventory_url": inventory_url, "poll_every_minutes": poll_every_minutes,
         "timeout_seconds": timeout_seconds or DEFAULT_TIMEOUT_SECONDS},
        auth_sealed, keep_auth=not auth_header_given, first_poll_at=clock.now(), origin=origin)
    return connection_view(record)


def connection(merchant_id: str) -> dict:
    return connection_view(_connection(merchant_id))


def disconnect(merchant_id: str) -> None:
    if not ErpConnectionStore(merchant_id).delete():
        raise NotFound("there is no ERP connection")


def poll_soon(merchant_id: str) -> dict:
    """A person asks for a poll now (after fixing the ERP, say): due at the next tick."""
    record = ErpConnectionStore(merchant_id).poll_now(clock.now())
    if record is None:
        raise NotFound("there is no ERP connection")
    return status_view(record)


def status(merchant_id: str) -> dict:
    return status_view(_connection(merchant_id))


def _connection(merchant_id: str) -> dict:
    record = ErpConnectionStore(merchant_id).get()
    if record is None:
        raise NotFound("there is no ERP connection")
    return record


def connection_view(record: dict) -> dict:
    return {"inventory_url": record["inventory_url"], "poll_every_minutes": record["poll_every_minutes"],
            "timeout_seconds": record.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
            "auth_header_set": bool(record.get("auth_sealed")), "updated_at": record.get("updated_at"),
            "next_poll_at": _iso(record.get("next_poll_at"))}


def status_view(record: dict) -> dict:
    last = record.get("status") or {}
    return {"last_poll_at": last.get("last_poll_at"), "outcome": last.get("outcome"),
            "error": last.get("error"), "items_seen": last.get("items_seen", 0),
            "items_changed": last.get("items_changed", 0), "items_skipped": last.get("items_skipped", 0),
            "items_invalid": last.get("items_invalid", 0), "pages": last.get("pages", 0),
            "consecutive_failures": int(record.get("failures") or 0),
            "polling": record.get("pending_poll") is not None,
            "next_poll_at": _iso(record.get("next_poll_at"))}


def _iso(epoch) -> Optional[str]:
    return clock.iso(float(epoch)) if epoch is not None else None


# the schedule ------------------------------------------------------------------------------------
def enqueue_due(now: Optional[float] = None) -> int:
    """Claim every due connection and send one poll message each; returns how many were sent."""
    now = clock.now() if now is None else now
    messages = []
    for merchant_id, seen in erp_store.due_connections(now):
        poll_id = "poll_" + uuid.uuid4().hex
        if ErpConnectionStore(merchant_id).claim(seen, poll_id, now + CLAIM_FALLBACK_SECONDS):
            messages.append({"type": MESSAGE, "merchant_id": merchant_id, "poll_id": poll_id})
    if messages:
        queues.send_many(queues.jobs_url(), messages)
    return len(messages)


# the worker --------------------------------------------------------------------------------------
def handle_message(body: dict, meta: dict) -> None:
    run_poll(body["merchant_id"], body["poll_id"])


def run_poll(merchant_id: str, poll_id: str) -> Optional[dict]:
    """Run one claimed poll; a duplicate or superseded message does nothing (returns None)."""
    store = ErpConnectionStore(merchant_id)
    owner = uuid.uuid4().hex
    record = store.start(poll_id, owner, clock.now() + LEASE_SECONDS)
    if record is None:
        obs.logger().info("erp poll skipped: finished, superseded or running", extra={"poll_id": poll_id})
        return None
    started = clock.now()
    interval = int(record["poll_every_minutes"]) * 60
    try:
        snapshot = read_inventory(record["inventory_url"], _auth_header(merchant_id, record),
                                  float(record.get("timeout_seconds") or DEFAULT_TIMEOUT_SECONDS),
                                  MAX_POLL_SECONDS)
    except (ErpUnavailable, sealed.SealBroken) as err:
        failures = int(record.get("failures") or 0) + 1
        outcome = {"last_poll_at": clock.iso(started), "outcome": "failed", "error": str(err),
                   "items_seen": 0, "items_changed": 0, "items_skipped": 0, "items_invalid": 0}
        store.finish(poll_id, owner, outcome, failures,
                     clock.now() + polling.backoff_seconds(failures, interval))
        obs.count("ErpPollFailed")
        return outcome
    counts = apply(merchant_id, snapshot.items)
    outcome = dict(counts, last_poll_at=clock.iso(started), outcome="ok", pages=snapshot.pages,
                   items_seen=len(snapshot.items), items_invalid=len(snapshot.invalid),
                   error=_invalid_summary(snapshot.invalid))
    store.finish(poll_id, owner, outcome, 0, started + interval)
    return outcome


def _auth_header(merchant_id: str, record: dict) -> Optional[str]:
    """The stored header, opened for the origin the poll goes to (never the stored `auth_origin`,
    which is only a note for the next PUT): a header given for another origin does not open."""
    if not record.get("auth_sealed"):
        return None
    origin = urls.origin(record["inventory_url"]) or ""
    try:
        return sealed.open_sealed(settings().secret_key, SEAL_PURPOSE, merchant_id, record["auth_sealed"],
                                  bound_to=origin)
    except sealed.SealBroken:
        raise sealed.SealBroken(f"the stored auth header cannot be opened for {origin} (it was given for "
                                "another address, or the server key changed); nothing was sent: set the "
                                "connection's auth_header again")


def _invalid_summary(invalid: list) -> Optional[str]:
    if not invalid:
        return None
    return f"{len(invalid)} items left out; first: {invalid[0]}"[:500]


def apply(merchant_id: str, items: dict) -> dict:
    """Write what differs from the stored records and what the switches allow.

    What is stored comes from the previous poll's snapshot plus every record written since (one
    index query), or from reading every record when there is no snapshot. Each write is
    conditioned on the revision it was compared against; a record that changed meanwhile is
    read again (consistently) and compared once more, and left to the next poll if it changes
    again."""
    gate = SyncGate.load(merchant_id, manual=False)
    stock = StockStore(merchant_id)
    read_at = clock.now() - SNAPSHOT_MARGIN_SECONDS
    known, fresh = _known(merchant_id, stock)
    changed, skipped, moved = 0, set(), []
    pending = list(items)
    for attempt in range(2):
        if attempt:
            known.update({r["erp_product_id"]: rules.known(r) for r in stock.many(pending)})
        writes = []
        for erp_id in pending:
            item, stored = items[erp_id], known.get(erp_id, rules.NOTHING)
            change = rules.plan(stored, item.on_hand, item.lots, gate.allows(INVENTORY, erp_id),
                                gate.allows(LOTS, erp_id))
            if change.refused:
                skipped.add(erp_id)
            if change.writes:
                writes.append((erp_id, change, ABSENT if stored.rev is None else stored.rev))
        outcomes = each([lambda w=w: stock.replace(w[0], rules.ERP, on_hand=w[1].on_hand, lots=w[1].lots,
                                                   expected_rev=w[2]) for w in writes])
        pending = []
        for (erp_id, change, _), outcome in zip(writes, outcomes):
            if isinstance(outcome, ChangedMeanwhile):
                pending.append(erp_id)
                continue
            if isinstance(outcome, Exception):
                raise outcome
            changed += 1
            known[erp_id] = rules.known(outcome)
            if outcome.get("prev_on_hand") != outcome.get("on_hand"):
                moved.append(erp_id)
        if not pending:
            break
    for erp_id in pending:
        known.pop(erp_id, None)   # unsure: the next poll reads it again through the index
    if fresh or changed or pending:
        snapshots.save(merchant_id, read_at, {k: [v.rev, v.on_hand, v.lots] for k, v in known.items()})
    stock_changed(merchant_id, moved)
    return {"items_changed": changed, "items_skipped": len(skipped), "items_conflicted": len(pending)}


def _known(merchant_id: str, stock: StockStore) -> tuple:
    """({erp_product_id: Known}, whether it was updated from the table since the snapshot)."""
    snapshot = snapshots.load(merchant_id)
    if snapshot is None:
        return {r["erp_product_id"]: rules.known(r) for r in stock.everything()}, True
    known = {k: rules.Known(rev, on_hand, lots) for k, (rev, on_hand, lots) in snapshot["records"].items()}
    changed = stock.changed_since(float(snapshot["taken_at"]))
    known.update({r["erp_product_id"]: rules.known(r) for r in changed})
    return known, bool(changed)
