"""Bucket creation and family read access through bucket IAM (never public, never ACLs).

The bucket gets uniform bucket-level access and enforced public access prevention, so the only
way in is an IAM binding; `share` manages `roles/storage.objectViewer` for `user:EMAIL` with a
read-modify-write of the version-3 policy guarded by its etag.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.cloud.client import GcsError, friendly, make_client, retry_policy
from photoarchive.cloud.target import Target, parse_target
from photoarchive.config import Settings

log = logging.getLogger(__name__)

VIEWER = "roles/storage.objectViewer"
PUBLIC = frozenset({"allusers", "allauthenticatedusers"})
# One address: the local part's usual characters (no comma, semicolon, space, quotes or
# brackets, so "allUsers,bob@example.com" and "a@x.org; b@y.org" are refused as lists).
_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+=?^_`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_LIST = re.compile(r"[,;\s<>\"]")
_ATTEMPTS = 5


class ShareError(ValueError):
    """An address we refuse to grant (public principals, malformed addresses)."""


@dataclass
class ShareResult:
    changed: list[str] = field(default_factory=list)  # addresses added or removed
    unchanged: list[str] = field(default_factory=list)  # already there / not there
    viewers: list[str] = field(default_factory=list)  # after the change
    public: list[str] = field(default_factory=list)  # "role: member" of any public binding


def check_email(address: str) -> str:
    text = address.strip()
    low = text.lower().removeprefix("user:")
    if low in PUBLIC or any(p in re.split(r"[,;\s]+", low) for p in PUBLIC):
        raise ShareError(
            f"{text}: refusing to make the archive public; share with named Google accounts"
        )
    if _LIST.search(low):
        raise ShareError(
            f"{text!r} is not one e-mail address; give each address as its own argument"
        )
    if not _EMAIL.match(low):
        raise ShareError(f"{text!r} is not an e-mail address of a Google account")
    return low


def create_bucket(
    client: storage.Client,
    name: str,
    location: str,
    soft_delete_days: int = 30,
    versioning: bool = False,
) -> storage.Bucket:
    """NEARLINE by default, uniform bucket-level access, public access prevention enforced;
    deleted or replaced objects kept `soft_delete_days` (restorable), and with `versioning`
    every replaced version kept as a noncurrent one (issue 12: a mistake stays reversible)."""
    bucket = client.bucket(name)
    bucket.storage_class = "NEARLINE"
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    bucket.iam_configuration.public_access_prevention = "enforced"
    bucket.soft_delete_policy.retention_duration_seconds = max(0, soft_delete_days) * 86400
    bucket.versioning_enabled = versioning
    try:
        return client.create_bucket(bucket, location=location)
    except api_exceptions.Conflict:
        raise GcsError(
            "exists", f"a bucket named {name} already exists (names are global; pick another)"
        ) from None
    except api_exceptions.BadRequest as exc:
        raise GcsError("bad-request", f"cannot create {name}: {exc.message}") from None
    except Exception as exc:
        raise friendly(exc, f"creating gs://{name}") from None


def create_archive_bucket(
    settings: Settings,
    url: str,
    location: str,
    soft_delete_days: int | None = None,
    versioning: bool = False,
) -> storage.Bucket:
    """The one way both faces create the archive's bucket: the bucket of `url` (a prefix is
    only a name inside it), with the [safety] soft delete unless told otherwise, through the
    configured credentials. BadTarget or GcsError in words."""
    target = parse_target(url, settings.settings_file)
    days = settings.soft_delete_days if soft_delete_days is None else soft_delete_days
    return create_bucket(make_client(settings), target.bucket, location, days, versioning)


def _public(policy: object) -> list[str]:
    found = []
    for binding in policy.bindings:  # type: ignore[attr-defined]
        for member in binding.get("members", ()):
            if str(member).lower() in PUBLIC:
                found.append(f"{binding['role']}: {member}")
    return found


def _viewers(policy: object) -> list[str]:
    out: set[str] = set()
    for binding in policy.bindings:  # type: ignore[attr-defined]
        if binding.get("role") == VIEWER and not binding.get("condition"):
            out.update(m[5:] for m in binding.get("members", ()) if str(m).startswith("user:"))
    return sorted(out)


def _edit(
    client: storage.Client, target: Target, emails: Iterable[str], add: bool, retry: Retry | None
) -> ShareResult:
    wanted = [check_email(e) for e in emails]  # refuse before touching anything
    bucket = client.bucket(target.bucket)
    retry = retry or retry_policy()
    for attempt in range(_ATTEMPTS):
        try:
            policy = bucket.get_iam_policy(requested_policy_version=3, retry=retry)
            policy.version = 3
            result = ShareResult()
            binding = next(
                (b for b in policy.bindings if b["role"] == VIEWER and not b.get("condition")),
                None,
            )
            if binding is None:
                binding = {"role": VIEWER, "members": set()}
                policy.bindings.append(binding)
            members = {str(m) for m in binding["members"]}
            for email in wanted:
                member = f"user:{email}"
                present = any(m.lower() == member for m in members)
                if add and not present:
                    members.add(member)
                    result.changed.append(email)
                elif not add and present:
                    members = {m for m in members if m.lower() != member}
                    result.changed.append(email)
                else:
                    result.unchanged.append(email)
            binding["members"] = members
            if not members:
                policy.bindings.remove(binding)
            if result.changed:
                policy = bucket.set_iam_policy(policy, retry=retry)  # with the etag read above
            result.viewers = _viewers(policy)
            result.public = _public(policy)
            return result
        except (api_exceptions.PreconditionFailed, api_exceptions.Conflict):
            log.info("IAM policy changed concurrently; retrying (%d)", attempt + 1)
            continue
        except api_exceptions.NotFound:
            raise _not_found(client, target) from None
        except Exception as exc:
            raise friendly(exc, f"IAM policy of gs://{target.bucket}") from None
    raise GcsError("conflict", "the bucket's access policy kept changing under us; try again")


def share_add(
    client: storage.Client, target: Target, emails: Iterable[str], retry: Retry | None = None
) -> ShareResult:
    """Grant read access; `retry` bounds how long an unreachable server is tried."""
    return _edit(client, target, emails, True, retry)


def share_remove(
    client: storage.Client, target: Target, emails: Iterable[str], retry: Retry | None = None
) -> ShareResult:
    return _edit(client, target, emails, False, retry)


def share_list(client: storage.Client, target: Target, retry: Retry | None = None) -> ShareResult:
    try:
        policy = client.bucket(target.bucket).get_iam_policy(
            requested_policy_version=3, retry=retry or retry_policy()
        )
    except api_exceptions.NotFound:
        raise _not_found(client, target) from None
    except Exception as exc:
        raise friendly(exc, f"IAM policy of gs://{target.bucket}") from None
    return ShareResult(viewers=_viewers(policy), public=_public(policy))


def _not_found(client: storage.Client, target: Target) -> GcsError:
    """A 404 on the access policy: no bucket, or a storage server without IAM (an emulator)."""
    try:
        exists = client.bucket(target.bucket).exists()
    except Exception as exc:
        return friendly(exc, f"gs://{target.bucket}")
    if exists:
        return GcsError(
            "no-iam",
            f"the storage server holding gs://{target.bucket} keeps no access policies (IAM), "
            "as a local emulator does: sharing works only with a Google Cloud Storage bucket",
        )
    return GcsError(
        "not-found", f"the bucket gs://{target.bucket} was not found: it does not exist yet"
    )
