"""The platform's carrier list starts with these; the admin may add or rename carriers."""
DEFAULT_CARRIERS = {
    "SF": "顺丰", "ZTO": "中通", "YTO": "圆通", "STO": "申通",
    "YUNDA": "韵达", "EMS": "EMS", "JD": "京东", "DBL": "德邦",
}
