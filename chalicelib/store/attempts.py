"""Failed password checks of one console user: at most ten within any 15 minutes.

One item per user holds ten slots (`s0`..`s9`), each the time until which it is taken. A password
check first takes a free slot (missing or past) with one conditional update, so however many
checks run at once, no more than ten are ever let through; a check whose password was right gives
its slot back, a failed one keeps it for 15 minutes. With every slot taken the check is refused
before any password is compared, and the answer says when the oldest slot frees.
"""
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import TooManyAttempts
from chalicelib.store import keys
from chalicelib.store.table import ConditionFailed, Table

SLOTS = 10
WINDOW_SECONDS = 15 * 60
SLOT_NAMES = tuple(f"s{i}" for i in range(SLOTS))


@dataclass(frozen=True)
class Attempt:
    """A slot taken for one password check."""
    key: tuple
    slot: str
    until: Decimal


class AttemptStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def take(self, merchant_id: str, username: str) -> Attempt:
        """A slot for one check of `username`'s password, or TooManyAttempts."""
        key = keys.MerchantScope(merchant_id).password_checks(username)
        item = self.table.get(*key) or {}
        for _ in range(2 * SLOTS):
            now = clock.now()
            free = [s for s in SLOT_NAMES if item.get(s, 0) < now]
            if not free:
                break
            slot = random.choice(free)
            until = Decimal(f"{now + WINDOW_SECONDS:.6f}")
            try:
                self.table.update(*key, "SET #slot = :until, #ttl = :ttl",
                                  condition="attribute_not_exists(#slot) OR #slot < :now",
                                  values={":until": until, ":now": Decimal(f"{now:.6f}"),
                                          ":ttl": int(now) + WINDOW_SECONDS + 60},
                                  names={"#slot": slot, "#ttl": "ttl"})
                return Attempt(key, slot, until)
            except ConditionFailed as failed:
                item = failed.old or self.table.get(*key) or {}
        raise TooManyAttempts(retry_after=_seconds_until_a_slot_frees(item),
                              detail="Too many failed password checks for this user within 15 minutes")

    def give_back(self, attempt: Attempt) -> None:
        """The password was right: the check does not count."""
        try:
            self.table.update(*attempt.key, "REMOVE #slot", condition="#slot = :until",
                              values={":until": attempt.until}, names={"#slot": attempt.slot})
        except ConditionFailed:
            pass  # the slot had expired and was taken by another check meanwhile


def _seconds_until_a_slot_frees(item: dict) -> int:
    taken = [float(item[s]) for s in SLOT_NAMES if s in item]
    if not taken:
        return 1
    return max(1, math.ceil(min(taken) - clock.now()))
