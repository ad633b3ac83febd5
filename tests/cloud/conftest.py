"""Storage-server fixtures for the sync tests (in gcs_fixtures.py, shared with the bench)."""

from cloud.gcs_fixtures import fake_gcs_url, fast_retry, gcs, iam_url  # noqa: F401
