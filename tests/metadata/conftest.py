"""Fixtures for the metadata tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from metadata.mdtools import camera_jpeg


@pytest.fixture
def make_jpeg(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "photo.jpg", seed: int = 1, **kwargs: object) -> Path:
        path = tmp_path / "photos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(camera_jpeg(seed, **kwargs))  # type: ignore[arg-type]
        return path

    return make
