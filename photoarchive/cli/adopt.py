"""`photoarchive adopt DIR [--in-place | --copy | --move] [--pattern P] [--yes]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from photoarchive import pipeline
from photoarchive.archive import ArchiveBusy, BadWeekPattern
from photoarchive.cli.output import TextProgress, print_problems
from photoarchive.config import Settings
from photoarchive.jobs import Cancelled, CancelToken, Severity, human_bytes

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "adopt",
        parents=[common],
        help="take over an existing collection of photos",
        description="Weekly folders (named by --pattern, or by a pattern guessed from the "
        "folder names and confirmed) are taken in place: DIR becomes the archive and is indexed "
        "without copying a byte. Other layouts are copied (or moved) into the archive's weekly "
        "folders with the same checks as an import. Without a mode: in place when most folders "
        "are weeks, else copy.",
    )
    p.add_argument("folder", metavar="DIR", type=Path)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--in-place", dest="mode", action="store_const", const="in-place")
    mode.add_argument("--copy", dest="mode", action="store_const", const="copy")
    mode.add_argument(
        "--move",
        dest="mode",
        action="store_const",
        const="move",
        help="copy, then delete each source file whose content the archive holds (verified)",
    )
    p.add_argument("--pattern", metavar="P", help="week folder names, e.g. %%Y-%%m-%%d or %%G-W%%V")
    p.add_argument("--yes", action="store_true", help="accept a guessed pattern without asking")
    p.set_defaults(func=run)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _choose(args: argparse.Namespace) -> tuple[pipeline.Mode, str | None] | int:
    found = pipeline.survey_folder(args.folder, args.pattern)
    mode = pipeline.Mode(args.mode) if args.mode else None
    if mode is None:
        mode = pipeline.Mode.IN_PLACE if found.looks_weekly else pipeline.Mode.COPY
    if mode is not pipeline.Mode.IN_PLACE:
        return mode, None
    if not args.json:
        print(f"{args.folder}: {found.describe()}")
    if not found.pattern or not found.weeks:
        print(
            "photoarchive adopt: no week folders found; give their pattern with --pattern, "
            "or copy the photos into weekly folders with --copy",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not args.pattern and not args.yes:
        question = f"Take these week folders in place, named {found.pattern!r}?"
        if not _confirm(question):
            print(
                f"photoarchive adopt: not confirmed; run again with --pattern "
                f"'{found.pattern}' (or --yes) to take them in place",
                file=sys.stderr,
            )
            return EXIT_USAGE
    return mode, found.pattern


def run(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        chosen = _choose(args)
        if isinstance(chosen, int):
            return chosen
        mode, pattern = chosen
        progress = TextProgress(quiet=args.json)
        report = pipeline.adopt(settings, args.folder, mode, pattern, cancel, progress)
    except (pipeline.AdoptError, BadWeekPattern) as exc:
        print(f"photoarchive adopt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveBusy as exc:
        print(f"photoarchive adopt: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Cancelled:
        print("cancelled; nothing was removed", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.json:
        print(json.dumps(_as_json(report), ensure_ascii=False))
    else:
        _print(report)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    return EXIT_PROBLEMS if errors or report.cancelled else EXIT_OK


def _as_json(report: pipeline.AdoptReport) -> dict[str, object]:
    out: dict[str, object] = {
        "mode": str(report.mode),
        "folder": str(report.root),
        "pattern": report.pattern,
        "cancelled": report.cancelled,
        "problems": [p.as_dict(severity=True) for p in report.problems],
        "duplicates": [{"path": a, "same_as": b} for a, b in report.duplicates],
    }
    if report.indexed:
        out["indexed"] = report.indexed.checked
    if report.imported:
        out["copied"] = report.imported.copied
        out["already_archived"] = len(report.imported.plan.already)
        out["moved"] = report.moved
    return out


def _print(report: pipeline.AdoptReport) -> None:
    if report.indexed is not None:
        verb = "Cancelled while indexing" if report.cancelled else "Adopted in place"
        print(
            f"{verb}: {report.root} is now the archive (week folders {report.pattern!r}); "
            f"{report.indexed.checked} file(s) indexed, none copied or changed."
        )
    if report.imported is not None:
        s = report.imported
        verb = "Cancelled after copying" if s.cancelled else "Copied"
        print(
            f"{verb} {len(s.copied)} file(s) ({human_bytes(s.bytes_copied)}) into "
            f"{len(s.weeks)} week folder(s); {len(s.plan.already)} were already archived."
        )
        if report.moved:
            print(f"Removed {len(report.moved)} source file(s) whose copies are verified.")
        for p in s.plan.skipped:
            print(f"  not a photo, left as it is: {p.path}")
    if report.duplicates:
        print(f"{len(report.duplicates)} duplicate(s) by content, archived once:")
        for path, first in report.duplicates:
            print(f"  {path}  (same as {first})")
    print_problems("Problems", report.problems)
