"""Merchants, channels, console users (operators, supervisors, managers), sessions and request nonces."""
import secrets
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import AlreadyExists, Forbidden, NonceReused, NotFound
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

    # console users and sessions -----------------------------------------------------------
    # A user's `generation` grows with every change of password, role or disabled; a session
    # carries the generation it was opened under and is void once they differ.
    def create_operator(self, merchant_id: str, username: str, password_hash: str, role: str) -> dict:
        pk, sk = keys.MerchantScope(merchant_id).operator(username)
        now = clock.now_iso()
        item = {"pk": pk, "sk": sk, "merchant_id": merchant_id, "username": username,
                "password_hash": password_hash, "role": role, "disabled": False, "generation": 1,
                "created_at": now, "updated_at": now}
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            raise AlreadyExists(f"operator {username!r} already exists")
        return item

    def operator(self, merchant_id: str, username: str) -> Optional[dict]:
        return self.table.get(*keys.MerchantScope(merchant_id).operator(username))

    def update_operator(self, merchant_id: str, username: str, changes: dict,
                        only_roles: Optional[tuple] = None) -> dict:
        """Set `changes` (password_hash, role, disabled) and start a new generation. With
        `only_roles`, the user must hold one of them when written (a supervisor's change)."""
        pk, sk = keys.MerchantScope(merchant_id).operator(username)
        names = {"#gen": "generation"}
        values = {":one": 1, ":now": clock.now_iso()}
        sets = ["updated_at = :now"]
        for i, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{i}"], values[f":v{i}"] = field, value
            sets.append(f"#f{i} = :v{i}")
        condition = "attribute_exists(pk)"
        if only_roles:
            condition += " AND #role IN (" + ", ".join(f":r{i}" for i in range(len(only_roles))) + ")"
            names["#role"] = "role"
            values.update({f":r{i}": role for i, role in enumerate(only_roles)})
        try:
            return self.table.update(pk, sk, "SET " + ", ".join(sets) + " ADD #gen :one",
                                     condition=condition, values=values, names=names)
        except ConditionFailed as failed:
            if (failed.old or self.operator(merchant_id, username)) is None:
                raise NotFound(f"no user {username!r}")
            raise Forbidden("A supervisor changes operators and supervisors only")

    def operators(self, merchant_id: str, limit: int, start: Optional[dict]) -> tuple:
        """One page of the merchant's console users by username: (items, last key or None)."""
        pk, prefix = keys.MerchantScope(merchant_id).operators()
        return self.table.query(pk, prefix, limit=limit, start=start, consistent=True)

    def create_session(self, token_hash: str, operator: dict, expires_at: float) -> None:
        pk, sk = keys.session(token_hash)
        self.table.put({"pk": pk, "sk": sk, "merchant_id": operator["merchant_id"],
                        "username": operator["username"], "generation": operator.get("generation", 0),
                        "expires_at": int(expires_at), "ttl": int(expires_at)})

    def session(self, token_hash: str) -> Optional[dict]:
        found = self.table.get(*keys.session(token_hash))
        if found is None or found["expires_at"] <= clock.now():
            return None
        return found

    def delete_session(self, token_hash: str) -> None:
        self.table.delete(*keys.session(token_hash))

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
