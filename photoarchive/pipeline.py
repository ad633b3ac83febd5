"""The facade the CLI and the GUI call: each function opens what it needs and closes it.

Functions here run on the caller's thread (a GUI worker thread, or the CLI's main thread) and
take a cancel token and a progress callback; none of them prints or touches Qt.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from photoarchive.archive import archive_lock
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.importing.cards import detect_cards
from photoarchive.importing.importer import ImportSummary, run_import
from photoarchive.importing.plan import ImportPlan, plan_import
from photoarchive.importing.verify import VerifyReport, rebuild_catalog, verify_archive
from photoarchive.jobs import CancelToken, ProgressCallback

__all__ = [
    "ImportPlan",
    "ImportSummary",
    "VerifyReport",
    "detect_cards",
    "import_photos",
    "open_catalog",
    "plan",
    "verify",
]


def open_catalog(settings: Settings) -> Catalog:
    """A catalog connection for the calling thread; close it when done."""
    return Catalog(settings.catalog_path)


def plan(
    settings: Settings,
    sources: Sequence[Path],
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """What an import of these sources would do (reads the cards only)."""
    with open_catalog(settings) as catalog:
        return plan_import(settings, list(sources), catalog, cancel, progress)


def import_photos(
    settings: Settings,
    sources: Sequence[Path] | ImportPlan,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    dry_run: bool = False,
    verify_from_disk: bool = False,
) -> ImportSummary:
    """Plan (unless a plan is given) and import; with no sources, the detected cards."""
    with open_catalog(settings) as catalog:
        if isinstance(sources, ImportPlan):
            the_plan = sources
        else:
            the_plan = plan_import(
                settings, list(sources) or detect_cards(), catalog, cancel, progress
            )
        return run_import(
            settings,
            the_plan,
            catalog,
            cancel,
            progress,
            dry_run=dry_run,
            verify_from_disk=verify_from_disk,
        )


def verify(
    settings: Settings,
    rebuild: bool = False,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> VerifyReport:
    """Re-hash (or rebuild) under the archive lock, so no edit or import runs meanwhile."""
    with archive_lock(settings.lock_path), open_catalog(settings) as catalog:
        if rebuild:
            return rebuild_catalog(settings, catalog, cancel, progress)
        return verify_archive(settings, catalog, cancel, progress)


# Other areas' facades load on first use (PEP 562), so `photoarchive import` does not pay for
# google-cloud-storage or pyexiv2 at start-up.
_LAZY = {
    # issue 4: off-site copy
    "RemoteVerifyReport": "photoarchive.cloud.sync",
    "SyncPlan": "photoarchive.cloud.sync",
    "SyncSummary": "photoarchive.cloud.sync",
    "plan_sync": "photoarchive.cloud.sync",
    "run_sync": "photoarchive.cloud.sync",
    "sync_status": "photoarchive.cloud.status",
    "verify_remote": "photoarchive.cloud.sync",
    # issue 3: places, geotags, titles and captions
    "BatchResult": "photoarchive.metadata.tagging",
    "FileResult": "photoarchive.metadata.tagging",
    "TagEdit": "photoarchive.metadata.edit",
    "apply_tags": "photoarchive.metadata.tagging",
    "read_all": "photoarchive.metadata.tagging",
}
__all__ += list(_LAZY)


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
