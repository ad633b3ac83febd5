"""Bucket creation and IAM sharing against real emulators (requests recorded by the proxy)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from cloud.faultproxy import FaultPlan, FaultProxy
from cloud.gcs_fixtures import client_for

from photoarchive.cloud.client import EMULATOR_ENV, GcsError
from photoarchive.cloud.sharing import (
    VIEWER,
    ShareError,
    create_bucket,
    share_add,
    share_list,
    share_remove,
)
from photoarchive.cloud.target import parse_target


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture
def iam_bucket(iam_url: str) -> str:
    name = f"fam-{uuid.uuid4().hex[:10]}"
    client_for(iam_url).create_bucket(name)
    return name


def test_share_add_list_remove_roundtrip(iam_url: str, iam_bucket: str) -> None:
    client, target = client_for(iam_url), parse_target(f"gs://{iam_bucket}")
    result = share_add(client, target, ["Anna@Example.com", "bob@example.org"])
    assert result.changed == ["anna@example.com", "bob@example.org"] and not result.public
    assert share_list(client, target).viewers == ["anna@example.com", "bob@example.org"]
    policy = client.bucket(iam_bucket).get_iam_policy(requested_policy_version=3)
    assert policy.version == 3
    assert [(b["role"], sorted(b["members"])) for b in policy.bindings] == [
        (VIEWER, ["user:anna@example.com", "user:bob@example.org"])
    ]
    again = share_add(client, target, ["anna@example.com"])
    assert again.unchanged == ["anna@example.com"] and not again.changed
    removed = share_remove(client, target, ["bob@example.org", "carl@example.net"])
    assert removed.changed == ["bob@example.org"] and removed.unchanged == ["carl@example.net"]
    assert share_list(client, target).viewers == ["anna@example.com"]
    share_remove(client, target, ["anna@example.com"])
    policy = client.bucket(iam_bucket).get_iam_policy(requested_policy_version=3)
    assert not [b for b in policy.bindings if b["role"] == VIEWER]


@pytest.mark.parametrize(
    "bad", ["allUsers", "allAuthenticatedUsers", "user:allusers", "not-an-address", "a@b"]
)
def test_public_and_malformed_members_are_refused_before_any_change(
    iam_url: str, iam_bucket: str, bad: str
) -> None:
    client, target = client_for(iam_url), parse_target(f"gs://{iam_bucket}")
    with pytest.raises(ShareError):
        share_add(client, target, ["ok@example.com", bad])
    assert share_list(client, target).viewers == []


def test_list_warns_about_public_bindings(iam_url: str, iam_bucket: str, cli_env) -> None:  # type: ignore[no-untyped-def]
    client = client_for(iam_url)
    policy = client.bucket(iam_bucket).get_iam_policy(requested_policy_version=3)
    policy.bindings.append({"role": "roles/storage.objectViewer", "members": {"allUsers"}})
    client.bucket(iam_bucket).set_iam_policy(policy)
    result = share_list(client, parse_target(f"gs://{iam_bucket}"))
    assert result.public == ["roles/storage.objectViewer: allUsers"]
    env = dict(cli_env, **{EMULATOR_ENV: iam_url})
    proc = subprocess.run(
        [sys.executable, "-m", "photoarchive", "share", "list", "--bucket", f"gs://{iam_bucket}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "WARNING: the bucket is public" in proc.stderr


def test_policy_write_carries_etag_v3_and_retries_a_conflict(iam_url: str, iam_bucket: str) -> None:
    """Read-modify-write: the PUT carries the etag read; a 412 (someone else changed the
    policy meanwhile) makes it read again and re-apply, not overwrite blindly."""
    puts = iter(["412"])

    def rule(n: int, method: str, path: str) -> str | None:
        if method == "PUT" and path.split("?")[0].endswith("/iam"):
            return next(puts, None)
        return None

    with FaultProxy(port_of(iam_url), FaultPlan(rule=rule)) as proxy:
        result = share_add(client_for(proxy.url), parse_target(f"gs://{iam_bucket}"), ["z@x.org"])
    assert result.viewers == ["z@x.org"]
    writes = [s for s in proxy.seen if s.method == "PUT"]
    gets = [s for s in proxy.seen if s.method == "GET" and "/iam" in s.path]
    assert [w.action for w in writes] == ["412", "pass"] and len(gets) == 2
    assert all("optionsRequestedPolicyVersion=3" in g.path for g in gets)
    body = json.loads(writes[-1].body)
    assert body["version"] == 3 and body["etag"]
    assert {"role": VIEWER, "members": ["user:z@x.org"]} in body["bindings"]


def test_bucket_create_asks_for_nearline_private_uniform(fake_gcs_url: str) -> None:
    """fake-gcs-server ignores these bucket settings, so the request itself is checked."""
    name = f"fam-{uuid.uuid4().hex[:10]}"
    with FaultProxy(port_of(fake_gcs_url)) as proxy:
        bucket = create_bucket(client_for(proxy.url), name, "EUROPE-WEST1")
        assert bucket.name == name
        with pytest.raises(GcsError) as err:
            create_bucket(client_for(proxy.url), name, "EUROPE-WEST1")
    assert err.value.kind == "exists"
    body = json.loads(next(s.body for s in proxy.seen if s.method == "POST"))
    assert body["storageClass"] == "NEARLINE"
    assert body["location"] == "EUROPE-WEST1"
    assert body["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"] is True
    assert body["iamConfiguration"]["publicAccessPrevention"] == "enforced"
    assert client_for(fake_gcs_url).get_bucket(name).name == name


def test_cli_share_and_bucket_create(iam_url: str, cli_env) -> None:  # type: ignore[no-untyped-def]
    env = dict(cli_env, **{EMULATOR_ENV: iam_url})
    name = f"fam-{uuid.uuid4().hex[:10]}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "photoarchive", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = run("bucket", "create", f"gs://{name}", "--location", "EU")
    assert made.returncode == 0 and f"Created gs://{name}" in made.stdout
    added = run("share", "add", "gran@example.com", "--bucket", f"gs://{name}", "--json")
    assert added.returncode == 0 and json.loads(added.stdout)["viewers"] == ["gran@example.com"]
    again = run("share", "add", "gran@example.com", "--bucket", f"gs://{name}")
    from photoarchive.cloud.family_message import share_message
    from photoarchive.config import load_settings

    # The same ready-to-send message as the Family dialog's.
    message = share_message(
        load_settings(env={}), parse_target(f"gs://{name}"), ["gran@example.com"]
    )
    assert again.returncode == 0 and message in again.stdout
    assert f"/{name}/_site/index.html" in message
    refused = run("share", "add", "allUsers", "--bucket", f"gs://{name}")
    assert refused.returncode == 2 and "refusing to make the archive public" in refused.stderr
    listed = run("share", "list", "--bucket", f"gs://{name}")
    assert listed.returncode == 0 and "gran@example.com" in listed.stdout
    gone = run("share", "remove", "gran@example.com", "--bucket", f"gs://{name}")
    assert gone.returncode == 0 and "nobody yet" in gone.stdout
    missing = run("share", "list", "--bucket", "gs://no-such-bucket-xyz")
    assert missing.returncode == 1 and "not found" in missing.stderr
