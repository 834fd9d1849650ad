"""Cold start: median time to import app.py against `import chalice, boto3`, in the same run.

Each sample is a fresh interpreter (as a Lambda cold start is). Target: ratio <= 1.25.
Run: .venv/bin/python bench/coldstart.py [samples]
"""
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def sample(stmt: str) -> float:
    out = subprocess.run([sys.executable, "-X", "frozen_modules=on", "-c", PROBE.format(stmt=stmt)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


FIRST_REQUEST = ("import app; from chalicelib.api import pipeline; "
                 "pipeline.load('chalicelib.api.orders:place_order'); pipeline.load('chalicelib.api.products:upsert_products')")


def main(samples: int = 21) -> None:
    baseline, app, first = [], [], []
    for _ in range(samples):  # interleaved so all see the same machine load
        baseline.append(sample("import chalice, boto3"))
        app.append(sample("import app"))
        first.append(sample(FIRST_REQUEST))
    b, a, f = statistics.median(baseline), statistics.median(app), statistics.median(first)
    print(f"import chalice, boto3            : median {b * 1000:.1f} ms")
    print(f"import app                       : median {a * 1000:.1f} ms")
    print(f"ratio app/baseline               : {a / b:.2f}  (target <= 1.25)")
    print(f"app + order and catalog handlers : median {f * 1000:.1f} ms, ratio {f / b:.2f} "
          "(what the first request of a cold Lambda adds: boto3, pydantic, the handler's models)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
