"""The bucket's protection: what happens to an object that is deleted or replaced.

Soft delete keeps deleted (and replaced) objects restorable for its retention; versioning keeps
replaced versions as noncurrent ones; a retention policy forbids deleting for a time; public
access prevention keeps the family's photos off the open web. `status` reports them and warns
where a delete or replace would be irreversible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DAY = 86400


@dataclass
class Protection:
    soft_delete_days: float | None  # None: not reported (off, or a server that does not say)
    versioning: bool
    retention_days: float | None
    public_access_prevention: str  # 'enforced' or 'inherited' (or '' when unknown)
    warnings: list[str] = field(default_factory=list)


def protection_of(bucket: Any) -> Protection:
    """From a google.cloud.storage Bucket (created or reloaded)."""
    props = bucket._properties  # what the server answered, not what we asked for
    soft = (props.get("softDeletePolicy") or {}).get("retentionDurationSeconds")
    retention = (props.get("retentionPolicy") or {}).get("retentionPeriod")
    shield = Protection(
        soft_delete_days=int(soft) / DAY if soft else None,
        versioning=bool((props.get("versioning") or {}).get("enabled")),
        retention_days=int(retention) / DAY if retention else None,
        public_access_prevention=(props.get("iamConfiguration") or {}).get(
            "publicAccessPrevention", ""
        ),
    )
    if not shield.soft_delete_days and not shield.versioning:
        shield.warnings.append(
            "no soft delete and no versioning: a deleted or replaced object cannot be recovered"
        )
    elif not shield.versioning:
        shield.warnings.append(
            f"replaced objects are recoverable for {shield.soft_delete_days:g} days only "
            "(soft delete); turn on versioning to keep them longer"
        )
    if shield.public_access_prevention != "enforced":
        shield.warnings.append("public access prevention is not enforced")
    return shield


def describe(shield: Protection) -> str:
    soft = f"{shield.soft_delete_days:g} days" if shield.soft_delete_days else "off"
    retention = f"{shield.retention_days:g} days" if shield.retention_days else "none"
    text = (
        f"Bucket protection: soft delete {soft}, versioning "
        f"{'on' if shield.versioning else 'off'}, retention policy {retention}, "
        f"public access prevention {shield.public_access_prevention or 'unknown'}"
    )
    return "\n".join([text, *(f"  warning: {w}" for w in shield.warnings)])


def bucket_protection(settings: Any) -> Protection | str:
    """The configured bucket's protection, or why it cannot be read (never raises)."""
    from photoarchive.cloud.client import make_client
    from photoarchive.cloud.target import parse_target

    try:
        target = parse_target(settings.bucket)
        bucket = make_client(settings).get_bucket(target.bucket, timeout=settings.network_timeout)
    except Exception as exc:
        return f"cannot read the bucket's protection: {exc}"
    return protection_of(bucket)
