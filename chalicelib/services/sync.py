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
    return _modules_view(modules)


def set_module_switches(merchant_id: str, changes: dict) -> dict:
    return _modules_view(SyncStore(merchant_id).set_modules(changes))


def _modules_view(modules: dict) -> dict:
    return {m: modules.get(m, True) is not False for m in rules.MODULES}


def product_switches(merchant_id: str, erp_product_id: str) -> dict:
    return _product_view(erp_product_id, SyncStore(merchant_id).product(erp_product_id))


def set_product_switches(merchant_id: str, erp_product_id: str, changes: dict,
                         until: Optional[float]) -> dict:
    """Switch modules of one product on or off; `until` applies to the ones switched off."""
    switches = {m: {"on": bool(on), "until": None if on else until} for m, on in changes.items()}
    store = SyncStore(merchant_id)
    store.set_product(erp_product_id, switches)
    return _product_view(erp_product_id, store.product(erp_product_id))


def _product_view(erp_product_id: str, switches: Optional[dict]) -> dict:
    view = rules.effective(switches, clock.now())
    return {"erp_product_id": erp_product_id,
            "switches": {m: {"on": s["on"], "until": clock.iso(float(s["until"])) if s["until"] is not None else None}
                         for m, s in view.items()}}
