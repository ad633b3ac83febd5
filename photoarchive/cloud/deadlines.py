"""Deadlines on every network call, so a dead or silent server ends a run instead of hanging it.

Two bounds, both `Settings.network_timeout` (default 60 s):
- each HTTP request the storage client makes gets a connect and read timeout of at most that
  (a read timeout is time without a byte, so slow but moving uploads are fine): `bound_timeouts`;
- a run shares one `LinkWatch`: once requests keep failing, every retry of every request gives
  up when the server has been unreachable or silent for that long, not each after its own
  window; uploads not started by then are not tried. So a sync whose server dies stops within
  about one timeout plus one backoff (under two minutes by default) and says so.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
from google.api_core.retry import Retry
from google.cloud import storage


def _bounded(timeout: Any, limit: float) -> Any:
    if timeout is None:
        return (limit, limit)
    if isinstance(timeout, tuple):
        return tuple(limit if t is None else min(float(t), limit) for t in timeout)
    return min(float(timeout), limit)


def bound_timeouts(client: storage.Client, seconds: float) -> storage.Client:
    """Cap the timeout of every request this client's HTTP session sends (uploads included)."""
    http = client._http  # the authorized requests session every call goes through
    send = http.request

    def request(method: str, url: str, *args: Any, timeout: Any = None, **kw: Any) -> Any:
        return send(method, url, *args, timeout=_bounded(timeout, seconds), **kw)

    http.request = request
    return client


def _silent_for(exc: BaseException, timeout: float) -> float:
    """How long the server had been silent when this error happened (a timeout: all of it)."""
    if isinstance(exc, (requests.Timeout, TimeoutError)):
        return timeout
    cause = exc.__cause__ or exc.__context__
    return _silent_for(cause, timeout) if cause is not None and cause is not exc else 0.0


class LinkWatch:
    """One deadline for all the requests of a run: how long the server has been unreachable."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._down_since: float | None = None

    def ok(self) -> None:
        """A request went through: the link is up."""
        with self._lock:
            self._down_since = None

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            since = now - _silent_for(exc, self.timeout)
            if self._down_since is None or since < self._down_since:
                self._down_since = since

    @property
    def gave_up(self) -> bool:
        """The server has not answered for the whole timeout: stop trying."""
        with self._lock:
            down = self._down_since
        return down is not None and time.monotonic() - down >= self.timeout

    def retry(self, base: Retry) -> Retry:
        """`base`, giving up as soon as the link has been down for the timeout."""
        should = base._predicate

        def predicate(exc: BaseException) -> bool:
            if not should(exc):
                return False
            self.failed(exc)
            return not self.gave_up

        return base.with_predicate(predicate)
