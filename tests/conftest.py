"""Fixtures every test area shares: an isolated home (XDG dirs) and settings for a temp archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photoarchive.config import Settings, load_settings


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config, data, cache or pictures."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PHOTOARCHIVE_ARCHIVE", raising=False)
    return home


@pytest.fixture
def settings(tmp_path: Path, isolated_home: Path) -> Settings:
    return load_settings(archive=tmp_path / "archive", env={})


@pytest.fixture
def cli_env(isolated_home: Path) -> dict[str, str]:
    """Environment for running `python -m photoarchive` in a subprocess."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env
