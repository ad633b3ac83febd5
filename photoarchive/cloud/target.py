"""`gs://BUCKET[/PREFIX]`: parsing and object naming, without loading the Google libraries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from photoarchive import names

SITE_FOLDER = "_site"  # the family's pages, beside the week folders (cloud.site)

# Bucket names: 3-63 characters of lower-case letters, digits, '-', '_' and '.'.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


class BadTarget(ValueError):
    """The bucket URL is not `gs://BUCKET[/PREFIX]`."""


@dataclass(frozen=True)
class Target:
    bucket: str
    prefix: str = ""  # no leading or trailing '/'

    @property
    def url(self) -> str:
        return f"gs://{self.bucket}/{self.prefix}" if self.prefix else f"gs://{self.bucket}"

    def object_name(self, rel: str) -> str:
        """Object name of an archive-relative path (`WEEK/NAME`; see names.object_name)."""
        name = names.object_name(rel)
        return f"{self.prefix}/{name}" if self.prefix else name

    def rel_of(self, name: str) -> str | None:
        """Archive-relative path of an object name, or None when outside the prefix."""
        if not self.prefix:
            return name
        head = self.prefix + "/"
        return name[len(head) :] if name.startswith(head) else None

    @property
    def list_prefix(self) -> str | None:
        return self.prefix + "/" if self.prefix else None


def parse_target(url: str, settings_file: Path | None = None) -> Target:
    """`gs://BUCKET[/PREFIX]` -> Target; anything else is a clear BadTarget (naming the
    settings file to edit when there is no bucket at all)."""
    text = (url or "").strip()
    if not text:
        where = f" in {settings_file}" if settings_file else ""
        raise BadTarget(
            "no bucket configured: pass --bucket gs://BUCKET, choose one in the application's "
            f'Settings, or set bucket = "gs://BUCKET" under [sync]{where}'
        )
    if not text.startswith("gs://"):
        raise BadTarget(f"{text!r} is not a bucket URL; expected gs://BUCKET[/PREFIX]")
    bucket, _, prefix = text[5:].partition("/")
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise BadTarget(
            f"{bucket!r} is not a valid bucket name (3-63 lower-case letters, digits, - _ .)"
        )
    prefix = prefix.strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise BadTarget(f"prefix {prefix!r} has empty or relative parts")
    return Target(bucket, prefix)


def site_index_object(target: Target) -> str:
    return target.object_name(SITE_FOLDER) + "/index.html"


def target_url(bucket: str) -> str:
    """The `[sync] bucket` setting as the key sync records are kept under; '' when no bucket is
    set or the setting is not a gs:// URL (callers then show nothing as synced)."""
    try:
        return parse_target(bucket).url if bucket else ""
    except ValueError:
        return ""
