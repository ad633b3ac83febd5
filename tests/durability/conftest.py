"""Storage-server fixtures (shared with tests/cloud) for scrub and repair."""

from dataclasses import replace

import pytest
from cloud.gcs_fixtures import fake_gcs_url, fast_retry, gcs  # noqa: F401

from photoarchive.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No family pages: these tests are about the archive's objects."""
    return replace(settings, site_enabled=False)
