"""The worker-process pool under tagging and reading: chunks of files, a crash costs one file.

A chunk whose worker died (a crash inside exiv2 breaks the whole pool) is retried file by file in
a fresh pool, so the file that crashed is named; cancel stops between chunks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from photoarchive.jobs import CancelToken
from photoarchive.metadata.workers import init_worker, unexpected

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One more process than cores: while one waits for its fsyncs, the cores stay busy."""
    return max(2, min((os.cpu_count() or 1) + 1, 5))


def _context() -> multiprocessing.context.BaseContext:
    # forkserver/spawn: never fork a process that may hold Qt or sqlite threads.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["photoarchive.metadata.workers"])  # workers start already loaded
    return ctx


T = TypeVar("T")
R = TypeVar("R")


def run_pool(
    chunks: list[list[T]],
    fn: Callable[[list[T]], list[R]],
    on_done: Callable[[list[T], list[R]], None],
    on_crash: Callable[[T], None],
    cancel: CancelToken,
    workers: int,
    on_error: Callable[[T, str], None] | None = None,
    on_lost: Callable[[list[T]], None] | None = None,
) -> bool:
    """Run fn over chunks in worker processes; returns False when cancelled."""
    todo = list(chunks)
    retry: list[list[T]] = []
    single = False  # retry mode: one file at a time, so a crash names its file
    while todo or retry:
        if not todo:
            todo, retry, single = [[item] for chunk in retry for item in chunk], [], True
        limit = 1 if single else 2 * workers
        pool = ProcessPoolExecutor(
            max_workers=1 if single else min(workers, len(todo)),
            mp_context=_context(),
            initializer=init_worker,
            initargs=(os.getpid(),),  # workers stop when this process is gone
        )
        broken = False
        lost: list[list[T]] = []
        try:
            running: dict[Future[list[R]], list[T]] = {}
            while todo or running:
                while todo and len(running) < limit and not broken:
                    if cancel.cancelled:
                        todo.clear()
                        break
                    chunk = todo.pop(0)
                    try:
                        running[pool.submit(fn, chunk)] = chunk
                    except BrokenProcessPool:
                        # A worker died since the last wait: this chunk never started, so the
                        # next, fresh pool runs it (the running ones report their own break).
                        todo.insert(0, chunk)
                        broken = True
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk = running.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        lost.append(chunk)  # its worker may have done part of it before dying
                        if single:
                            on_crash(chunk[0])
                        else:
                            retry.append(chunk)
                        continue
                    except Exception as exc:  # the chunk raised: retry it file by file
                        log.warning("a chunk failed (%s); retrying it file by file", exc)
                        if single:
                            (on_error or (lambda item, _m: on_crash(item)))(
                                chunk[0], unexpected(exc)
                            )
                        else:
                            retry.append(chunk)
                        continue
                    on_done(chunk, results)
                if broken and not running:
                    # Unstarted chunks go back on the list for the next, fresh pool.
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            # Only now that no worker of this pool is left can what they left be settled.
            for chunk in lost if on_lost is not None else ():
                on_lost(chunk)
        if cancel.cancelled:
            return False
    return True
