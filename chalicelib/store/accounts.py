"""Merchants, channels, console operators, sessions and request nonces."""
import secrets
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import AlreadyExists, NonceReused, NotFound
from chalicelib.store import keys
from chalicelib.store.table import ConditionFailed, Table, put_op

NOT_LIVE = "attribute_not_exists(pk) OR #ttl < :now"


class AccountStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    # merchants and channels -------------------------------------------------------------
    def create_merchant(self, merchant_id: str, name: str, salt: str) -> dict:
        pk, sk = keys.merchant(merchant_id)
        item = {"pk": pk, "sk": sk, "merchant_id": merchant_id, "name": name, "salt": salt,
                "created_at": clock.now_iso(), "gsi1pk": keys.merchant_list(), "gsi1sk": merchant_id}
        self.table.put(item, condition="attribute_not_exists(pk)")
        return item

    def merchant(self, merchant_id: str) -> Optional[dict]:
        return self.table.get(*keys.merchant(merchant_id))

    def merchants(self) -> list:
        return self.table.query_all(keys.merchant_list(), index="gsi1")

    def rotate_merchant_salt(self, merchant_id: str, salt: str, grace_until: float) -> None:
        self._rotate(keys.merchant(merchant_id), salt, grace_until)

    def create_channel(self, channel_id: str, name: str, merchant_ids: list, salt: str) -> dict:
        pk, sk = keys.channel(channel_id)
        item = {"pk": pk, "sk": sk, "channel_id": channel_id, "name": name,
                "merchant_ids": merchant_ids, "salt": salt, "created_at": clock.now_iso()}
        self.table.put(item, condition="attribute_not_exists(pk)")
        return item

    def channel(self, channel_id: str) -> Optional[dict]:
        return self.table.get(*keys.channel(channel_id))

    def rotate_channel_salt(self, channel_id: str, salt: str, grace_until: float) -> None:
        self._rotate(keys.channel(channel_id), salt, grace_until)

    def _rotate(self, key: tuple, salt: str, grace_until: float) -> None:
        try:
            self.table.update(*key, "SET prev_salt = salt, prev_valid_until = :until, salt = :salt",
                              condition="attribute_exists(pk)",
                              values={":until": int(grace_until), ":salt": salt})
        except ConditionFailed:
            raise NotFound("no such account")

    # operators and sessions -------------------------------------------------------------
    def create_operator(self, merchant_id: str, username: str, password_hash: str, role: str) -> dict:
        pk, sk = keys.MerchantScope(merchant_id).operator(username)
        item = {"pk": pk, "sk": sk, "merchant_id": merchant_id, "username": username,
                "password_hash": password_hash, "role": role, "created_at": clock.now_iso()}
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            raise AlreadyExists(f"operator {username!r} already exists")
        return item

    def operator(self, merchant_id: str, username: str) -> Optional[dict]:
        return self.table.get(*keys.MerchantScope(merchant_id).operator(username))

    def create_session(self, token_hash: str, operator: dict, expires_at: float) -> None:
        pk, sk = keys.session(token_hash)
        self.table.put({"pk": pk, "sk": sk, "merchant_id": operator["merchant_id"],
                        "username": operator["username"], "role": operator["role"],
                        "expires_at": int(expires_at), "ttl": int(expires_at)})

    def session(self, token_hash: str) -> Optional[dict]:
        found = self.table.get(*keys.session(token_hash))
        if found is None or found["expires_at"] <= clock.now():
            return None
        return found

    # nonces -------------------------------------------------------------------------------
    def use_nonce(self, key_id: str, nonce: str, keep_seconds: int) -> None:
        """Record a nonce once; a live record of the same nonce means a replay."""
        pk, sk = keys.nonce(key_id, nonce)
        now = int(clock.now())
        try:
            self.table.put({"pk": pk, "sk": sk, "ttl": now + keep_seconds}, condition=NOT_LIVE,
                           values={":now": now}, names={"#ttl": "ttl"})
        except ConditionFailed:
            raise NonceReused()


class PendingNonce:
    """A verified request's nonce, not written yet: the request's own transaction carries `op()`
    (then `committed()`), and whatever does not commit such a transaction ends with `settle()`,
    which writes it alone. Either way the nonce is recorded once before the answer goes out, and
    a replay of the request finds it: its transaction fails on the nonce (`refused()`), or its
    lone write does — the replay is refused and creates or changes nothing."""

    def __init__(self, key_id: str, nonce: str, keep_seconds: int, store: Optional[AccountStore] = None):
        self.key_id, self.nonce, self.keep_seconds = key_id, nonce, keep_seconds
        self.store = store or AccountStore()
        self.done = False
        self.write_id = secrets.token_hex(8)    # names this request's own nonce record

    def op(self) -> dict:
        pk, sk = keys.nonce(self.key_id, self.nonce)
        now = int(clock.now())
        return put_op({"pk": pk, "sk": sk, "ttl": now + self.keep_seconds, "by": self.write_id},
                      condition=NOT_LIVE, values={":now": now}, names={"#ttl": "ttl"})

    def mine(self, record: Optional[dict]) -> bool:
        """Whether a nonce record that failed the condition is this request's own: its
        transaction committed before and only the answer was lost (the SDK retried it)."""
        return bool(record) and record.get("by") == self.write_id

    def committed(self) -> None:
        self.done = True

    def refused(self) -> NonceReused:
        self.done = True
        return NonceReused()

    def settle(self) -> None:
        """Write the nonce alone unless a transaction already did (NonceReused for a replay)."""
        if not self.done:
            self.done = True
            self.store.use_nonce(self.key_id, self.nonce, self.keep_seconds)
