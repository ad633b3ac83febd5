"""`photoarchive import` and `photoarchive verify`."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from photoarchive import pipeline
from photoarchive.archive import ArchiveBusy, BadWeekPattern
from photoarchive.cli.output import TextProgress, print_path_lists, print_problems
from photoarchive.config import Settings
from photoarchive.importing.cards import mount_roots
from photoarchive.importing.importer import ImportSummary
from photoarchive.importing.plan import ImportPlan
from photoarchive.importing.undated import (
    Placement,
    by_week,
    place_undated,
    target_week,
    undated,
    week_of,
)
from photoarchive.jobs import Cancelled, CancelToken, Problem, Severity, human_bytes, plural
from photoarchive.names import one_line, show

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import",
        parents=[common],
        help="copy new photos from cards or folders into the archive",
        description="Copy every photo not yet archived, verified, into weekly folders. "
        "With no SOURCE, mounted camera cards (a DCIM folder) are used.",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", type=Path)
    p.add_argument("--dry-run", action="store_true", help="show the plan, copy nothing")
    p.add_argument(
        "--verify-from-disk",
        action="store_true",
        help="read each copy back from the disk, not from the page cache (a second pass over "
        "the disk: slower, stricter)",
    )
    p.add_argument(
        "--undated",
        type=_undated_choice,
        metavar="HOW",
        help="where photos with no date inside go: 'neighbours' (the week of the nearest "
        "dated file on the card), 'file-time' (the week of the file's time) or a day "
        "YYYY-MM-DD (its week). Without it they are listed and not imported",
    )
    p.set_defaults(func=run_import)
    v = sub.add_parser(
        "verify",
        parents=[common],
        help="re-hash the archive against the catalog",
        description="Report archive files that are missing, changed or unknown to the catalog.",
    )
    v.add_argument(
        "--rebuild", action="store_true", help="rebuild the catalog from the week folders"
    )
    v.add_argument(
        "--remote", action="store_true", help="compare the archive with the bucket's checksums"
    )
    v.add_argument("--bucket", metavar="gs://BUCKET[/PREFIX]", help="with --remote")
    v.set_defaults(func=run_verify)


def _undated_choice(text: str) -> tuple[Placement, date | None]:
    text = text.strip().lower()
    if text in ("neighbours", "neighbors"):
        return Placement.NEIGHBOURS, None
    if text in ("file-time", "filetime", "mtime"):
        return Placement.FILE_TIME, None
    try:
        return Placement.WEEK, date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give neighbours, file-time or a day as YYYY-MM-DD"
        ) from None


def _place_undated(args: argparse.Namespace, settings: Settings, plan: ImportPlan) -> None:
    """Show the shots without a date and apply --undated; without it they are held back,
    each listed as a problem, so nothing lands in a week the user has not seen."""
    items = undated(plan)
    if not items:
        return
    how, day = args.undated or (Placement.HOLD, None)
    week = week_of(day, settings.week_pattern) if day else None
    if not args.json:
        print(f"No date inside {plural(len(items), 'file')} (their file time is only a guess):")
        for file_week, group in by_week(items).items():
            print(f"  file time in week {file_week}:")
            for u in group:
                near = f"{u.neighbour_week} (next to {u.neighbour})" if u.neighbour_week else "-"
                goes = target_week(u, how, week) or "not imported"
                print(f"    {show(u.name)}  neighbours' week: {near}  ->  {goes}")
    held = place_undated(plan, how, week)
    for u in held:
        plan.problems.append(
            Problem(
                str(u.group.group.dated[0].path),
                "no date inside: not imported; choose its week with --undated neighbours, "
                "--undated file-time or --undated YYYY-MM-DD",
                Severity.WARNING,
            )
        )


def _print_plan(plan: ImportPlan) -> None:
    weeks = Counter(g.week for g in plan.new for _ in g.files)
    new = f"{plan.new_files:,} new ({human_bytes(plan.new_bytes)})"
    print(
        f"Plan: {new} in {plural(len(weeks), 'week')}, {len(plan.already):,} already archived, "
        f"{len(plan.skipped):,} skipped, {plural(len(plan.problems), 'problem')}"
    )
    for week, n in sorted(weeks.items()):
        print(f"  new  {week}/  {plural(n, 'file')}")
    dups = sum(len(g.files) for g in plan.duplicates)
    if dups:
        repeat = "repeats" if dups == 1 else "repeat"
        print(f"  {plural(dups, 'file')} {repeat} content met earlier in this import (kept)")
    if plan.others:
        others = plural(len(plan.others), "other file")
        print(f"  {others} from camera folders (not photos or videos):")
        for path in plan.others:
            print(f"  other {path}")
    for p in plan.skipped:
        print(f"  skip {show(p.path)}: {one_line(p.reason)}")


def _print_summary(s: ImportSummary) -> None:
    if s.dry_run:
        print("Dry run: nothing was copied.")
    else:
        verb = "Cancelled after copying" if s.cancelled else "Copied"
        weeks = ", ".join(s.weeks) or "-"
        copied = plural(len(s.copied), "file")
        print(f"{verb} {copied} ({human_bytes(s.bytes_copied)}) into: {weeks}")
        if s.duplicates_skipped:
            second = plural(s.duplicates_skipped, "second copy", "second copies")
            print(f"Skipped {second} of the same content.")
        if s.adopted:
            adopted = plural(len(s.adopted), "file")
            print(f"Recognised {adopted} already complete from an interrupted run.")
        if s.stale_temps_removed:
            stale = plural(s.stale_temps_removed, "temporary file")
            print(f"Removed {stale} left by an interrupted run.")
    print_problems("Problems", [p for p in s.all_problems if p.severity is not Severity.NOTE])
    print_problems("Notes", [p for p in s.all_problems if p.severity is Severity.NOTE])


def run_import(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    sources = list(args.sources) or pipeline.detect_cards()
    if not sources:
        looked = ", ".join(str(p) for p in mount_roots())
        print(
            "photoarchive import: no SOURCE given and no camera card found: looked for a DCIM "
            f"folder in {looked} and in the folders directly inside them. Is the card mounted? "
            "Or name the folder: photoarchive import /path/to/card",
            file=sys.stderr,
        )
        return EXIT_USAGE
    progress = TextProgress(quiet=args.json)
    try:
        plan = pipeline.plan(settings, sources, cancel, progress)
        _place_undated(args, settings, plan)
        if not args.json:
            _print_plan(plan)
        summary = pipeline.import_photos(
            settings,
            plan,
            cancel,
            progress,
            dry_run=args.dry_run,
            verify_from_disk=args.verify_from_disk,
        )
    except Cancelled:
        print("cancelled while planning; nothing was copied", file=sys.stderr)
        return EXIT_PROBLEMS
    except (ArchiveBusy, BadWeekPattern) as exc:
        print(f"photoarchive import: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS if isinstance(exc, ArchiveBusy) else EXIT_USAGE
    if args.json:
        print(summary.to_json())
    else:
        _print_summary(summary)
    return EXIT_OK if summary.ok else EXIT_PROBLEMS


def run_verify(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    if getattr(args, "remote", False):
        from photoarchive.cli.sync_run import run_verify_remote

        return run_verify_remote(args, settings, cancel)
    try:
        report = pipeline.verify(settings, args.rebuild, cancel, TextProgress(quiet=args.json))
    except ArchiveBusy as exc:
        print(f"photoarchive verify: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.json:
        print(report.to_json())
        return EXIT_OK if report.clean and not report.cancelled else EXIT_PROBLEMS
    if report.rebuilt and report.cancelled:
        print("Rebuild cancelled: the catalog was left as it was.")
    elif report.rebuilt:
        print(f"Catalog rebuilt from {plural(report.checked, 'file')} in {settings.archive}")
    else:
        print(f"Checked {plural(report.checked, 'file')}: {report.ok:,} intact")
        print_path_lists(
            (
                ("Missing", report.missing),
                ("Changed", report.changed),
                ("Metadata edited by another program (picture unchanged)", report.edited),
                ("Unknown to the catalog", report.unknown),
            )
        )
    print_problems("Problems", report.problems)
    if report.cancelled:
        print("Cancelled.")
    return EXIT_OK if report.clean and not report.cancelled else EXIT_PROBLEMS
