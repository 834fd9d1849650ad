"""Local scratch space for one job run: a folder of its own, removed whatever happens.

A run's folder is removed when the run ends, by success, failure or exception. A process killed
outright (a Lambda timeout or out-of-memory kill, after which the next invocation may find the
same /tmp) cannot clean up, so each new run first removes the folders of runs that cannot still
be alive: older than any invocation lasts.
"""
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

STALE_SECONDS = 20 * 60        # longer than any invocation (Lambda's own limit is 15 minutes)


def root() -> str:
    return os.path.join(tempfile.gettempdir(), "onceship-uploads")


@contextmanager
def folder(prefix: str) -> Iterator[str]:
    """A new folder for this run (its path), removed with all it holds when the block ends."""
    base = root()
    os.makedirs(base, exist_ok=True)
    sweep(base)
    path = tempfile.mkdtemp(prefix=prefix + ".", dir=base)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep(base: str, now: float = None) -> None:
    """Remove what runs that died left behind."""
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < STALE_SECONDS:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.remove(entry.path)
        except OSError:
            continue
