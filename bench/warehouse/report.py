"""The day's table, its JSON file, and its last line."""
import json
from pathlib import Path

EXAMPLES = 10


def table(result: dict) -> str:
    lines = [f"warehouse day: seed={result['seed']} orders={result['orders']} "
             f"faults: {result['fault_spec']}",
             f"{'invariant':<80} {'checked':>8} {'violations':>10}"]
    for check in result["invariants"]:
        lines.append(f"{check['name']:<80} {check['checked']:>8} {check['violations']:>10}")
        for example in check["examples"][:EXAMPLES]:
            lines.append(f"    - {example}")
    day = result["day"]
    lines += [
        f"orders placed {day['placed']} (refused {day['refused']}), paid {day['paid']}, shipped {day['shipped']}, "
        f"cancelled {day['cancelled']}, left at the desk with a reason {day['left_with_reason']}",
        f"{day['seconds']:.1f} s of day: {day['orders_per_second']:.1f} orders/s; "
        f"then {day['settle_seconds']:.1f} s to settle and check",
        f"AWS requests during the day: {sum(result['aws_requests'].values())} "
        f"({sum(result['aws_requests'].values()) / max(1, day['placed']):.0f} per order placed)",
        "faults survived: " + (", ".join(f"{k} {v}" for k, v in sorted(result["fault_counts"].items())) or "none"),
        "clients: " + (", ".join(f"{k} {v}" for k, v in sorted(result["client"].items())) or "no retries"),
    ]
    if result["actor_errors"]:
        lines.append(f"actor errors ({len(result['actor_errors'])}): " + "; ".join(result["actor_errors"][:5]))
    return "\n".join(lines)


def last_line(result: dict) -> str:
    return (f"day: seed={result['seed']} orders={result['orders']} faults={sum(result['fault_counts'].values())} "
            f"violations={result['violations']}")


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
