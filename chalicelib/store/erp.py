"""The ERP connection of one merchant: its settings, its poll schedule and its latest status, in
one record (pk `M#<mid>#ERP`, sk `CONNECTION`), indexed by due time in gsi1 (`ERPPOLLS`).

A poll moves through named conditional writes:
  claim (schedule)   next_poll_at still what the schedule read -> pending_poll = new poll id,
                     next_poll_at = a fallback in case the message is lost;
  start (worker)     pending_poll is this poll and nobody holds a live lease -> lease taken;
  finish (worker)    still this poll and this lease -> status recorded, pending_poll cleared,
                     next_poll_at set from the outcome.
A message delivered twice finds its poll finished (or leased) and does nothing.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.store import keys
from chalicelib.store.keys import MerchantScope
from chalicelib.store.stock import names
from chalicelib.store.table import ConditionFailed, Table


class ErpConnectionStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def get(self) -> Optional[dict]:
        return self.table.get(*self.scope.erp_connection())

    def configure(self, settings: dict, auth_sealed: Optional[str], keep_auth: bool,
                  first_poll_at: float, origin: str) -> dict:
        """Set the connection (a new one or new settings); the first poll is due at `first_poll_at`.
        `auth_sealed` replaces the stored auth header (None: none), given for `origin` (the
        settings' scheme://host:port). `keep_auth` keeps the stored one only if it was given for
        that same origin (one conditional write), and drops it otherwise: a credential is never
        kept for a URL that points elsewhere."""
        sets = dict(settings, merchant_id=self.merchant_id, updated_at=clock.now_iso(), failures=0,
                    gsi1pk=keys.erp_polls_due())
        sets.update(self._due(first_poll_at))
        removes = ["pending_poll", "lease_owner", "lease_until"]
        if keep_auth:
            try:
                return self._update(sets, removes, condition="attribute_not_exists(#auth_sealed) OR "
                                                             "#auth_origin = :origin", values={":origin": origin})
            except ConditionFailed:
                return self._update(sets, removes + ["auth_sealed", "auth_origin"])
        if auth_sealed is not None:
            sets.update(auth_sealed=auth_sealed, auth_origin=origin)
        else:
            removes += ["auth_sealed", "auth_origin"]
        return self._update(sets, removes)

    def poll_now(self, at: float) -> Optional[dict]:
        """Make the next poll due at `at` (a person asked; backoff does not apply), unless one is
        already waiting to run. None when there is no connection."""
        try:
            return self._update(self._due(at), condition="attribute_exists(pk) AND attribute_not_exists(#pending_poll)")
        except ConditionFailed as failed:
            return failed.old

    def _due(self, at: float) -> dict:
        at = round(at, 3)
        return {"next_poll_at": at, "gsi1sk": keys.erp_poll_slot(at, self.merchant_id)}

    def delete(self) -> bool:
        pk, sk = self.scope.erp_connection()
        try:
            self.table.delete(pk, sk, condition="attribute_exists(pk)")
            return True
        except ConditionFailed:
            return False

    def claim(self, seen_next_poll_at: float, poll_id: str, fallback_at: float) -> bool:
        """The schedule takes a due poll; False when another tick or a new setting moved it."""
        try:
            self._update(dict(self._due(fallback_at), pending_poll=poll_id, enqueued_at=clock.now_iso()),
                         condition="#next_poll_at = :seen", values={":seen": seen_next_poll_at})
            return True
        except ConditionFailed:
            return False

    def start(self, poll_id: str, lease_owner: str, lease_until: float) -> Optional[dict]:
        """The connection with the lease taken, or None: finished, superseded, or running elsewhere."""
        try:
            return self._update({"lease_owner": lease_owner, "lease_until": lease_until},
                                condition="#pending_poll = :poll AND (attribute_not_exists(#lease_until) "
                                          "OR #lease_until < :now)",
                                values={":poll": poll_id, ":now": clock.now()})
        except ConditionFailed:
            return None

    def finish(self, poll_id: str, lease_owner: str, status: dict, failures: int, next_poll_at: float) -> bool:
        try:
            self._update(dict(self._due(next_poll_at), status=status, failures=failures, last_poll_id=poll_id),
                         removes=["pending_poll", "lease_owner", "lease_until"],
                         condition="#pending_poll = :poll AND #lease_owner = :owner",
                         values={":poll": poll_id, ":owner": lease_owner})
            return True
        except ConditionFailed:
            return False

    def _update(self, sets: dict, removes: tuple = (), condition: Optional[str] = None,
                values: Optional[dict] = None) -> dict:
        values = dict(values or {})
        parts = []
        for i, (field, value) in enumerate(sets.items()):
            parts.append(f"#{field} = :v{i}")
            values[f":v{i}"] = value
        expression = "SET " + ", ".join(parts)
        if removes:
            expression += " REMOVE " + ", ".join(f"#{field}" for field in removes)
        pk, sk = self.scope.erp_connection()
        return self.table.update(pk, sk, expression, condition, values, names(expression, condition))


def due_connections(now: float, table: Optional[Table] = None) -> list:
    """(merchant_id, next_poll_at) of every connection due by `now`, from the index."""
    table = table or Table()
    items = table.query_all(keys.erp_polls_due(), index="gsi1",
                            sk_between=("0", keys.erp_poll_slot(now, "~")))
    return [(item["merchant_id"], item["next_poll_at"]) for item in items]
