"""Week manifests: a plain-text list in every week folder of what the week holds and where it
came from, so the catalog is never the only record of an identity.

One line per file, tab-separated: name, size, BLAKE3, image-data hash, import identity (the
BLAKE3 and size the file had when it was imported), capture time (`~` in front when guessed), source
card and the path on it; `-` where a value is unknown. Names are written with names.show (one
line, reversible). The file is replaced atomically (temp name, fsync, rename, fsync folder) and
only when its text changes; it travels to the bucket with the week. `verify --rebuild` reads
it back, so losing the catalog loses no import identity.

The catalog marks a week changed (a trigger, in the same transaction as the change); the job
that changed it writes the manifest before it lets go of the archive lock (import, tag,
rebuild), and a week a killed run left marked is caught up by the next job. In the base because
the importer and the tagger write manifests under their own lock.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.archive import MANIFEST_NAME, fsync_dir, temp_name
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.fileio import describe_os_error, unlink_quietly
from photoarchive.jobs import Problem
from photoarchive.names import show, unshow

log = logging.getLogger(__name__)

VERSION = 1
COLUMNS = (
    "name",
    "size",
    "blake3",
    "image_hash",
    "import_blake3",
    "import_size",
    "capture_time",
    "source_card",
    "source_path",
)
# Checks a week with standard tools, run inside the week folder (README, family guide).
CHECK_COMMAND = (
    f"grep -v '^#' {MANIFEST_NAME} | awk -F'\\t' '{{print $3 \"  \" $1}}' | b3sum --check"
)
HEADER = (
    f"# photoarchive week manifest {VERSION}: one line per file, tab-separated; '-' = unknown\n"
    "# check this week's files with standard tools, inside the week folder:\n"
    f"#   {CHECK_COMMAND}\n"
    "# " + "\t".join(COLUMNS) + "\n"
)


def _field(value: object) -> str:
    text = "" if value is None else str(value)
    return show(text) if text else "-"


def _value(text: str) -> str | None:
    return None if text == "-" else unshow(text)


def render(records: list[FileRecord]) -> str:
    lines = [HEADER]
    for rec in sorted(records, key=lambda r: r.path):
        name = rec.path.split("/", 1)[1]
        capture = rec.capture_time and ("~" if rec.capture_guess else "") + rec.capture_time
        fields = (
            name,
            rec.size,
            rec.hash,
            rec.image_hash,
            rec.import_hash or rec.hash,
            rec.import_size,
            capture,
            rec.source_volume,
            rec.source_path,
        )
        lines.append("\t".join(_field(v) for v in fields) + "\n")
    return "".join(lines)


class BadManifest(ValueError):
    """A manifest line that cannot be read (the message says which and why)."""


def parse(text: str, week: str) -> dict[str, FileRecord]:
    """Archive path -> what the manifest says about it (rows with a bad line are skipped)."""
    out: dict[str, FileRecord] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != len(COLUMNS):
            raise BadManifest(f"line {n}: {len(parts)} fields, expected {len(COLUMNS)}")
        name, size, whole, image, imported, import_size, capture, card, card_path = map(
            _value, parts
        )
        if not name or not whole or size is None or not size.isdigit():
            raise BadManifest(f"line {n}: no name, size or hash")
        guess = bool(capture and capture.startswith("~"))
        rel = f"{week}/{name}"
        out[rel] = FileRecord(
            path=rel,
            week=week,
            hash=whole,
            size=int(size),
            mtime_ns=0,
            capture_time=capture[1:] if capture and guess else capture,
            capture_guess=guess,
            source_volume=card,
            source_path=card_path,
            import_hash=imported or whole,
            image_hash=image,
            import_size=int(import_size) if import_size and import_size.isdigit() else None,
        )
    return out


def read_manifest(week_dir: Path) -> dict[str, FileRecord]:
    """What a week folder's manifest records ({} when it has none)."""
    try:
        text = (week_dir / MANIFEST_NAME).read_text("utf-8")
    except FileNotFoundError:
        return {}
    return parse(text, week_dir.name)


def read_all(archive: Path) -> tuple[dict[str, FileRecord], list[Problem]]:
    """Every manifest of the archive; unreadable ones are problems, not errors."""
    known: dict[str, FileRecord] = {}
    problems: list[Problem] = []
    try:
        weeks = sorted(e.name for e in os.scandir(archive) if e.is_dir() and e.name[0] != ".")
    except FileNotFoundError:
        return known, problems
    for week in weeks:
        try:
            known.update(read_manifest(archive / week))
        except (OSError, UnicodeDecodeError, BadManifest) as exc:
            problems.append(Problem(f"{week}/{MANIFEST_NAME}", f"cannot read the manifest: {exc}"))
    return known, problems


def write_manifest(week_dir: Path, records: list[FileRecord]) -> bool:
    """Replace the week's manifest atomically when its text changes; True if written."""
    target = week_dir / MANIFEST_NAME
    text = render(records)
    try:
        if target.read_text("utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    temp = week_dir / temp_name(MANIFEST_NAME)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        unlink_quietly(temp)
        raise
    fsync_dir(week_dir)
    return True


@dataclass
class ManifestRun:
    written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_changed(
    settings: Settings, catalog: Catalog, weeks: list[str] | None = None
) -> ManifestRun:
    """Write the manifests of the weeks the catalog marked changed (or of `weeks`); the
    caller holds the archive lock. A week left unwritten stays marked for the next job."""
    run = ManifestRun()
    todo = catalog.changed_weeks() if weeks is None else weeks
    for week in todo:
        week_dir = settings.archive / week
        if not week_dir.is_dir():
            catalog.clear_changed_week(week)
            continue
        try:
            if write_manifest(week_dir, catalog.files(week)):
                run.written.append(week)
        except OSError as exc:
            reason = describe_os_error(exc, "cannot write the week manifest")
            run.problems.append(Problem(f"{week}/{MANIFEST_NAME}", reason))
            continue
        catalog.clear_changed_week(week)
    return run
