"""`verify --remote`: every archive file re-read and compared with the bucket's md5 and crc32c.

This reads the whole archive on purpose: it checks the local copy and the remote one against
each other, not against what we remember uploading.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.cloud.client import make_client, retry_policy
from photoarchive.cloud.plan import LocalFile, drop_ours, scan_local
from photoarchive.cloud.state import Sums, list_remote, sums_of_file
from photoarchive.cloud.target import parse_target
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback

log = logging.getLogger(__name__)


@dataclass
class RemoteVerifyReport:
    target: str
    checked: int = 0
    ok: int = 0
    not_in_bucket: list[str] = field(default_factory=list)  # local files without an object
    mismatched: list[str] = field(default_factory=list)  # object differs from the local file
    only_in_bucket: list[str] = field(default_factory=list)
    not_nearline: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cancelled: bool = False

    @property
    def clean(self) -> bool:
        return not (self.not_in_bucket or self.mismatched or self.problems)

    def to_json(self) -> str:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        return json.dumps(data)  # names.py: ASCII JSON keeps exact names


def verify_remote(
    settings: Settings,
    bucket: str | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    client: storage.Client | None = None,
    retry: Retry | None = None,
) -> RemoteVerifyReport:
    """Raises GcsError/BadTarget when the bucket cannot be listed at all."""
    cancel = cancel or CancelToken()
    target = parse_target(bucket or settings.bucket, settings.settings_file)
    client = client or make_client(settings)
    remote = list_remote(client, target, retry or retry_policy(deadline=30.0))
    drop_ours(target, remote)
    report = RemoteVerifyReport(target.url)
    files: list[LocalFile] = []
    for entry in scan_local(settings.archive):
        if isinstance(entry, Problem):
            report.problems.append(entry)
        else:
            files.append(entry)
    present = [f for f in files if target.object_name(f.rel) in remote]
    report.not_in_bucket = [f.rel for f in files if target.object_name(f.rel) not in remote]
    total = sum(f.size for f in present)
    done = 0

    def one(f: LocalFile) -> Sums | OSError:
        if cancel.cancelled:
            return OSError(0, "cancelled")
        try:
            return sums_of_file(f.path)
        except OSError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        for i, (f, sums) in enumerate(zip(present, pool.map(one, present), strict=True), 1):
            if cancel.cancelled:
                report.cancelled = True
                break
            obj = remote.pop(target.object_name(f.rel))
            done += f.size
            if progress:
                progress(Progress("verify-remote", i, len(present), done, total, f.rel))
            if isinstance(sums, OSError):
                report.problems.append(Problem(f.rel, f"cannot read: {sums.strerror}"))
                continue
            report.checked += 1
            if sums.matches(obj):
                report.ok += 1
                if obj.storage_class and obj.storage_class != "NEARLINE":
                    report.not_nearline.append(f.rel)
            else:
                report.mismatched.append(f.rel)
    if not report.cancelled:
        report.only_in_bucket = sorted(remote)
    return report
