"""A worker process notices that the process that started its batch is gone, and stops.

Killed parents used to leave their workers finishing whole chunks for a minute, holding the
caller's stdout and stderr open. Now each worker runs a small watcher thread: once the owner is
gone (the worker's parent changed, or the owner's pid is dead or a zombie), an idle worker exits
at once and a busy one stops at the next file boundary (`stop_if_orphaned`), after removing its
own temporaries. Whatever it renamed is in the intent journal (journal.py). With no worker left,
the forkserver (which exits with its parent) and the resource tracker go too.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator

POLL_SECONDS = 0.2

_orphaned = threading.Event()
_working = threading.Lock()  # held while a chunk runs


def _gone(owner: int, parent: int) -> bool:
    if os.getppid() != parent:
        return True
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{owner}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state in (b"Z", b"X")  # killed, not yet reaped


def watch_owner(owner: int) -> None:
    """Start the watcher in this worker (from the pool's initializer)."""
    parent = os.getppid()

    def watch() -> None:
        while not _gone(owner, parent):
            time.sleep(POLL_SECONDS)
        _orphaned.set()
        _working.acquire()  # idle now, or the chunk stopped itself at a file boundary
        os._exit(0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def orphaned() -> bool:
    return _orphaned.is_set()


@contextlib.contextmanager
def working() -> Iterator[None]:
    """Around one chunk: the watcher lets it reach a file boundary before the worker exits."""
    with _working:
        yield


def stop_if_orphaned(cleanup: Callable[[], None] | None = None) -> None:
    """At a file boundary: when the owner is gone, clean up and end this worker now."""
    if not _orphaned.is_set():
        return
    if cleanup is not None:
        with contextlib.suppress(BaseException):
            cleanup()
    os._exit(0)
