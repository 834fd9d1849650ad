"""Every DynamoDB key string of Onceship, spelled once.

Platform records (merchants, channels, buyers, base catalog, carriers, nonces, sessions,
idempotency) have their own partitions. Everything a merchant owns lives under a partition
that starts with `M#<merchant_id>#`, built only through `MerchantScope`.

`#` separates the parts of a key. The codes ERPs choose (domain/codes.py) may hold any printable
character, `#` included, so each code goes into a key through `code()`: `%` and `#` (and any
control character) are percent-encoded as UTF-8, everything else is kept, so `A#B` becomes
`A%23B` and can never look like `A` followed by a key part `B`. Codes of the first alphabet
(`[A-Za-z0-9_.:-]`, what every stored key holds) are their own encoding. `code_of()` reads a code
back out of a key part.
"""
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote

PROFILE = "PROFILE"
SEPARATOR = "#"


def code(value: str) -> str:
    """A code as one key part: never contains the separator; reversible with `code_of`."""
    if "%" not in value and SEPARATOR not in value and value.isprintable():
        return value
    return "".join(quote(ch, safe="") if ch in "%#" or unicodedata.category(ch) == "Cc" else ch for ch in value)


def code_of(part: str) -> str:
    """The code a key part spells (the inverse of `code`)."""
    return unquote(part, errors="strict") if "%" in part else part


def merchant(merchant_id: str) -> tuple:
    return f"MERCHANT#{merchant_id}", PROFILE


def merchant_list() -> str:
    """gsi1 partition listing every merchant (admin and the schedule walk it)."""
    return "MERCHANTS"


def channel(channel_id: str) -> tuple:
    return f"CHANNEL#{channel_id}", PROFILE


def nonce(key_id: str, value: str) -> tuple:
    return f"NONCE#{key_id}#{value}", "NONCE"


def session(token_hash: str) -> tuple:
    return f"SESSION#{token_hash}", "SESSION"


def idempotency(caller: str, key: str) -> tuple:
    return f"IDEM#{caller}#{key}", "IDEM"


def rate_window(caller: str, minute: int) -> tuple:
    return f"RATE#{caller}", f"MINUTE#{minute}"


def carrier(code: str) -> tuple:
    return "CARRIERS", f"CARRIER#{code}"


def carriers() -> tuple:
    return "CARRIERS", "CARRIER#"


def base_product(base_product_id: str) -> tuple:
    return f"BASE#{code(base_product_id)}", "BASE"


def buyer(platform_customer_id: str) -> tuple:
    return f"BUYER#{code(platform_customer_id)}", "BUYER"


def buyers_by_credit_code(credit_code: str) -> tuple:
    """The platform buyers carrying one unified social credit code (a set of ids, one item)."""
    return f"BUYERCC#{credit_code}", "BUYERCC"


def customers_by_credit_code(credit_code: str) -> str:
    """gsi1 partition: every merchant's customers carrying one credit code (linked when the
    platform buyer with that code appears)."""
    return f"CUSTCC#{credit_code}"


def customers_by_credit_code_sk(merchant_id: str, erp_customer_code: str) -> str:
    return f"{merchant_id}#{code(erp_customer_code)}"


def base_index(criterion: str, value: str) -> str:
    """Match-index partition of the base catalog: criterion barcode | approval | specmaker.
    The value is the whole rest of a partition key that is only ever read whole, after a
    criterion name of a fixed set: it cannot be mistaken for another whatever it holds, and it is
    kept as it was first stored (values with `%` are in stored keys)."""
    return f"BASEIDX#{criterion}#{value}"


def base_index_member(base_product_id: str) -> str:
    return f"BASE#{code(base_product_id)}"


def base_index_ids(index_pk: str) -> tuple:
    """One item per match-index partition holding the set of its base product ids, so a batch of
    products is matched with batch reads instead of a query per product."""
    return index_pk, "IDS"
# orders and webhooks (issue 5) -----------------------------------------------------------------
def order_ref(order_id: str) -> tuple:
    """Where an order lives: order id → merchant and channel (channels address orders by id only)."""
    return f"ORDERREF#{order_id}", "REF"


def unpaid_queue(shard: int) -> str:
    """gsi4 partition of unpaid orders, sorted by payment deadline (the payment-timeout schedule)."""
    return f"ORDERS#UNPAID#{shard}"


def webhook_due_queue(shard: int) -> str:
    """gsi3 partition of webhook deliveries due for an attempt, sorted by when."""
    return f"WEBHOOKS#DUE#{shard}"


# inventory and ERP polling (issue 4) ----------------------------------------------------------
def erp_polls_due() -> str:
    """gsi1 partition of every ERP connection; gsi1sk = `erp_poll_slot(next_poll_at, mid)`."""
    return "ERPPOLLS"


def erp_poll_slot(next_poll_at: float, merchant_id: str) -> str:
    """Sorts by due time, so the schedule reads the due connections as one key range."""
    return f"{int(next_poll_at):012d}#{merchant_id}"


@dataclass(frozen=True)
class MerchantScope:
    """Builds the keys of one merchant's records; the only way the store reaches them."""
    merchant_id: str

    def pk(self, *parts: str) -> str:
        return "#".join(("M", self.merchant_id) + parts)

    def operator(self, username: str) -> tuple:
        return self.pk("OPERATOR"), f"OPERATOR#{username}"

    def operators(self) -> tuple:
        return self.pk("OPERATOR"), "OPERATOR#"

    def password_checks(self, username: str) -> tuple:
        """The failed password checks of one console user (store/attempts.py), known or not."""
        return self.pk("LOGIN"), f"CHECKS#{username}"

    def settings(self, name: str) -> tuple:
        """One partition per setting: those read with every order (carrier rules at payment,
        the webhook endpoint at each event) take no read units from one another."""
        return self.pk("SETTINGS", name), "SETTINGS"

    def sync_modules(self) -> tuple:
        return self.pk("SYNC"), "MODULES"

    def sync_product(self, erp_product_id: str) -> tuple:
        return self.pk("SYNC"), f"P#{code(erp_product_id)}"

    # a product and its stock: a partition each --------------------------------------------------
    def product_pk(self, erp_product_id: str) -> str:
        return self.pk("P", code(erp_product_id))

    def product_id_of(self, product_pk: str) -> str:
        """The erp_product_id a product partition key (`product_pk`) spells."""
        prefix = self.pk("P", "")
        if not product_pk.startswith(prefix):
            raise ValueError(f"{product_pk!r} is not a product partition of merchant {self.merchant_id}")
        return code_of(product_pk[len(prefix):])

    def product(self, erp_product_id: str) -> tuple:
        return self.product_pk(erp_product_id), "PRODUCT"

    def stock(self, erp_product_id: str) -> tuple:
        """The product's stock record: a partition of its own (every placement of a hot product
        reads the product and the stock record: apart, each takes half of those reads)."""
        return self.product_pk(erp_product_id) + SEPARATOR + "S", "STOCK"

    def stock_id_of(self, stock_pk: str) -> str:
        """The erp_product_id a stock record's partition key (`stock`) spells."""
        if not stock_pk.endswith(SEPARATOR + "S"):
            raise ValueError(f"{stock_pk!r} is not a stock partition")
        return self.product_id_of(stock_pk[:-2])

    def products_index(self) -> str:
        """gsi1 partition listing the merchant's products (gsi1sk = `products_index_sk`)."""
        return self.pk("PRODUCTS")

    @staticmethod
    def products_index_sk(erp_product_id: str) -> str:
        return code(erp_product_id)

    def listed_image(self, main_image_sha256: str) -> tuple:
        """Which products were listed with one main image: the duplicate-listing guard."""
        return self.pk("IMG", main_image_sha256), "LISTED"

    def region_group(self, region_group_id: str) -> tuple:
        return self.pk("REGION"), f"RG#{code(region_group_id)}"

    def region_groups(self) -> tuple:
        return self.pk("REGION"), "RG#"

    def customer_group(self, customer_group_id: str) -> tuple:
        return self.pk("CGROUP"), f"CG#{code(customer_group_id)}"

    def customer(self, erp_customer_code: str) -> tuple:
        return self.pk("CUST", code(erp_customer_code)), "CUSTOMER"

    def buyer_link(self, platform_customer_id: str) -> tuple:
        """This merchant's view of a platform buyer: its erp_customer_code and customer groups."""
        return self.pk("BUYER", code(platform_customer_id)), "LINK"
    # orders and webhooks (issue 5) -----------------------------------------------------------
    def checkout_token(self, token: str) -> tuple:
        return self.pk("CT", token), "TOKEN"

    def order(self, order_id: str) -> tuple:
        return self.pk("O", order_id), "ORDER"

    def order_shipment(self, order_id: str, shipment_id: str) -> tuple:
        return self.pk("O", order_id), f"SHIPMENT#{shipment_id}"

    def order_tracking(self, order_id: str, at_iso: str = "", event_id: str = "") -> tuple:
        """Tracking events sort by `at` (UTC, fixed width); `order_tracking(oid)` is their prefix."""
        return self.pk("O", order_id), f"TRACK#{at_iso}#{event_id}" if at_iso else "TRACK#"

    def order_feed(self, sync_status: str, shard: int) -> str:
        """gsi3 partition of the ERP feed: paid orders, `pending` or `synced`, one of FEED_SHARDS
        (`order_shard`), sorted by `feed_sort`."""
        return self.pk("FEED", sync_status, str(shard))

    @staticmethod
    def feed_sort(feed_at_iso: str, order_id: str) -> str:
        return f"{feed_at_iso}#{order_id}"

    def webhook_endpoint(self) -> tuple:
        return self.settings("webhook-endpoint")

    def webhook_delivery(self, event_id: str) -> tuple:
        """The outbox item of one event, which is also its delivery record: a partition each."""
        return self.pk("EVT", event_id), "DELIVERY"

    def webhook_status(self, status: str, shard: int) -> str:
        """gsi4 partition listing deliveries by status (pending, succeeded, failed), one of
        WEBHOOK_STATUS_SHARDS (`shard_of(event_id)`), sorted by event id (newest last)."""
        return self.pk("WEBHOOK", status, str(shard))

    # inventory and ERP polling (issue 4) -------------------------------------------------------
    def stock_index(self, shard: int) -> str:
        """gsi4 partition of the merchant's stock records, one of STOCK_INDEX_SHARDS
        (`shard_of(erp_product_id)`), sorted by `stock_index_sk` of the latest change of on_hand
        or lots: a poll reads the records changed since its previous one as one key range of each
        shard (or all of them when it has nothing to start from)."""
        return self.pk("STOCK", str(shard))

    def stock_bucket(self, erp_product_id: str, bucket: int) -> tuple:
        """One bucket of a hot product's stock (store/stock.py): a partition each."""
        return self.product_pk(erp_product_id) + f"#B#{bucket}", "STOCK"

    @staticmethod
    def stock_index_sk(updated_at: str, erp_product_id: str) -> str:
        return f"{updated_at}#{code(erp_product_id)}"

    def erp_connection(self) -> tuple:
        return self.pk("ERP"), "CONNECTION"
    # spreadsheet uploads and exports (issue 7) ----------------------------------------------
    def upload_job(self, job_id: str) -> tuple:
        return self.pk("UPLOAD", job_id), "JOB"

    def upload_chunk(self, job_id: str, position: int) -> tuple:
        return self.pk("UPLOAD", job_id), f"CHUNK#{position:09d}"

    def upload_chunks(self, job_id: str) -> tuple:
        return self.pk("UPLOAD", job_id), "CHUNK#"

    def upload_receipt(self, job_id: str, first_row: int) -> tuple:
        """Proof that rows of an upload were applied (store/receipts.py), by its first row."""
        return self.pk("UPLOAD", job_id), f"ROWS#{first_row:09d}"

    def upload_receipts(self, job_id: str, first_row: int, last_row: int) -> tuple:
        """(pk, (low sk, high sk)) of the receipts whose first row is in [first_row, last_row]."""
        pk = self.pk("UPLOAD", job_id)
        return pk, (self.upload_receipt(job_id, first_row)[1], self.upload_receipt(job_id, last_row)[1])

    def upload_list(self) -> str:
        """gsi1 partition of the merchant's upload jobs, sorted by creation time."""
        return self.pk("UPLOADS")

    def export_job(self, job_id: str) -> tuple:
        return self.pk("EXPORT", job_id), "JOB"

    # fulfillment desk (issue 6) --------------------------------------------------------------
    def desk_index(self, stage_rank: int, shard: int) -> str:
        """gsi4 partition of the merchant's paid orders at one stage of the desk, one of DESK_SHARDS
        (`shard_of(order_id)`), sorted by `desk_sort`: a stage's screen reads its own shards."""
        return self.pk("DESK", str(stage_rank), str(shard))

    def desk_sort(self, stage_rank: int, paid_at_iso: str, order_id: str) -> str:
        """Stage first, then paid time: one stage is one key range, oldest payment first."""
        return f"{stage_rank}#{paid_at_iso}#{order_id}"

    def waybill_ranges(self) -> tuple:
        return self.pk("WAYBILLS"), "RANGE#"

    def waybill_range(self, carrier_code: str, range_id: str) -> tuple:
        return self.pk("WAYBILLS"), f"RANGE#{carrier_code}#{range_id}"

    def waybill_ranges_version(self) -> tuple:
        """Bumped with every new range, so two overlapping ranges cannot both be added."""
        return self.pk("WAYBILLS"), "VERSION"

    def waybill(self, waybill_no: str) -> tuple:
        """One number, one order: written with the reservation, read by outbound inspection."""
        return self.pk("WB", waybill_no), "WAYBILL"

    def print_lane(self, lane: str) -> tuple:
        return self.pk("SETTINGS"), f"LANE#{lane}"

    def print_lanes(self) -> tuple:
        """(partition, sort-key prefix) of every print lane."""
        return self.pk("SETTINGS"), "LANE#"

# partition heat (issue 15) ----------------------------------------------------------------------
# DynamoDB gives each partition 1,000 write and 3,000 read units a second. Every partition that a
# share of all orders writes is one of a few shards, chosen by a hash of the order's (or event's,
# or product's) id, so that the busiest merchant's peak spreads over them (docs/architecture.md,
# "Partition heat"). Readers merge the shards in sort-key order (store/sharded.py).
UNPAID_SHARDS = 64          # all merchants: two index writes per order (placed, paid)
WEBHOOK_DUE_SHARDS = 64     # all merchants: four index writes per event
FEED_SHARDS = 8             # one merchant, each of pending and synced
DESK_SHARDS = 8             # one merchant, each stage: two index writes per order (in, out)
STOCK_INDEX_SHARDS = 16     # one merchant: two index writes per change of on_hand
WEBHOOK_STATUS_SHARDS = 16  # one merchant, each status
CHECK_REPLICAS = 16         # copies of a record every order's transaction checks (store/replicas.py)


def check_replica(key: tuple, n: int) -> tuple:
    """Copy `n` of a record that many transactions check: a partition each."""
    return f"{key[0]}#R#{n}", key[1]


def shard_of(text: str, count: int) -> int:
    """A stable shard in [0, count) for an id."""
    import hashlib
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % count
