"""`photoarchive places|geotag|caption|tag|show`: named places, GPS, titles and captions."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from photoarchive.archive import ArchiveBusy
from photoarchive.cli.output import TextProgress, print_problems
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken, Problem, Severity, plural
from photoarchive.metadata.coords import CoordinateError, Coordinates, parse_coordinates
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.gpx import (
    DEFAULT_MAX_GAP,
    GpxError,
    Track,
    load_gpx,
    match_photos,
    parse_offset,
    parse_zone,
)
from photoarchive.metadata.places import Place, PlaceBook, PlaceError, import_shell_places
from photoarchive.names import one_line, show

if TYPE_CHECKING:
    from photoarchive.metadata.tagging import BatchResult

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


# Coordinates and clock offsets start with '-' ("-33.86,151.21", "-00:05"): argparse must take
# them as values, not options (its default only accepts plain negative numbers).
_NEGATIVE_VALUE = re.compile(r"^-[\d.]")


def _allow_negative_values(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._negative_number_matcher = _NEGATIVE_VALUE  # type: ignore[attr-defined]
    return parser


class _Usage(Exception):
    """A bad argument found after parsing; printed with exit status 2."""


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    _register_places(sub, common)
    paths = argparse.ArgumentParser(add_help=False)
    paths.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="photo or week folder")
    geo = argparse.ArgumentParser(add_help=False)
    where = geo.add_argument_group("where (one of)")
    where.add_argument("--place", metavar="NAME", help="a named place (see `places list`)")
    where.add_argument("--coords", metavar="TEXT", help="coordinates or a map link")
    where.add_argument("--gpx", metavar="FILE", type=Path, help="match capture times to a track")
    gpx = geo.add_argument_group("GPX matching")
    gpx.add_argument(
        "--offset",
        default="+00:00",
        metavar="±HH:MM",
        help="how far the camera clock was off (camera minus true time; fast = +)",
    )
    gpx.add_argument(
        "--tz",
        metavar="ZONE",
        help="camera clock's zone (Europe/Paris, +02:00); default: "
        "the offset in the file, else this computer's zone",
    )
    gpx.add_argument(
        "--max-gap",
        type=float,
        default=DEFAULT_MAX_GAP.total_seconds() / 60,
        metavar="MIN",
        help="never interpolate across a longer gap in the track (minutes, default 5)",
    )
    geo.add_argument("--overwrite", action="store_true", help="replace GPS already in a file")
    text = argparse.ArgumentParser(add_help=False)
    text.add_argument("--title", help="title (IPTC ObjectName, XMP dc:title); '' clears it")
    text.add_argument("--caption", help="caption (IPTC, XMP dc:description, EXIF); '' clears")
    for name, parents, helptext in (
        ("geotag", [common, geo, paths], "write a GPS position into photos"),
        ("caption", [common, text, paths], "write a title and/or caption into photos"),
        ("tag", [common, geo, text, paths], "GPS, title and caption in one rewrite per file"),
    ):
        p = sub.add_parser(name, parents=parents, help=helptext, description=helptext + ".")
        _allow_negative_values(p).set_defaults(func=run_tag, mode=name)
    show = sub.add_parser(
        "show", parents=[common, paths], help="title, caption, GPS and capture time as read"
    )
    show.set_defaults(func=run_show)


def _register_places(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("places", parents=[common], help="list and edit named places")
    psub = p.add_subparsers(dest="places_command", metavar="ACTION", required=True)
    psub.add_parser("list", parents=[common], help="list places")
    add = _allow_negative_values(psub.add_parser("add", parents=[common], help="add a place"))
    add.add_argument("name")
    add.add_argument("coords", help="e.g. '-33.8568, 151.2153', DMS, geo: URI or a map link")
    edit = _allow_negative_values(psub.add_parser("edit", parents=[common], help="change a place"))
    for a in (add, edit):
        a.add_argument("--radius", type=float, metavar="M", help="radius in metres")
        a.add_argument("--alt", type=float, metavar="M", help="altitude in metres")
        a.add_argument("--private", action="store_true", help="never share this place online")
        a.add_argument("--city", help="written into the photos with the place's name")
        a.add_argument("--region", help="state, province or county (written into the photos)")
        a.add_argument("--country", help="written into the photos with the place's name")
    edit.add_argument("name")
    edit.add_argument("--coords", help="new coordinates")
    edit.add_argument("--public", action="store_true", help="clear the private flag")
    rm = psub.add_parser("remove", parents=[common], help="remove a place")
    rm.add_argument("name")
    mv = psub.add_parser("rename", parents=[common], help="rename a place")
    mv.add_argument("old")
    mv.add_argument("new")
    imp = psub.add_parser(
        "import-shell", parents=[common], help="import places from an old geotag shell file"
    )
    imp.add_argument("file", type=Path)
    p.set_defaults(func=run_places)


def _place_dict(p: Place) -> dict[str, object]:
    return {
        "name": p.name,
        "lat": p.lat,
        "lon": p.lon,
        "alt": p.alt,
        "radius_m": p.radius_m,
        "private": p.private,
        "uses": p.uses,
        "city": p.city,
        "region": p.region,
        "country": p.country,
    }


def run_places(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        book = PlaceBook.load(settings.places_file)
        action = args.places_command
        changed: list[Place] = []
        if action == "add":
            c = parse_coordinates(args.coords)
            alt = args.alt if args.alt is not None else c.alt
            texts = (args.city or "", args.region or "", args.country or "")
            book.add(Place(args.name, c.lat, c.lon, alt, args.radius, args.private, 0, *texts))
            changed = [book.get(args.name)]
        elif action == "edit":
            old = book.get(args.name)
            new = old
            if args.coords:
                c = parse_coordinates(args.coords)
                new = replace(
                    new, lat=c.lat, lon=c.lon, alt=c.alt if c.alt is not None else new.alt
                )
            if args.alt is not None:
                new = replace(new, alt=args.alt)
            if args.radius is not None:
                new = replace(new, radius_m=args.radius)
            if args.private or args.public:
                new = replace(new, private=args.private and not args.public)
            for key in ("city", "region", "country"):  # '' clears one
                if getattr(args, key) is not None:
                    new = replace(new, **{key: getattr(args, key)})
            book.update(args.name, new)
            changed = [book.get(new.name)]
        elif action == "remove":
            changed = [book.get(args.name)]
            book.remove(args.name)
        elif action == "rename":
            book.rename(args.old, args.new)
            changed = [book.get(args.new)]
        elif action == "import-shell":
            changed = import_shell_places(book, args.file)
        if action != "list":
            book.save()
    except (PlaceError, CoordinateError) as exc:
        print(f"photoarchive places: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"photoarchive places: cannot save {settings.places_file}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    shown = book.all() if action == "list" else changed
    if args.json:
        print(json.dumps({"action": action, "places": [_place_dict(p) for p in shown]}))
        return EXIT_OK
    verbs = {"add": "Added", "edit": "Changed", "remove": "Removed", "rename": "Renamed to"}
    if action == "import-shell":
        print(f"Imported {plural(len(changed), 'place')} from {args.file}")
    elif action in verbs:
        print(f"{verbs[action]} {changed[0].name!r}")
    if action in ("list", "import-shell", "add", "edit"):
        if action == "list" and not shown:
            print(f"No places yet ({settings.places_file}); add one with `places add`.")
        for p in shown:
            flags = [f"alt {p.alt:g} m"] if p.alt is not None else []
            flags += [f"radius {p.radius_m:g} m"] if p.radius_m else []
            flags += ["private"] if p.private else []
            flags += [f"used {p.uses}x"] if p.uses else []
            flags += [", ".join(x for x in (p.city, p.region, p.country) if x)]
            flags = [f for f in flags if f]
            extra = f"  ({', '.join(flags)})" if flags else ""
            print(f"  {p.name:<20} {p.lat:11.6f} {p.lon:11.6f}{extra}")
    return EXIT_OK


def _where(args: argparse.Namespace, settings: Settings) -> tuple[Coordinates | None, str | None]:
    """(coordinates, place name) from --place/--coords; (None, None) for --gpx or nothing."""
    chosen = [x for x in (args.place, args.coords, args.gpx) if x]
    if len(chosen) > 1:
        raise _Usage("give only one of --place, --coords, --gpx")
    if args.place:
        try:
            p = PlaceBook.load(settings.places_file).get(args.place)
        except PlaceError as exc:
            raise _Usage(str(exc)) from None
        return Coordinates(p.lat, p.lon, p.alt), p.name
    if args.coords:
        try:
            return parse_coordinates(args.coords), None
        except CoordinateError as exc:
            raise _Usage(str(exc)) from None
    return None, None


def _build_edits(
    args: argparse.Namespace, settings: Settings, files: list[Path]
) -> tuple[TagEdit | dict[Path, TagEdit], list[Problem], str | None]:
    title = getattr(args, "title", None)
    caption = getattr(args, "caption", None)
    overwrite = getattr(args, "overwrite", False)
    if args.mode == "caption" and title is None and caption is None:
        raise _Usage("give --title and/or --caption")
    coords, place = (None, None) if args.mode == "caption" else _where(args, settings)
    gpx_file = getattr(args, "gpx", None)
    if args.mode == "geotag" and coords is None and gpx_file is None:
        raise _Usage("give one of --place, --coords or --gpx")
    if args.mode == "tag" and coords is None and not gpx_file and title is None and caption is None:
        raise _Usage(
            "nothing to write: give a place, coordinates, a GPX file, --title or --caption"
        )
    if gpx_file is None:
        location = None
        if place:  # --place: its name (city, region, country) goes into the files too
            location = PlaceBook.load(settings.places_file).get(place).location()
        return TagEdit(coords, overwrite, title, caption, location), [], place
    try:
        track = Track(load_gpx(gpx_file), timedelta(minutes=args.max_gap))
        offset = parse_offset(args.offset)
        zone = parse_zone(args.tz) if args.tz else None
    except GpxError as exc:
        raise _Usage(str(exc)) from None
    found, missed = match_photos(files, track, offset, zone)
    edits: dict[Path, TagEdit] = {}
    problems = []
    for path in files:
        edits[path] = TagEdit(found.get(path), overwrite, title, caption)
        if path in missed:
            problems.append(Problem(str(path), missed[path], Severity.WARNING))
    return edits, problems, None


def _print_batch(result: BatchResult, extra: list[Problem], as_json: bool) -> None:
    problems = extra + result.problems
    if as_json:
        doc = {
            "changed": result.changed,
            "unchanged": len(result.results) - result.changed,
            "cancelled": result.cancelled,
            "results": [
                {"path": str(r.path), "changed": r.changed, "message": r.message}
                for r in result.results
            ],
            "problems": [p.as_dict(severity=True) for p in problems],
        }
        print(json.dumps(doc))  # names.py: ASCII JSON keeps exact names
        return
    unchanged = len(result.results) - result.changed
    verb = "Cancelled after writing" if result.cancelled else "Wrote"
    print(f"{verb} {plural(result.changed, 'file')}; {unchanged:,} unchanged")
    print_problems("Errors", [p for p in problems if p.severity is Severity.ERROR])
    print_problems("Notes", [p for p in problems if p.severity is Severity.WARNING])


def run_tag(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from photoarchive.metadata.tagging import (  # exiv2: only for these commands
        apply_tags,
        expand_paths,
    )

    files, path_problems = expand_paths(args.paths)
    try:
        edits, gpx_problems, place = _build_edits(args, settings, files)
    except _Usage as exc:
        print(f"photoarchive {args.mode}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = apply_tags(settings, files, edits, cancel, TextProgress(quiet=args.json))
    except ArchiveBusy as exc:
        print(f"photoarchive {args.mode}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if place and result.changed:
        try:
            book = PlaceBook.load(settings.places_file)
            book.record_use(place)
            book.save()
        except (PlaceError, OSError) as exc:
            print(f"note: could not count the use of {place!r}: {exc}", file=sys.stderr)
    _print_batch(result, path_problems + gpx_problems, args.json)
    errors = [p for p in path_problems + result.problems if p.severity is Severity.ERROR]
    return EXIT_PROBLEMS if errors or result.cancelled else EXIT_OK


def run_show(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from photoarchive.metadata.tagging import expand_paths, read_all

    files, problems = expand_paths(args.paths)
    results = read_all(files, cancel, TextProgress(quiet=True))
    cancelled = cancel.cancelled or len(results) < len(files)
    docs = []
    for r in results:
        m = r.metadata
        if m is None:
            problems.append(Problem(str(r.path), r.error or "unreadable"))
            docs.append({"path": str(r.path), "error": r.error})
            continue
        gps = None if m.gps is None else {"lat": m.gps.lat, "lon": m.gps.lon, "alt": m.gps.alt}
        docs.append(
            {
                "path": str(r.path),
                "title": m.title,
                "caption": m.caption,
                "gps": gps,
                "capture_time": m.capture_time.isoformat() if m.capture_time else None,
                "camera": m.camera,
                "place": m.location,
                "sidecar": str(m.sidecar) if m.sidecar else None,
                "warnings": list(m.warnings),
            }
        )
    if args.json:
        print(json.dumps(docs))
    else:
        for doc in docs:
            print(show(doc["path"]))
            if "error" in doc:
                print(f"  error:    {one_line(str(doc['error']))}")
                continue
            gps = doc["gps"]
            where = "-"
            if isinstance(gps, dict):
                where = f"{gps['lat']:.7f}, {gps['lon']:.7f}"
                if gps["alt"] is not None:
                    where += f"  (altitude {gps['alt']:g} m)"
            for label, value in (
                ("title", doc["title"]),
                ("caption", doc["caption"]),
                ("gps", where),
                ("place", doc["place"]),
                ("taken", doc["capture_time"]),
                ("camera", doc["camera"]),
                ("sidecar", doc["sidecar"]),
            ):
                if value or label in ("title", "caption", "gps", "taken"):
                    print(f"  {label + ':':<9} {value or '-'}")
            for note in doc["warnings"]:  # type: ignore[union-attr]
                print(f"  note:     {note}")
        print_problems("Problems", [p for p in problems if p.severity is Severity.ERROR])
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if cancelled:
        print(f"cancelled: showed {len(results)} of {len(files)} files", file=sys.stderr)
    return EXIT_PROBLEMS if errors or cancelled else EXIT_OK
