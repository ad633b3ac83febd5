"""Edits reach the family: a changed file is replaced only when its picture is the same.

A file whose whole-file hash changed but whose image-data hash (imagedata.py, recorded in the
catalog at import) did not is a metadata edit (a caption, a place): the normal sync replaces
its object, under the generation seen at planning. A file whose image data changed may be
damaged: it is never replaced automatically, and the plan says so and points to scrub. Where
the catalog has no image-data hash for the file (an older catalog, a format without one), the
plan cannot tell the two apart and leaves the object alone, as before; a file whose image data
can no longer be read at all counts as damaged. A week's manifest is always replaced.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from photoarchive.archive import MANIFEST_NAME
from photoarchive.catalog import Catalog
from photoarchive.cloud.plan import SyncItem, SyncPlan
from photoarchive.imagedata import image_data_hash

log = logging.getLogger(__name__)

DAMAGE_HINT = (
    "its image data differs from what was imported: possibly damaged, so its copy in the "
    "bucket was not replaced; check it with scrub (in the app: Tools → Safety → Check now), "
    "which can restore it from the bucket if it is"
)


def classify_changed(
    plan: SyncPlan,
    catalog: Catalog,
    hasher: Callable[[Path, str | None], str | None] = image_data_hash,
) -> None:
    """Split the plan's edited files ('changed') into metadata edits (plan.edited, replaced by
    the normal sync) and possible damage (plan.damaged); the rest stay in plan.changed."""
    manifests = [i for i in plan.changed if i.reason == "changed" and _is_manifest(i)]
    plan.edited += [dataclasses.replace(i, reason="edited") for i in manifests]
    plan.changed = [i for i in plan.changed if i not in manifests]
    todo = [i for i in plan.changed if i.reason == "changed"]
    if not todo:
        return
    known = {i.rel: catalog.image_hash(i.rel) for i in todo}
    with ThreadPoolExecutor(max_workers=2) as pool:
        current = dict(
            zip(
                [i.rel for i in todo],
                pool.map(lambda i: _safe_hash(hasher, i.path, known[i.rel]), todo),
                strict=True,
            )
        )
    keep: list[SyncItem] = []
    for item in plan.changed:
        before, now = known.get(item.rel), current.get(item.rel)
        if item.reason != "changed" or before is None:
            keep.append(item)
        elif before == now:
            plan.edited.append(dataclasses.replace(item, reason="edited"))
        else:
            plan.damaged.append(dataclasses.replace(item, reason="damaged"))
    plan.changed = keep


def _is_manifest(item: SyncItem) -> bool:
    """A week's manifest (manifest.py) is a list, not a photo: its new text always goes up."""
    return item.rel.rsplit("/", 1)[-1] == MANIFEST_NAME


def _safe_hash(
    hasher: Callable[[Path, str | None], str | None], path: Path, like: str | None
) -> str | None:
    """like: the recorded image hash, so an old BLAKE3 one is recomputed as BLAKE3."""
    try:
        return hasher(path, like)
    except OSError as exc:
        log.info("no image-data hash for %s: %s", path, exc)
        return None
