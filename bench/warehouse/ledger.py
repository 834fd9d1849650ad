"""What the day's clients were told, kept as they go (thread-safe); the checks compare it with
what the table, the bucket and the receiver hold at the end."""
import collections
import threading


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.placed = collections.defaultdict(set)   # checkout token -> order ids answered for it
        self.refused = collections.Counter()         # placement refusals by code
        self.paid = set()                            # orders whose payment was answered 200
        self.refunds = {}                            # order id -> (kind answered, decision)
        self.batches = []                            # (operator, order ids) of each print batch
        self.reprints = collections.Counter()        # order id -> authorized reprints answered 201
        self.wrong_scans = collections.Counter()     # order id -> inspections sent with a wrong item
        self.caught = collections.Counter()          # order id -> of those, answered inspection_mismatch
        self.held_scans = collections.Counter()      # ... refused for a refund hold or a cancellation first
        self.shipped = set()                         # orders an operator was told are shipped
        self.shipped_twice_told = set()              # ... and told so twice (by different requests)
        self.direct_shipped_after_reprint = set()    # reprinted orders whose direct ship was told `ok`
        self.erp_read = set()
        self.erp_acked = set()
        self.erp_crashes = 0
        self.erp_unpaid_seen = set()                 # orders the ERP was offered while unpaid
        self.sheets = []                             # one entry per spreadsheet dropped
        self.notes = collections.Counter()           # anything else worth counting

    def add(self, name: str, *values):
        with self.lock:
            target = getattr(self, name)
            if isinstance(target, collections.Counter):
                target[values[0]] += values[1] if len(values) > 1 else 1
            elif isinstance(target, set):
                target.update(values)
            elif isinstance(target, list):
                target.append(values[0] if len(values) == 1 else values)
            else:
                raise TypeError(name)

    def note(self, name: str, n: int = 1):
        self.add("notes", name, n)

    def placed_for(self, token: str, order_id: str):
        with self.lock:
            self.placed[token].add(order_id)

    def told_shipped(self, order_id: str):
        with self.lock:
            if order_id in self.shipped:
                self.shipped_twice_told.add(order_id)
            self.shipped.add(order_id)
