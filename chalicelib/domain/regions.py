"""Province names as compared: "广东省", "广东" and " 广东 " are one province.

Addresses and region groups spell provinces in their long form (广西壮族自治区, 北京市,
香港特别行政区) or short form (广西, 北京, 香港); both reduce to the short form.
"""
import unicodedata
from typing import Iterable, Optional

_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def province_key(name: Optional[str]) -> str:
    text = "".join(unicodedata.normalize("NFKC", name or "").split())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


def groups_of_province(province: Optional[str], groups: Iterable[dict]) -> list:
    """Ids of the region groups (`{"region_group_id", "provinces"}`) that contain `province`."""
    key = province_key(province)
    if not key:
        return []
    return [g["region_group_id"] for g in groups if key in {province_key(p) for p in g.get("provinces", [])}]
