"""Sync switches: may an automatic sync write this module of this product?

A manual change (console, spreadsheet, `X-Onceship-Source: manual`) always applies. An automatic
one is refused when the module is switched off for the merchant, or for the product until the
product switch's `until` passes (then the switch is on again by itself).
"""
from typing import Optional

MODULES = ("products", "prices", "lots", "inventory", "listings", "customers")


def allowed(module: str, manual: bool, module_switches: dict, product_switches: Optional[dict],
            now: float) -> bool:
    if manual:
        return True
    if module_switches.get(module) is False:
        return False
    switch = (product_switches or {}).get(module)
    if switch is None or switch.get("on", True):
        return True
    until = switch.get("until")
    return until is not None and until <= now


def effective(product_switches: Optional[dict], now: float) -> dict:
    """The product's switches as callers see them: on/off now, with `until` when it applies."""
    out = {}
    for module in MODULES:
        switch = (product_switches or {}).get(module)
        if switch and not switch.get("on", True) and (switch.get("until") is None or switch["until"] > now):
            out[module] = {"on": False, "until": switch.get("until")}
        else:
            out[module] = {"on": True, "until": None}
    return out
