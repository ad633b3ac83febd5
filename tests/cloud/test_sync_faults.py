"""Dropped connections, 5xx/429, and the bad inputs of the issue: each gives a clear message."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cloud.faultproxy import FaultPlan, FaultProxy
from cloud.gcs_fixtures import (
    Gcs,
    free_port,
    make_archive,
    new_bucket,
    sample_files,
    start_fake_gcs,
)

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.cloud.client import EMULATOR_ENV, GcsError, make_client
from photoarchive.cloud.state import load_records
from photoarchive.cloud.target import BadTarget, parse_target
from photoarchive.config import Settings


@dataclass
class Proxied:
    proxy: FaultProxy
    upstream: str

    def bucket(self, plan: FaultPlan) -> Gcs:
        """A fresh bucket (made directly upstream) and new faults for the app's requests."""
        self.proxy.plan = plan
        self.proxy.seen.clear()
        return new_bucket(self.upstream)


@pytest.fixture(scope="module")
def proxied() -> Iterator[Proxied]:
    """fake-gcs-server behind the proxy, told its public URL is the proxy's, so resumable
    session links come back through the proxy too."""
    port = free_port()
    with FaultProxy(port) as proxy:
        proc = start_fake_gcs(port, external=proxy.url)
        try:
            yield Proxied(proxy, f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            proc.wait(10)


def upload_faults(pattern: dict[int, str]) -> FaultPlan:
    """Fault the k-th upload request (POST/PUT to /upload/...) as `pattern` says."""
    uploads = itertools.count(1)

    def rule(n: int, method: str, path: str) -> str | None:
        if path.startswith("/upload/"):
            return pattern.get(next(uploads))
        return None

    return FaultPlan(rule=rule)


def assert_bucket_matches(settings: Settings, gcs: Gcs, files: dict[str, bytes]) -> None:
    objects = gcs.client.list_blobs(gcs.bucket, versions=True)
    names = [b.name for b in objects]
    assert len(names) == len(set(names)), "an object was stored twice"
    for rel, data in files.items():
        assert gcs.download(rel) == data


def test_sync_through_faulty_link_ends_complete_verified_and_unduplicated(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sample_files(10, size=20_000)
    make_archive(settings, files)
    faults = {1: "503", 2: "drop", 4: "drop-before", 6: "429", 7: "drop", 9: "500"}
    # The first listing page is answered 503 once as well.
    plan_faults = upload_faults(faults)
    inner = plan_faults.rule
    first_list = [True]

    def rule(n: int, method: str, path: str) -> str | None:
        if method == "GET" and "/o" in path and first_list[0]:
            first_list[0] = False
            return "503"
        return inner(n, method, path) if inner else None

    plan_faults.rule = rule
    gcs, proxy = proxied.bucket(plan_faults), proxied.proxy
    monkeypatch.setenv(EMULATOR_ENV, proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry, workers=3)
    report = pipeline.verify_remote(settings, gcs.target, retry=fast_retry)
    assert summary.ok, summary.problems
    assert sorted(summary.uploaded + summary.already_there) == sorted(files)
    # Uploads whose answer was lost had arrived: found intact (412, then compared), not
    # stored twice. (A retry may itself draw the second drop, so one or two are found.)
    assert 1 <= len(summary.already_there) <= 2
    actions = [s.action for s in proxy.seen]
    assert actions.count("drop") == 2 and "503" in actions and "429" in actions
    assert report.clean and report.ok == len(files)
    assert_bucket_matches(settings, gcs, files)
    with Catalog(settings.catalog_path) as cat:
        records = load_records(cat.conn, plan.target)
    objects = gcs.objects()
    assert {r: records[r].generation for r in files} == {r: objects[r].generation for r in files}


def test_resumable_upload_survives_a_dropped_chunk(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import photoarchive.cloud.checked_upload as upload_mod

    monkeypatch.setattr(upload_mod, "MEMORY_LIMIT", 1 << 20)
    monkeypatch.setattr(upload_mod, "CHUNK_SIZE", 1 << 20)
    data = os.urandom(9 << 20)  # over 8 MiB: resumable (smaller files go multipart)
    make_archive(settings, {"2023-03-06/CLIP.MP4": data})
    # Upload requests: 1 = start the session, 2..10 = 1 MiB chunks; fault chunks 2 and 3.
    gcs, proxy = proxied.bucket(upload_faults({3: "drop-before", 4: "503"})), proxied.proxy
    monkeypatch.setenv(EMULATOR_ENV, proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry, write_guide=False)
    assert summary.ok, summary.problems
    assert gcs.download("2023-03-06/CLIP.MP4") == data
    assert [s.action for s in proxy.seen].count("drop-before") == 1


def test_network_down_is_a_clear_error(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EMULATOR_ENV, f"http://127.0.0.1:{free_port()}")  # nothing listens
    make_archive(settings, sample_files(1))
    from photoarchive.cloud.client import retry_policy

    with pytest.raises(GcsError) as err:
        pipeline.plan_sync(settings, "gs://family-photos", retry=retry_policy(0.01, 0.5))
    assert err.value.kind == "network" and "network" in str(err.value)


def test_lost_network_mid_sync_stops_and_records_only_what_arrived(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photoarchive.cloud.client import retry_policy

    files = sample_files(12)
    make_archive(settings, files)
    uploads = itertools.count(1)

    def rule(n: int, method: str, path: str) -> str | None:
        if path.startswith("/upload/") and next(uploads) > 3:
            return "drop-before"  # the link goes down after three uploads
        return None

    gcs = proxied.bucket(FaultPlan(rule=rule))
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    summary = pipeline.run_sync(
        settings, plan, retry=retry_policy(0.01, 0.3), workers=1, write_guide=False
    )
    assert len(summary.uploaded) == 3 and not summary.ok
    assert any("connection to the bucket was lost" in p.reason for p in summary.problems)
    failed = [p for p in summary.problems if "network" in p.reason]
    assert 3 <= len(failed) <= 4  # three in a row (plus one already queued), then it stopped
    with Catalog(settings.catalog_path) as cat:
        assert sorted(load_records(cat.conn, plan.target)) == sorted(summary.uploaded)


def test_permission_denied(
    settings: Settings, proxied: Proxied, monkeypatch: pytest.MonkeyPatch
) -> None:
    gcs = proxied.bucket(FaultPlan(rule=lambda n, m, p: "403"))
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    with pytest.raises(GcsError) as err:
        pipeline.plan_sync(settings, gcs.target)
    assert err.value.kind == "permission" and "permission denied" in str(err.value)


def test_missing_bucket(settings: Settings, gcs: Gcs, capsys: pytest.CaptureFixture[str]) -> None:
    from photoarchive.cli.main import main

    with pytest.raises(GcsError) as err:
        pipeline.plan_sync(settings, "gs://no-such-bucket-here")
    assert err.value.kind == "not-found"
    assert "no-such-bucket-here does not exist: create it first" in str(err.value)
    # The command line names its own command for that (the GUI offers a dialog instead).
    args = ["sync", "--bucket", "gs://no-such-bucket-here", "--archive", str(settings.archive)]
    assert main(args) == 1
    err_text = capsys.readouterr().err
    assert (
        "create it: photoarchive bucket create gs://no-such-bucket-here --location LOC" in err_text
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "no bucket configured"),
        ("s3://photos", "not a bucket URL"),
        ("gs://Bad_Upper", "not a valid bucket name"),
        ("gs://ab", "not a valid bucket name"),
        ("gs://photos/a//b", "empty or relative"),
        ("gs://photos/../x", "empty or relative"),
    ],
)
def test_bad_bucket_urls(url: str, words: str) -> None:
    with pytest.raises(BadTarget, match=words):
        parse_target(url)


def test_target_with_prefix_names_objects_under_it(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    files = sample_files(2)
    make_archive(settings, files)
    target = parse_target(f"{gcs.target}/family/photos/")
    assert target.prefix == "family/photos"
    plan = pipeline.plan_sync(settings, target.url)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry)
    assert summary.ok
    assert set(gcs.objects()) == {f"family/photos/{r}" for r in files} | {
        "README.html",
        "README.txt",
    }
    assert pipeline.plan_sync(settings, target.url).unchanged == 2


def test_no_credentials(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, isolated_home: os.PathLike[str]
) -> None:
    monkeypatch.delenv(EMULATOR_ENV, raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", os.path.join(isolated_home, "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # never probe a metadata server
    closed = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("GCE_METADATA_HOST", closed)
    monkeypatch.setenv("GCE_METADATA_IP", closed)
    with pytest.raises(GcsError) as err:
        make_client(settings)
    assert err.value.kind == "credentials"
    assert "gcloud auth application-default login" in str(err.value)


def test_key_file_problems_never_show_the_key(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    from dataclasses import replace

    monkeypatch.delenv(EMULATOR_ENV, raising=False)
    missing = os.path.join(tmp_path, "nope.json")
    with pytest.raises(GcsError, match="does not exist"):
        make_client(replace(settings, gcs_key_file=missing))
    key = os.path.join(tmp_path, "key.json")
    secret = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-MATERIAL\n-----END PRIVATE KEY-----\n"
    with open(key, "w") as fh:
        json.dump(
            {
                "type": "service_account",
                "client_email": "a@b.iam.gserviceaccount.com",
                "private_key": secret,
                "token_uri": "http://127.0.0.1:9/token",
            },
            fh,
        )
    with pytest.raises(GcsError) as err:
        make_client(replace(settings, gcs_key_file=key))
    assert err.value.kind == "credentials" and "TOP-SECRET" not in str(err.value)


def test_upload_request_carries_class_checksums_and_precondition(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What fake-gcs-server ignores (it stores its own checksums) is checked on the wire: real
    GCS rejects an upload whose bytes do not match the crc32c in its metadata. (No md5Hash:
    CRC32C is the transfer check, as in Google's own tools; MD5 would cost more CPU than the
    upload. BLAKE3 is the file's identity.)"""
    import base64

    import google_crc32c

    data = b"a photo" * 500
    make_archive(settings, {"2023-01-02/IMG_1.JPG": data})
    gcs = proxied.bucket(FaultPlan())
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    assert pipeline.run_sync(settings, plan, retry=fast_retry, write_guide=False).ok
    (upload,) = [s for s in proxied.proxy.seen if s.path.startswith("/upload/")]
    assert "uploadType=multipart" in upload.path and "ifGenerationMatch=0" in upload.path
    meta = json.loads(upload.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
    assert meta["name"] == "2023-01-02/IMG_1.JPG" and meta["storageClass"] == "NEARLINE"
    assert "md5Hash" not in meta
    assert meta["crc32c"] == base64.b64encode(google_crc32c.Checksum(data).digest()).decode()
    assert b"content-type: image/jpeg" in upload.body.lower()  # the media part's type


def test_bytes_damaged_in_transit_are_caught_and_the_copy_removed(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator stores whatever arrives; our crc32c check against the one it reports
    catches a flipped byte, removes the bad copy and records nothing; the next sync sends it."""
    files = sample_files(3, size=5000)
    make_archive(settings, files)

    def rule(n: int, method: str, path_: str) -> str | None:
        hit = method == "POST" and "/upload/" in path_ and n == first_upload[0] + 1
        return "damage" if hit else None

    first_upload = [0]
    gcs = proxied.bucket(FaultPlan(rule=rule))
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    first_upload[0] = len(proxied.proxy.seen)  # the requests so far were planning
    summary = pipeline.run_sync(settings, plan, retry=fast_retry, workers=1, write_guide=False)
    (problem,) = summary.problems
    assert "does not match" in problem.reason and "removed" in problem.reason
    assert problem.path in files and set(gcs.objects()) == set(files) - {problem.path}
    assert [s.action for s in proxied.proxy.seen].count("damage") == 1
    with Catalog(settings.catalog_path) as cat:
        assert problem.path not in load_records(cat.conn, plan.target)
    again = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    assert [i.rel for i in again.new] == [problem.path]
    assert pipeline.run_sync(settings, again, retry=fast_retry, write_guide=False).ok
    assert_bucket_matches(settings, gcs, files)


def test_file_changed_during_upload_is_not_recorded_and_its_copy_removed(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file is hashed, then streamed; the proxy rewrites it (same size, same mtime)
    when the upload starts, so the server receives other bytes than were hashed."""
    import photoarchive.cloud.checked_upload as upload_mod

    monkeypatch.setattr(upload_mod, "MEMORY_LIMIT", 1 << 20)
    monkeypatch.setattr(upload_mod, "CHUNK_SIZE", 4 << 20)
    rel = "2023-03-06/CLIP.MOV"
    make_archive(settings, {rel: os.urandom(9 << 20), "2023-03-06/A.JPG": b"small"})
    path = settings.archive / rel

    def rule(n: int, method: str, path_: str) -> str | None:
        if method == "POST" and "uploadType=resumable" in path_:
            st = path.stat()
            with open(path, "r+b") as fh:  # in place, as a careless editor would
                fh.write(os.urandom(4096))
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        return None

    gcs = proxied.bucket(FaultPlan(rule=rule))
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry, write_guide=False)
    (problem,) = summary.problems
    assert problem.path == rel and "change during upload" in problem.reason
    assert summary.uploaded == ["2023-03-06/A.JPG"]
    assert set(gcs.objects()) == {"2023-03-06/A.JPG"}
    with Catalog(settings.catalog_path) as cat:
        assert set(load_records(cat.conn, plan.target)) == {"2023-03-06/A.JPG"}
    again = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    assert [i.rel for i in again.new] == [rel]


def test_sync_killed_mid_run_resumes_without_resending(
    settings: Settings, proxied: Proxied, fast_retry, monkeypatch: pytest.MonkeyPatch, cli_env
) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys
    import time

    files = sample_files(30, size=5000)
    make_archive(settings, files)
    gcs = proxied.bucket(FaultPlan(rule=lambda n, m, p: "slow" if "/upload/" in p else None))
    env = dict(cli_env, **{EMULATOR_ENV: proxied.proxy.url})
    cmd = [sys.executable, "-m", "photoarchive", "sync", "--bucket", gcs.target, "--jobs", "2"]
    cmd += ["--archive", str(settings.archive)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(gcs.objects()) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    before = {n: b.generation for n, b in gcs.objects().items()}
    assert 8 <= len(before) < 30
    proxied.proxy.plan = FaultPlan()
    monkeypatch.setenv(EMULATOR_ENV, proxied.proxy.url)
    plan = pipeline.plan_sync(settings, gcs.target, retry=fast_retry)
    assert len(plan.new) == 30 - len(before)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry)
    assert summary.ok and not plan.changed
    after = gcs.objects()
    assert all(after[n].generation == g for n, g in before.items())  # nothing sent twice
    assert_bucket_matches(settings, gcs, files)
    assert pipeline.verify_remote(settings, gcs.target).clean
