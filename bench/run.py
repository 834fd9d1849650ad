"""Run the benches (all, or those named) and collect their `bench:` lines into bench/results.json.

    .venv/bin/python bench/run.py            # every bench/*.py
    .venv/bin/python bench/run.py orders     # one (make bench ONLY=orders); several: orders,uploads

Each bench's own output passes through; a bench that fails or prints no `bench:` line fails the
run (after the others ran). results.json maps each bench name to its metrics and keeps the
entries of benches not run this time.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from support import parse  # noqa: E402

NOT_BENCHES = {"run", "support"}
RESULTS = HERE / "results.json"


def benches(only: str) -> list:
    known = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHES)
    if not only:
        return known
    wanted = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in known]
    if unknown:
        sys.exit(f"no bench {', '.join(unknown)} (there are: {', '.join(known)})")
    return wanted


def run(name: str) -> tuple:
    print(f"== bench/{name}.py", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(HERE / f"{name}.py")], stdout=subprocess.PIPE,
                               text=True, cwd=HERE.parent)
    found = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        parsed = parse(line.strip())
        if parsed:
            found.append(parsed)
    code = process.wait()
    return code, found, time.perf_counter() - started


def main(only: str = "") -> int:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = []
    for name in benches(only):
        code, found, seconds = run(name)
        if code != 0 or not found:
            failed.append(name)
            continue
        for bench, metrics in found:
            results[bench] = dict(metrics, seconds=round(seconds, 1),
                                  at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"== results in {RESULTS.relative_to(HERE.parent)}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
