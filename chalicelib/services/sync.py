"""The one check every automatic write path calls, and the switch settings themselves."""
from dataclasses import dataclass, field
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain import sync as rules
from chalicelib.store.sync import SyncStore

SYNC_OFF = "sync_off"


@dataclass
class SyncGate:
    """Loaded once per batch (one query), asked once per item."""
    manual: bool
    modules: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)

    @classmethod
    def load(cls, merchant_id: str, manual: bool) -> "SyncGate":
        if manual:
            return cls(manual=True)
        modules, products = SyncStore(merchant_id).load()
        return cls(manual=False, modules=modules, products=products)

    def allows(self, module: str, erp_product_id: Optional[str] = None) -> bool:
        product = self.products.get(erp_product_id) if erp_product_id else None
        return rules.allowed(module, self.manual, self.modules, product, clock.now())


def module_switches(merchant_id: str) -> dict:
    modules, _ = SyncStore(merchant_id).load()
    return {m: modules.get(m, True) is not False for m in rules.MODULES}


def set_module_switches(merchant_id: str, changes: dict) -> dict:
    SyncStore(merchant_id).set_modules(changes)
    return module_switches(merchant_id)


def set_product_switches(merchant_id: str, erp_product_id: str, changes: dict,
                         until: Optional[float]) -> dict:
    switches = {m: {"on": bool(on), "until": None if on else until} for m, on in changes.items()}
    SyncStore(merchant_id).set_product(erp_product_id, switches)
    _, products = SyncStore(merchant_id).load()
    return {"erp_product_id": erp_product_id,
            "switches": rules.effective(products.get(erp_product_id), clock.now())}
