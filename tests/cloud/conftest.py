"""Storage-server fixtures for the sync tests (in gcs_fixtures.py, shared with the bench)."""

from dataclasses import replace

import pytest
from cloud.gcs_fixtures import fake_gcs_url, fast_retry, gcs, iam_url  # noqa: F401

from photoarchive.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The family's pages off: these tests are about the archive's objects; test_site.py and
    test_family.py turn them on."""
    return replace(settings, site_enabled=False)
