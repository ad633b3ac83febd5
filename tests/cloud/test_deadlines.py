"""Issue 10: a server that dies or goes silent mid-sync ends the run with a clear message and a
non-zero exit, within about one network timeout (a setting; 60 s by default, 4 s here); `share`
refuses address lists before any network call and gives up on an unreachable server."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from cloud.faultproxy import FaultPlan, FaultProxy
from cloud.gcs_fixtures import free_port, make_archive, new_bucket, sample_files, start_fake_gcs

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings, save_settings

TIMEOUT = 3.0


@pytest.fixture
def short_timeout(settings: Settings) -> Settings:
    short = dataclasses.replace(settings, network_timeout=TIMEOUT)
    save_settings(short)
    return short


def _cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "photoarchive", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture
def slow_server() -> Iterator[tuple[subprocess.Popen[bytes], FaultProxy, str]]:
    """Our own fake-gcs-server (this test kills it) behind a proxy that slows each upload."""
    port = free_port()
    with FaultProxy(port) as proxy:
        proc = start_fake_gcs(port, external=proxy.url)
        proxy.plan = FaultPlan(rule=lambda n, m, p: "slow" if "/upload/" in p else None)
        try:
            yield proc, proxy, f"http://127.0.0.1:{port}"
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("how", ["killed", "silent"])
def test_sync_stops_soon_after_the_server_goes_away(
    short_timeout: Settings, slow_server, cli_env, how: str
) -> None:  # type: ignore[no-untyped-def]
    server, proxy, upstream = slow_server
    gcs = new_bucket(upstream)
    files = sample_files(60, size=2000)
    make_archive(short_timeout, files)
    env = dict(cli_env, **{EMULATOR_ENV: proxy.url})
    args = ["sync", "--bucket", gcs.target, "--jobs", "2", "--archive", str(short_timeout.archive)]
    proc = _cli(env, *args)
    deadline = time.monotonic() + 60
    while len(gcs.objects()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL if how == "killed" else signal.SIGSTOP)
    gone = time.monotonic()
    out, err = proc.communicate(timeout=120)
    took = time.monotonic() - gone
    assert proc.returncode == 1, out + err
    assert "connection to the bucket was lost" in out, out + err
    # One timeout of retries, plus one backoff sleep and one attempt: far below two minutes.
    assert took < 4 * TIMEOUT + 10, f"stopped {took:.1f} s after the server went {how}"


@pytest.mark.parametrize(
    "address", ["allUsers,bob@example.com", "bob@example.com,carol@example.com"]
)
def test_share_add_refuses_a_list_before_any_network_call(
    settings: Settings, cli_env, address: str
) -> None:  # type: ignore[no-untyped-def]
    env = dict(cli_env, **{EMULATOR_ENV: f"http://127.0.0.1:{free_port()}"})  # nothing listens
    started = time.monotonic()
    proc = _cli(env, "share", "add", address, "--bucket", "gs://family-photos")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, out + err
    assert "public" in err or "each address as its own argument" in err
    assert time.monotonic() - started < 15


def test_share_add_gives_up_on_an_unreachable_server(short_timeout: Settings, cli_env) -> None:  # type: ignore[no-untyped-def]
    env = dict(cli_env, **{EMULATOR_ENV: f"http://127.0.0.1:{free_port()}"})  # nothing listens
    started = time.monotonic()
    proc = _cli(env, "share", "add", "bob@example.com", "--bucket", "gs://family-photos")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "cannot reach" in err
    assert time.monotonic() - started < 2 * TIMEOUT + 10


def test_every_request_gets_the_timeout(
    short_timeout: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts the connection and never answers fails the request after the
    timeout (not the library's 60 s), and the listing gives up soon after."""
    import socket

    from photoarchive import pipeline
    from photoarchive.cloud.client import GcsError

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    monkeypatch.setenv(EMULATOR_ENV, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    try:
        with pytest.raises(GcsError):
            pipeline.plan_sync(short_timeout, "gs://family-photos")
    finally:
        listener.close()
    assert time.monotonic() - started < 2 * TIMEOUT + 5
