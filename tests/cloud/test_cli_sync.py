"""`photoarchive sync` and `verify --remote` as a user runs them (subprocess, real emulator)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cloud.gcs_fixtures import Gcs, make_archive, sample_files

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings


@pytest.fixture
def run(settings: Settings, gcs: Gcs, cli_env):  # type: ignore[no-untyped-def]
    env = dict(cli_env, **{EMULATOR_ENV: gcs.url})

    def go(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "photoarchive", *args, "--archive", str(settings.archive)]
        return subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )

    return go


def test_dry_run_then_sync_then_nothing_to_do(settings: Settings, gcs: Gcs, run) -> None:  # type: ignore[no-untyped-def]
    files = sample_files(5)
    make_archive(settings, files)
    dry = run("sync", "--bucket", gcs.target, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert sorted(data["new"]) == sorted(files) and data["dry_run"] is True
    assert data["bytes_to_send"] == sum(len(d) for d in files.values())
    assert not gcs.objects()
    real = run("sync", "--bucket", gcs.target)
    assert real.returncode == 0, real.stderr
    assert "Plan for" in real.stdout and "5 new" in real.stdout
    assert "Sent 5 new and 0 replaced" in real.stdout
    assert "upload: 5/5" in real.stderr  # progress on stderr, with bytes
    assert set(files) <= set(gcs.objects())
    again = run("sync", "--bucket", gcs.target, "--json")
    assert json.loads(again.stdout)["new"] == [] and json.loads(again.stdout)["unchanged"] == 5


def test_changed_file_needs_explicit_replace_and_warns_about_30_days(
    settings: Settings, gcs: Gcs, run
) -> None:  # type: ignore[no-untyped-def]
    files = sample_files(2)
    make_archive(settings, files)
    assert run("sync", "--bucket", gcs.target).returncode == 0
    rel = sorted(files)[0]
    (settings.archive / rel).write_bytes(b"new caption" * 30)
    shown = run("sync", "--bucket", gcs.target)
    assert shown.returncode == 0
    assert f"changed   {rel}  (edited; no image-data hash to tell" in shown.stdout
    assert "Nearline bills every object for at least 30 days" in shown.stdout
    assert "1 of the changed objects are younger than that" in shown.stdout
    assert "pass --replace-changed" in shown.stdout
    assert gcs.download(rel) == files[rel]
    done = run("sync", "--bucket", gcs.target, "--replace-changed")
    assert done.returncode == 0 and "1 replaced" in done.stdout
    assert gcs.download(rel) == b"new caption" * 30


def test_delete_shows_list_and_needs_confirmation(settings: Settings, gcs: Gcs, run) -> None:  # type: ignore[no-untyped-def]
    make_archive(settings, sample_files(1))
    gcs.client.bucket(gcs.bucket).blob("2001-01-01/OLD.JPG").upload_from_string(b"old")
    refused = run("sync", "--bucket", gcs.target, "--delete")
    assert refused.returncode == 1
    assert "delete 2001-01-01/OLD.JPG" in refused.stdout and "pass --yes" in refused.stderr
    assert "2001-01-01/OLD.JPG" in gcs.objects()
    dry = run("sync", "--bucket", gcs.target, "--delete", "--dry-run")
    assert "delete 2001-01-01/OLD.JPG" in dry.stdout and "2001-01-01/OLD.JPG" in gcs.objects()
    done = run("sync", "--bucket", gcs.target, "--delete", "--yes")
    assert done.returncode == 0 and "Deleted 1 object" in done.stdout
    assert "2001-01-01/OLD.JPG" not in gcs.objects()


def test_verify_remote_reports_differences(settings: Settings, gcs: Gcs, run) -> None:  # type: ignore[no-untyped-def]
    files = sample_files(4)
    make_archive(settings, files)
    assert run("sync", "--bucket", gcs.target).returncode == 0
    ok = run("verify", "--remote", "--bucket", gcs.target)
    assert ok.returncode == 0 and "Compared 4 files" in ok.stdout and "4 match" in ok.stdout
    tampered, removed = sorted(files)[:2]
    bucket = gcs.client.bucket(gcs.bucket)
    bucket.blob(tampered).upload_from_string(b"bit rot")
    bucket.blob(removed).delete()
    bucket.blob("2002-02-04/EXTRA.JPG").upload_from_string(b"extra")
    bad = run("verify", "--remote", "--bucket", gcs.target, "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["mismatched"] == [tampered] and report["not_in_bucket"] == [removed]
    assert report["only_in_bucket"] == ["2002-02-04/EXTRA.JPG"] and report["ok"] == 2


def test_resumable_upload_without_storage_class_is_flagged_by_verify(
    settings: Settings, gcs: Gcs, run
) -> None:  # type: ignore[no-untyped-def]
    """fake-gcs-server drops NEARLINE on resumable uploads (files over MEMORY_LIMIT):
    verify --remote notices."""
    import os

    from photoarchive.cloud.checked_upload import MEMORY_LIMIT

    make_archive(settings, {"2023-01-02/BIG.MOV": os.urandom(MEMORY_LIMIT + 1)})
    assert run("sync", "--bucket", gcs.target).returncode == 0
    out = run("verify", "--remote", "--bucket", gcs.target)
    assert "Not stored as NEARLINE (1):" in out.stdout and "2023-01-02/BIG.MOV" in out.stdout


def test_bad_inputs_exit_codes(settings: Settings, gcs: Gcs, run) -> None:  # type: ignore[no-untyped-def]
    make_archive(settings, sample_files(1))
    bad_url = run("sync", "--bucket", "photos-without-scheme")
    assert bad_url.returncode == 2 and "expected gs://BUCKET" in bad_url.stderr
    none = run("sync")
    assert none.returncode == 2 and "no bucket configured" in none.stderr
    missing = run("sync", "--bucket", "gs://no-such-bucket-abc")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
