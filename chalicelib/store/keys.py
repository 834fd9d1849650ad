"""Every DynamoDB key string of Onceship, spelled once.

Platform records (merchants, channels, buyers, base catalog, carriers, nonces, sessions,
idempotency) have their own partitions. Everything a merchant owns lives under a partition
that starts with `M#<merchant_id>#`, built only through `MerchantScope`.
"""
from dataclasses import dataclass

PROFILE = "PROFILE"


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
    return f"BASE#{base_product_id}", "BASE"


def buyer(platform_customer_id: str) -> tuple:
    return f"BUYER#{platform_customer_id}", "BUYER"


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

    def settings(self, name: str) -> tuple:
        return self.pk("SETTINGS"), f"SETTINGS#{name}"

    def sync_modules(self) -> tuple:
        return self.pk("SYNC"), "MODULES"

    def sync_product(self, erp_product_id: str) -> tuple:
        return self.pk("SYNC"), f"P#{erp_product_id}"

    # catalog and inventory share one partition per product ----------------------------------
    def product_pk(self, erp_product_id: str) -> str:
        return self.pk("P", erp_product_id)

    def product(self, erp_product_id: str) -> tuple:
        return self.product_pk(erp_product_id), "PRODUCT"

    def stock(self, erp_product_id: str) -> tuple:
        return self.product_pk(erp_product_id), "STOCK"
