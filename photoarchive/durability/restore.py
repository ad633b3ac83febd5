"""The restore drill: download as a family member would and prove the bytes are the photos.

Objects are fetched through the storage JSON API's media download, the endpoint `gcloud storage
cp` uses, with the family member's read-only key file when one is given (else the program's own
credentials); nothing is written to the archive. Each download is hashed (BLAKE3) and compared
with the catalog and with the week's manifest as downloaded from the bucket, so the drill also
proves that the lists the family would check against are there and right.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, field, replace

from photoarchive.archive import MANIFEST_NAME
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.hashing import new_hasher
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback
from photoarchive.manifest import parse


@dataclass
class DrillResult:
    path: str
    ok: bool
    detail: str = ""


@dataclass
class RestoreReport:
    bucket: str
    checked: list[DrillResult] = field(default_factory=list)
    manifests: int = 0  # week manifests downloaded and read
    bytes: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.checked) and all(r.ok for r in self.checked) and not self.problems

    def summary(self) -> str:
        bad = sum(not r.ok for r in self.checked)
        verdict = "every one matches" if self.ok else f"{bad} do not match"
        return (
            f"Restore drill on {self.bucket}: downloaded {len(self.checked)} photo(s) "
            f"({self.bytes / 1e6:.1f} MB) and {self.manifests} week list(s) in "
            f"{self.seconds:.1f} s; {verdict} the archive and the week manifests"
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        data["ok"] = self.ok
        return json.dumps(data)


def restore_check(
    settings: Settings,
    week: str | None = None,
    sample: int = 5,
    key_file: str | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> RestoreReport:
    from photoarchive.cloud.client import make_client
    from photoarchive.cloud.state import load_records
    from photoarchive.cloud.target import parse_target

    cancel = cancel or CancelToken()
    target = parse_target(settings.bucket)
    report = RestoreReport(target.url)
    start = time.monotonic()
    with Catalog(settings.catalog_path) as catalog:
        records = load_records(catalog.conn, target)
        files = {r.path: r for r in catalog.files(week)}
    chosen = sorted(p for p in files if p in records and records[p].hash == files[p].hash)
    if week is None:
        chosen = sorted(random.sample(chosen, min(sample, len(chosen))))
    if not chosen:
        report.problems.append(Problem(week or target.url, "nothing of this in the bucket yet"))
        return report
    reader = make_client(replace(settings, gcs_key_file=key_file) if key_file else settings)
    bucket = reader.bucket(target.bucket)
    manifests: dict[str, dict[str, object]] = {}
    for i, rel in enumerate(chosen):
        if cancel.cancelled:
            report.cancelled = True
            break
        if progress:
            progress(Progress("restore-check", i, len(chosen), report.bytes, current=rel))
        wk = rel.split("/", 1)[0]
        if wk not in manifests:
            manifests[wk] = _manifest(bucket, target, wk, settings, report)
        try:
            data = bucket.blob(target.object_name(rel)).download_as_bytes(
                timeout=settings.network_timeout
            )
        except Exception as exc:
            report.checked.append(DrillResult(rel, False, f"cannot download: {exc}"))
            continue
        h = new_hasher()
        h.update(data)
        got = h.hexdigest()
        report.bytes += len(data)
        listed = manifests[wk].get(rel)
        detail = ""
        if got != files[rel].hash:
            detail = "downloaded bytes differ from the archive"
        elif listed is None:
            detail = "not listed in the week's manifest"
        elif getattr(listed, "hash", "") != got:
            detail = "differs from the week's manifest"
        report.checked.append(DrillResult(rel, not detail, detail))
    report.seconds = time.monotonic() - start
    return report


def _manifest(
    bucket: object, target: object, week: str, settings: Settings, report: RestoreReport
) -> dict[str, object]:
    name = target.object_name(f"{week}/{MANIFEST_NAME}")  # type: ignore[attr-defined]
    try:
        text = bucket.blob(name).download_as_bytes(  # type: ignore[attr-defined]
            timeout=settings.network_timeout
        )
        listed = parse(text.decode("utf-8"), week)
    except Exception as exc:
        report.problems.append(Problem(f"{week}/{MANIFEST_NAME}", f"cannot read it: {exc}"))
        return {}
    report.manifests += 1
    return dict(listed)
