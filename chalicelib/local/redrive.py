"""`make redrive [QUEUE=jobs|uploads|webhooks]`: move dead letters back on the running `make run` stack.

It asks the stack's own API (`POST /v1/admin/dead-letters/{queue}/redrive` on
127.0.0.1:${PORT:-8000}) with the admin token (ONCESHIP_ADMIN_TOKEN, else the one kept in the
state dir), so it does exactly what the admin endpoint does in AWS. Each queue is redriven until
its dead-letter queue is empty.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from chalicelib.local import state

QUEUES = ("jobs", "uploads", "webhooks")


def admin_token() -> str:
    token = os.environ.get("ONCESHIP_ADMIN_TOKEN")
    if token:
        return token
    path = state.default_state_dir() / "admin_token"
    if not path.exists():
        raise SystemExit(f"no admin token: set ONCESHIP_ADMIN_TOKEN or run `make run` first ({path})")
    return path.read_text(encoding="utf-8").strip()


def redrive(api_url: str, token: str, queue: str) -> dict:
    request = urllib.request.Request(f"{api_url}/v1/admin/dead-letters/{queue}/redrive", data=b"",
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                              "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as answer:
        return json.loads(answer.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queue", nargs="?", choices=QUEUES, help="one queue (default: all three)")
    parser.add_argument("--api", default=f"http://127.0.0.1:{os.environ.get('PORT') or 8000}")
    args = parser.parse_args(argv)
    token = admin_token()
    for queue in [args.queue] if args.queue else QUEUES:
        moved = 0
        try:
            while True:
                answer = redrive(args.api, token, queue)
                moved += answer["moved"]
                if not answer["moved"] or not answer["dead_letters"]:
                    break
        except urllib.error.HTTPError as error:
            print(f"redrive {queue}: the API answered {error.code}: {error.read().decode(errors='replace')}",
                  file=sys.stderr)
            return 1
        except (urllib.error.URLError, OSError) as error:
            print(f"redrive {queue}: the API at {args.api} did not answer ({error}); is `make run` running?",
                  file=sys.stderr)
            return 1
        print(f"{queue}: moved {moved} dead letters back, {answer['dead_letters']} left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
