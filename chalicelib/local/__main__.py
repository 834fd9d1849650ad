"""`python -m chalicelib.local` (what `make run` runs): start the local stack in the foreground.

Prints where everything is, optionally loads the demo (ONCESHIP_DEMO=1 and
chalicelib/local/demo.py defines `load(stack)`), and on SIGINT or SIGTERM saves the state,
stops every thread and the AWS server process, and exits 0.
"""
from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading


def _demo(stack) -> None:
    try:
        demo = importlib.import_module("chalicelib.local.demo")
    except ModuleNotFoundError as error:
        if error.name != "chalicelib.local.demo":
            raise
        print("ONCESHIP_DEMO=1, but there is no chalicelib/local/demo.py yet", flush=True)
        return
    answer = demo.load(stack)
    if answer:
        print(f"  Demo:         {answer}", flush=True)


def main() -> int:
    logging.basicConfig(level=os.environ.get("ONCESHIP_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("botocore", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from chalicelib.local.stack import LocalStack

    stopping = threading.Event()

    def ask_to_stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)

    stack = LocalStack()
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001 - say why and exit non-zero
        print(f"local stack did not start: {error}", file=sys.stderr, flush=True)
        return 1
    try:
        print(
            "\nOnceship local stack is running\n"
            f"  API:          {stack.api_url}\n"
            f"  Console:      {stack.console_url}\n"
            f"  AWS endpoint: {stack.aws_endpoint}\n"
            f"  Bucket:       {stack.bucket}\n"
            f"  Table:        {stack.table_name}\n"
            f"  Admin token:  {stack.admin_token}\n"
            f"  State:        {stack.state_dir}\n"
            + (f"  Faults:       {stack.faults.text()} (ONCESHIP_FAULTS)\n" if stack.faults else ""),
            flush=True,
        )
        if os.environ.get("ONCESHIP_DEMO") == "1" and not stopping.is_set():
            _demo(stack)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping.wait(0.5):
            if not stack.aws.alive():
                print("the local AWS server stopped unexpectedly", file=sys.stderr, flush=True)
                stack.stop(save=False)
                return 1
    finally:
        if stack.aws is not None and stack.aws.alive():
            print("Stopping: saving state...", flush=True)
            stack.stop()
            print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
