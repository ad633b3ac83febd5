"""Title, caption and GPS inside the photo files: the only module that talks to pyexiv2.

Field <-> tag table (Metadata Working Group guidance, as Photini and exiftool's MWG tags do it):

    title    XMP dc:title           IPTC ObjectName (64 bytes)     -
    caption  XMP dc:description     IPTC Caption-Abstract (2000)   EXIF ImageDescription
    gps      EXIF GPSLatitude/Ref, GPSLongitude/Ref, GPSAltitude/Ref, GPSVersionID, GPSMapDatum
             (XMP exif:GPS* in sidecars, and in files that already carry them)
    capture  EXIF DateTimeOriginal + OffsetTimeOriginal (XMP exif:DateTimeOriginal in sidecars)
    camera   EXIF Make + Model

Reading follows MWG precedence (as exiftool's MWG tags do): a non-blank EXIF value first; then
XMP, unless the Photoshop IPTCDigest shows the IPTC was changed by another program since the
last MWG-aware write (or there is no XMP), in which case IPTC. Writing keeps all three in step,
marks IPTC as UTF-8 and refreshes a stored IPTCDigest (exiv2 leaves it stale).

Files are never written through pyexiv2's file API (it truncates the original in place):
everything here works on bytes, and `tagging` writes them crash-safely.
"""

from __future__ import annotations

import errno
import logging
import mmap
import struct
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyexiv2

from photoarchive.metadata import tag_values as tv
from photoarchive.metadata.blocks import XMP_SIG, file_blocks
from photoarchive.metadata.coords import CoordinateError, Coordinates, checked
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.jpeg_segments import scan_offset
from photoarchive.metadata.jpeg_write import JpegWriteError, rewrite_jpeg
from photoarchive.metadata.sidecars import (
    existing_sidecar,
    sidecar_path,
    uses_sidecar,
)
from photoarchive.metadata.tag_values import (
    X_DEFAULT,
    cut_utf8,
    exif_gps,
    gps_decision,
    gps_exif,
    gps_xmp,
    same_gps,
    text_value,
    xmp_gps,
)
from photoarchive.metadata.write_check import Blocks, WriteCheckFailed, check_edit
from photoarchive.metadata.xmp_fix import drop_duplicates, repaired, restore_identity, unpadded

log = logging.getLogger(__name__)

pyexiv2.set_log_level(3)  # errors only: exiv2 warnings go to stdout; never 4 (see NOTES)

IPTC_UTF8 = "\x1b%G"
IPTC_LIMITS = {"Iptc.Application2.ObjectName": 64, "Iptc.Application2.Caption": 2000}

HEAD_READ = 256 << 10  # JPEG headers (EXIF, maker notes, XMP, thumbnail) nearly always fit

_EMPTY_XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photoarchive">\n'
    b' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    b'  <rdf:Description rdf:about=""/>\n'
    b" </rdf:RDF>\n</x:xmpmeta>\n"
    b'<?xpacket end="w"?>'
)


class MetadataError(Exception):
    """A file whose metadata cannot be read or written; the message is for the user."""


@dataclass(frozen=True)
class PhotoMetadata:
    title: str | None
    caption: str | None
    gps: Coordinates | None
    capture_time: datetime | None
    camera: str | None
    sidecar: Path | None = None  # the XMP sidecar read, if any
    warnings: tuple[str, ...] = field(default=())
    location: str | None = None  # place name, city, region, country (XMP Iptc4xmpCore/IPTC)


@dataclass(frozen=True)
class Rewrite:
    """New file content as parts (headers, then the untouched rest: no multi-MB copy),
    or no parts when nothing changed."""

    parts: tuple[bytes | memoryview, ...] | None
    notes: tuple[str, ...] = ()
    tail_from: int | None = None  # the last part is the input from this offset on

    @property
    def data(self) -> bytes | None:
        return None if self.parts is None else b"".join(self.parts)

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts or ())


# --- JPEG segments ---------------------------------------------------------------------------


jpeg_scan_offset = scan_offset  # re-exported: tests and the benchmark use it


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Tags:
    exif: dict[str, object]
    iptc: dict[str, object]
    xmp: dict[str, object]
    iptc_digest: str | None = None  # MD5 of the IPTC actually in the file
    stored_digest: str | None = None  # Photoshop IPTCDigest, from the last MWG-aware writer


def _open(data: bytes) -> pyexiv2.ImageData:
    try:
        return pyexiv2.ImageData(data)
    except RuntimeError as exc:
        raise MetadataError(f"unreadable image or metadata ({str(exc).strip()})") from None


def _read_tags(img: pyexiv2.ImageData, exif: dict[str, str] | None = None) -> _Tags:
    """All tags; `exif` (from quick_exif) spares converting every EXIF tag to text."""
    if exif is None:
        try:
            exif = img.read_exif()
        except UnicodeDecodeError:
            exif = img.read_exif(encoding="latin-1")
    try:
        iptc = img.read_iptc()
    except UnicodeDecodeError:
        iptc = img.read_iptc(encoding="latin-1")
    try:
        xmp = img.read_xmp()
    except (UnicodeDecodeError, RuntimeError):
        xmp = {}
    return _Tags(exif, iptc, xmp)


# --- writing ---------------------------------------------------------------------------------


# What to change: the same record the CLI and GUI build (None leaves a field alone).
EditSpec = TagEdit


def _drop_none(tags: dict[str, str | None], present: dict[str, object]) -> dict[str, object]:
    """pyexiv2 deletes a tag given None; skip deletions of tags that are not there."""
    return {k: v for k, v in tags.items() if v is not None or k in present}


def _check_gps(spec: EditSpec) -> None:
    if spec.gps is not None:
        try:
            checked(spec.gps.lat, spec.gps.lon, spec.gps.alt)
        except CoordinateError as exc:
            raise MetadataError(str(exc)) from None


def _gps_decision(
    current: Coordinates | None, spec: EditSpec, where: str
) -> tuple[bool, str | None]:
    return gps_decision(current, spec.gps, spec.overwrite_gps, where)


def _ascii(value: object) -> bool:
    return all(str(v).isascii() for v in (value if isinstance(value, list) else [value]))


def _edit_image(
    img: pyexiv2.ImageData, spec: EditSpec, exif: dict[str, str] | None, tiff: bool = False
) -> list[str]:
    """Apply spec to an open image; returns notes (last one 'unchanged' if nothing to do)."""
    tags = _read_tags(img, exif)
    notes: list[str] = []
    exif: dict[str, str | None] = {}
    iptc: dict[str, str | None] = {}
    xmp: dict[str, object] = {}
    if spec.gps is not None:
        write, note = _gps_decision(exif_gps(tags.exif) or xmp_gps(tags.xmp), spec, "file")
        notes += [note] if note else []
        if write:
            exif.update(gps_exif(spec.gps))
            if tiff:  # TIFF/EP (TIFF and most RAW) requires the method with GPS data
                exif["Exif.GPSInfo.GPSProcessingMethod"] = "charset=Ascii MANUAL"
            if any(k.startswith("Xmp.exif.GPS") for k in tags.xmp):
                xmp.update(gps_xmp(spec.gps))
    for value, iptc_key, xmp_key, exif_key, label in (
        (spec.title, "Iptc.Application2.ObjectName", "Xmp.dc.title", None, "title"),
        (
            spec.caption,
            "Iptc.Application2.Caption",
            "Xmp.dc.description",
            "Exif.Image.ImageDescription",
            "caption",
        ),
    ):
        if value is None:
            continue
        value = value.strip()
        limit = IPTC_LIMITS[iptc_key]
        short = cut_utf8(value, limit)
        if short != value:
            notes.append(
                f"{label} cut to {len(short.encode())} bytes in IPTC (its limit is {limit}); "
                "the full text is in XMP"
            )
        if text_value(tags.iptc.get(iptc_key)) != (short or None) or (
            short and tags.iptc.get("Iptc.Envelope.CharacterSet") != IPTC_UTF8
        ):
            iptc[iptc_key] = short or None
        if text_value(tags.xmp.get(xmp_key)) != (value or None):
            xmp[xmp_key] = {X_DEFAULT: value} if value else None
        if exif_key and text_value(tags.exif.get(exif_key)) != (value or None):
            exif[exif_key] = value or None
    tv.location_changes(spec.location, notes, tags.iptc, tags.xmp, iptc, xmp)  # place
    exif_w = _drop_none(exif, tags.exif)
    iptc_w = _drop_none(iptc, tags.iptc)
    xmp_w = _drop_none(xmp, tags.xmp)  # type: ignore[arg-type]
    if not (exif_w or iptc_w or xmp_w):
        return [*notes, "unchanged"]
    try:
        if exif_w:
            img.modify_exif(exif_w)
        if iptc_w:
            if tags.iptc.get("Iptc.Envelope.CharacterSet") != IPTC_UTF8:
                # read as Latin-1 where not UTF-8: written back as UTF-8 under the new marker
                old = {k: v for k, v in tags.iptc.items() if k not in iptc_w and not _ascii(v)}
                iptc_w = old | iptc_w
                notes += [f"converted {len(old)} IPTC value(s) from Latin-1 to UTF-8"] * bool(old)
            iptc_w["Iptc.Envelope.CharacterSet"] = IPTC_UTF8
            img.modify_iptc(iptc_w)
        if xmp_w:
            img.modify_xmp(xmp_w)
    except RuntimeError as exc:
        raise MetadataError(f"exiv2 could not write the metadata ({exc})") from None
    return notes


def _check(
    img: pyexiv2.ImageData, spec: EditSpec, exif: dict[str, str] | None, kept_gps: bool
) -> None:
    """Read the edited bytes back and confirm they say what we meant to write."""
    tags = _read_tags(img, exif)
    if spec.gps is not None and not kept_gps:
        got = exif_gps(tags.exif) or xmp_gps(tags.xmp)
        if not same_gps(got, spec.gps):
            raise MetadataError(f"read-back check failed: GPS reads {got}, not {spec.gps}")
    for value, key in ((spec.title, "Xmp.dc.title"), (spec.caption, "Xmp.dc.description")):
        if value is not None and text_value(tags.xmp.get(key)) != (value.strip() or None):
            raise MetadataError(f"read-back check failed for {key}")
    if not kept_gps and (bad := tv.location_mismatch(spec.location, tags.xmp)):
        raise MetadataError(f"read-back check failed for {bad}")


def _nothing_else_changed(before: Blocks | None, after: Blocks | None, spec: EditSpec) -> None:
    """Every tag the edit does not set reads the same after it (write_check); else refuse."""
    try:
        check_edit(before, after, spec)
    except WriteCheckFailed as exc:
        raise MetadataError(str(exc)) from None


def rewrite_bytes(data: bytes | mmap.mmap, spec: EditSpec) -> Rewrite:
    """New file bytes with the edit applied (None if nothing to change); raises MetadataError.

    For JPEG only the headers before the scan data pass through exiv2 (which copies the rest
    verbatim anyway): same bytes, a fraction of the work on multi-megabyte photos.
    """
    if not data:
        raise MetadataError("empty file (0 bytes)")
    _check_gps(spec)
    scan = jpeg_scan_offset(data)
    if data[:2] == b"\xff\xd8" and (scan is None or data.rfind(b"\xff\xd9", scan) < 0):
        # Inside scan data 0xFF is always escaped, so no end marker after it means truncation.
        raise MetadataError("the JPEG looks truncated or damaged (no end-of-image marker)")
    if scan:
        return _rewrite_jpeg(data, scan, spec)
    work = bytes(data)
    with _open(work) as img:
        tiff = data[:2] in (b"II", b"MM")
        notes = _edit_image(img, spec, None, tiff)
        if notes and notes[-1] == "unchanged":
            return Rewrite(None, tuple(notes[:-1]))
        out = img.get_bytes()
        kept = any(n.startswith("kept the GPS") for n in notes)
        _check(img, spec, None, kept)
    _nothing_else_changed(file_blocks(work), file_blocks(out), spec)
    return Rewrite((out,), tuple(notes))


class _Exiv2Xmp:
    """exiv2's XMP toolkit for one packet (jpeg_write edits everything else itself), handed
    over inside a minimal JPEG: as a bare packet exiv2 neither deletes properties nor opens
    packets without an xpacket header."""

    @staticmethod
    def _jpeg(packet: bytes | None) -> bytes:
        seg = XMP_SIG + (packet or b"")
        return (
            b"\xff\xd8"
            + (b"\xff\xe1" + struct.pack(">H", len(seg) + 2) + seg) * bool(packet)
            + b"\xff\xd9"
        )

    def read(self, packet: bytes) -> dict[str, object]:
        with _open(self._jpeg(packet)) as img:
            try:
                return img.read_xmp()  # type: ignore[no-any-return]
            except (UnicodeDecodeError, RuntimeError) as exc:
                raise MetadataError(f"the XMP cannot be read ({exc})") from None

    def write(self, packet: bytes | None, changes: dict[str, object]) -> bytes:
        with _open(self._jpeg(packet)) as img:
            try:
                img.modify_xmp(changes)
            except RuntimeError as exc:
                raise MetadataError(f"exiv2 could not write the XMP ({exc})") from None
            out = file_blocks(img.get_bytes())
        if out is None or out.xmp is None:
            raise MetadataError("exiv2 returned no XMP packet; left unchanged")
        return out.xmp


def _rewrite_jpeg(data: bytes | mmap.mmap, scan: int, spec: EditSpec) -> Rewrite:
    """Only the headers change, and only what the edit needs (jpeg_write); the scan data is
    passed through as a view of the original."""
    try:
        parts, notes, tail = rewrite_jpeg(data, scan, spec, _Exiv2Xmp())
    except (JpegWriteError, WriteCheckFailed) as exc:
        raise MetadataError(str(exc)) from None
    return Rewrite(parts, tuple(notes), tail_from=tail)


def rewrite_sidecar(existing: bytes | None, spec: EditSpec) -> Rewrite:
    """XMP sidecar bytes with the edit applied (GPS as XMP exif:GPS*); the packet goes through
    exiv2 inside a minimal JPEG (as a bare packet exiv2 does not delete what is cleared)."""
    _check_gps(spec)
    tool = _Exiv2Xmp()
    packet, dups = drop_duplicates(existing) if existing else (_EMPTY_XMP, [])
    notes = repaired(dups)
    current = tool.read(packet)
    xmp: dict[str, object] = {}
    if spec.gps is not None:
        write, note = _gps_decision(xmp_gps(current), spec, "sidecar")
        notes += [note] if note else []
        if write:
            xmp.update(gps_xmp(spec.gps))
    for value, key in ((spec.title, "Xmp.dc.title"), (spec.caption, "Xmp.dc.description")):
        if value is not None and text_value(current.get(key)) != (value.strip() or None):
            xmp[key] = {X_DEFAULT: value.strip()} if value.strip() else None
    tv.location_changes(spec.location, notes, {}, current, {}, xmp)  # place: XMP only
    xmp = _drop_none(xmp, current)  # type: ignore[arg-type]
    if not xmp:
        return Rewrite(None, tuple(notes))
    out = unpadded(tool.write(packet, xmp))
    out = restore_identity(existing, out) if existing else out
    _nothing_else_changed(Blocks(xmp=existing), Blocks(xmp=out), spec)
    return Rewrite((out,), tuple(notes))


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "the file vanished"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only file or folder)"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return exc.strerror or str(exc)


__all__ = [
    "EditSpec",
    "MetadataError",
    "PhotoMetadata",
    "Rewrite",
    "existing_sidecar",
    "rewrite_bytes",
    "rewrite_sidecar",
    "sidecar_path",
    "uses_sidecar",
]
