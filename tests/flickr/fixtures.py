"""Fixtures for the Flickr tests (tests/flickr/conftest.py and the GUI tests import them): the
local Flickr server, a file keyring, an environment pointing at both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from flickr.fake_server import CONSUMER_KEY, CONSUMER_SECRET, FakeFlickr
from flickr.file_keyring import ENV as KEYRING_ENV
from flickr.file_keyring import FileKeyring

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def flickr_server() -> Iterator[FakeFlickr]:
    server = FakeFlickr(idle_timeout=120).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "keyring.json"
    monkeypatch.setenv(KEYRING_ENV, str(path))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield path
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def flickr_env(
    flickr_server: FakeFlickr, file_keyring: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """This process and CLI subprocesses pointed at the local server with the file keyring."""
    values = {
        "PHOTOARCHIVE_FLICKR_URL": flickr_server.url,
        "FLICKR_API_KEY": CONSUMER_KEY,
        "FLICKR_API_SECRET": CONSUMER_SECRET,
        "PYTHON_KEYRING_BACKEND": "flickr.file_keyring.FileKeyring",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS.parent), str(TESTS)])
    return env
