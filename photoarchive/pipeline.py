"""The facade the CLI and the GUI call: each function opens what it needs and closes it.

Functions here run on the caller's thread (a GUI worker thread, or the CLI's main thread) and
take a cancel token and a progress callback; none of them prints or touches Qt.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path

from photoarchive.archive import archive_lock
from photoarchive.catalog import Catalog
from photoarchive.config import Settings, save_settings
from photoarchive.importing.adopt import (
    AdoptError,
    AdoptReport,
    Mode,
    Survey,
    adopt_by_import,
    adopt_in_place,
    survey,
)
from photoarchive.importing.cards import detect_cards
from photoarchive.importing.importer import ImportSummary, run_import
from photoarchive.importing.plan import ImportPlan, plan_import
from photoarchive.importing.verify import VerifyReport, rebuild_catalog, verify_archive
from photoarchive.jobs import CancelToken, ProgressCallback
from photoarchive.manifest import read_all as read_manifests
from photoarchive.manifest import write_changed
from photoarchive.metadata.dates import ExivDates

__all__ = [
    "AdoptError",
    "AdoptReport",
    "ImportPlan",
    "ImportSummary",
    "Mode",
    "Survey",
    "VerifyReport",
    "adopt",
    "detect_cards",
    "import_photos",
    "open_catalog",
    "plan",
    "survey_folder",
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
    with open_catalog(settings) as catalog, ExivDates() as dates:
        return plan_import(settings, list(sources), catalog, cancel, progress, dates)


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
            with ExivDates() as dates:
                the_plan = plan_import(
                    settings, list(sources) or detect_cards(), catalog, cancel, progress, dates
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
            # The week manifests keep identities a lost or damaged catalog no longer knows.
            known, problems = read_manifests(settings.archive)
            with ExivDates() as dates:  # dates as the import reads them
                report = rebuild_catalog(
                    settings, catalog, cancel, progress, known=known, date_fallback=dates
                )
            report.problems[:0] = problems
        else:
            report = verify_archive(settings, catalog, cancel, progress)
        if not report.cancelled:
            report.problems += write_changed(settings, catalog).problems
        return report


def survey_folder(root: Path, pattern: str | None = None) -> Survey:
    """What a folder to adopt holds, and the week folder pattern it seems to use."""
    return survey(root, pattern)


def adopt(
    settings: Settings,
    root: Path,
    mode: Mode,
    pattern: str | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> AdoptReport:
    """Adopt an existing collection. In place, `root` becomes the archive (saved in the
    settings, with its week pattern); otherwise its photos are imported into the archive."""
    if mode is not Mode.IN_PLACE:
        return adopt_by_import(settings, root, mode, open_catalog, cancel, progress)
    if not pattern:
        raise AdoptError("adopting in place needs the week folder pattern the folders use")
    current = os.path.realpath(settings.archive)
    if current != os.path.realpath(root) and settings.catalog_path.exists():
        with open_catalog(settings) as catalog:
            if catalog.weeks():
                raise AdoptError(
                    f"the archive is {settings.archive} and already holds photos; adopting "
                    f"{root} in place would switch to it. Bring its photos into the archive "
                    "with --copy or --move, or change the archive in the settings first"
                )
    new, report = adopt_in_place(settings, root, pattern, open_catalog, cancel, progress)
    if not report.cancelled:
        save_settings(new)
    return report


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
    "sync_notes": "photoarchive.cloud.status",  # issue 13: why a week is not fully synced
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
