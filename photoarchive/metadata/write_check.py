"""The check every write passes before it replaces the original: nothing else changed.

Before and after an edit, the file's EXIF (maker note included), IPTC and XMP are read with
readers of our own (`tiff_walk`, the IPTC datasets and the XMP packet below), never with the
library that wrote them, and compared tag by tag. Every tag that was there must still be
there with the same value, except those the edit sets; pointer and offset tags may move (what
they point to may not). A difference is a `WriteCheckFailed` naming the first few tags, and the
caller leaves the file as it was.
"""

from __future__ import annotations

import contextlib
import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.tag_values import LOCATION_DATASETS, LOCATION_XMP_NAMES, xmp_coord
from photoarchive.metadata.tiff_walk import TiffError, maker_note_may_move, walk

log = logging.getLogger(__name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
X_NS = "adobe:ns:meta/"
DC = "http://purl.org/dc/elements/1.1/"
EXIF_NS = "http://ns.adobe.com/exif/1.0/"
XMP_NOTE = "http://ns.adobe.com/xmp/note/"
IPTC_UTF8 = b"\x1b%G"
# IPTC datasets holding numbers or binary data rather than text.
IPTC_BINARY = {(1, 0), (1, 20), (1, 22), (1, 90), (1, 120), (1, 122), (2, 0), (2, 200), (2, 201)}


class WriteCheckFailed(ValueError):
    """The edited file would lose or change tags it should keep; the message says which."""


@dataclass(frozen=True)
class Blocks:
    """A file's raw metadata blocks, however its format stores them."""

    exif: bytes | None = None  # the TIFF structure (from the byte-order mark on)
    iptc: bytes | None = None  # IPTC-IIM datasets
    xmp: bytes | None = None  # the main XMP packet
    extended_xmp: bytes | None = None  # JPEG ExtendedXMP, reassembled


@dataclass
class Snapshot:
    tags: dict[str, object] = field(default_factory=dict)
    maker_note: tuple[bytes, int | None] | None = None
    notes: list[str] = field(default_factory=list)  # what could not be read


@dataclass(frozen=True)
class Edited:
    """Which tags an edit may set (they are not compared)."""

    exif: frozenset[str] = frozenset()  # "IFD0.010e"-style keys; "GPS.*" for a whole IFD
    iptc: frozenset[tuple[int, int]] = frozenset()
    xmp: frozenset[str] = frozenset()  # "{ns}name" of top-level properties


def iptc_datasets(block: bytes) -> list[tuple[int, int, bytes]]:
    """(record, dataset, value) in file order; stops at the first malformed marker."""
    out = []
    i = 0
    while i + 5 <= len(block) and block[i] == 0x1C:
        rec, ds = block[i + 1], block[i + 2]
        size = int.from_bytes(block[i + 3 : i + 5], "big")
        i += 5
        if size & 0x8000:  # extended length
            n = size & 0x7FFF
            size = int.from_bytes(block[i : i + n], "big")
            i += n
        out.append((rec, ds, block[i : i + size]))
        i += size
    return out


def decode_iptc_text(raw: bytes, utf8: bool) -> str:
    """UTF-8 when marked; unmarked: UTF-8 if it is valid UTF-8 (many programs omit the
    marker), else cp1252 (Latin-1 for the bytes cp1252 leaves undefined)."""
    if utf8:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def iptc_values(block: bytes) -> dict[tuple[int, int], tuple[object, ...]]:
    sets = iptc_datasets(block)
    utf8 = any((r, d) == (1, 90) and v == IPTC_UTF8 for r, d, v in sets)
    out: dict[tuple[int, int], list[object]] = {}
    for rec, ds, value in sets:
        item: object = value if (rec, ds) in IPTC_BINARY else decode_iptc_text(value, utf8)
        out.setdefault((rec, ds), []).append(item)
    return {k: tuple(v) for k, v in out.items()}


def _flatten(elem: ET.Element, path: str, out: dict[str, object], dups: list[str]) -> None:
    """Properties below an rdf:Description or a struct, as path -> text."""
    for name, value in elem.attrib.items():
        if name.startswith("{" + RDF) or name in (XML_LANG, "about"):
            continue  # an unqualified `about` is old RDF for rdf:about
        _put(out, f"{path}{name}", value.strip(), dups)
    for child in elem:
        _property(child, f"{path}{child.tag}", out, dups)


def _property(prop: ET.Element, key: str, out: dict[str, object], dups: list[str]) -> None:
    lang = prop.get(XML_LANG)
    if lang:
        key += f"[{lang}]"
    if prop.get(f"{{{RDF}}}resource") is not None:
        _put(out, key, prop.get(f"{{{RDF}}}resource", "").strip(), dups)
        return
    kids = list(prop)
    if prop.get(f"{{{RDF}}}parseType") == "Resource":
        _flatten(prop, key + "/", out, dups)
        return
    if not kids:
        _put(out, key, (prop.text or "").strip(), dups)
        _flatten(prop, key + "/", out, dups)  # qualifiers written as attributes
        return
    for kid in kids:
        if kid.tag in (f"{{{RDF}}}Bag", f"{{{RDF}}}Seq", f"{{{RDF}}}Alt"):
            for n, li in enumerate(kid.findall(f"{{{RDF}}}li")):
                _property(li, key if li.get(XML_LANG) else f"{key}[{n + 1}]", out, dups)
        elif kid.tag == f"{{{RDF}}}Description":
            _flatten(kid, key + "/", out, dups)
        else:
            _property(kid, f"{key}/{kid.tag}", out, dups)


GPS_COORDS = tuple(
    f"{{{EXIF_NS}}}{n}"
    for n in ("GPSLatitude", "GPSLongitude", "GPSDestLatitude", "GPSDestLongitude")
)


def _put(out: dict[str, object], key: str, value: str, dups: list[str]) -> None:
    if key.startswith(GPS_COORDS):
        # exiv2 re-prints 'DDD,MM.mmmmmmmmk' with one digit fewer (0.2 mm): same place.
        with contextlib.suppress(ValueError, IndexError):
            value = f"{xmp_coord(value):.8f}"
    if key in out:
        if out[key] != value:
            dups.append(key)
        return  # the first one counts, as exiftool shows it
    out[key] = value


def packet_text(packet: bytes) -> str:
    """The packet as text: UTF-8, or UTF-16/32 as XMP allows (exiftool's samples have them)."""
    for head, codec in (
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00<", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
    ):
        if packet.lstrip(b"\xef\xbb\xbf\xfe\xff").startswith(head):
            return packet.decode(codec, "replace").strip("\x00\ufeff \t\r\n")
    return packet.decode("utf-8", "replace").strip("\x00\ufeff \t\r\n")


def xmp_values(packet: bytes) -> tuple[dict[str, object], list[str]]:
    """Flattened XMP properties ('{ns}name[...]' -> text) and the properties seen twice.

    Namespace URIs are part of the keys (a rewritten URI is a lost property) and each
    rdf:Description's rdf:about is kept as a value.
    """
    root = ET.fromstring(packet_text(packet))
    out: dict[str, object] = {}
    dups: list[str] = []
    for desc in root.iter(f"{{{RDF}}}Description"):
        about = desc.get(f"{{{RDF}}}about") or desc.get("about")
        if about is not None and about.strip():
            _put(out, "rdf:about", about.strip(), dups)
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f"{{{RDF}}}RDF")
    if rdf is None:
        return out, dups
    for desc in rdf.findall(f"{{{RDF}}}Description"):
        _flatten(desc, "", out, dups)
    return out, dups


def snapshot(blocks: Blocks) -> Snapshot:
    snap = Snapshot()
    if blocks.exif:
        try:
            tiff = walk(blocks.exif)
        except TiffError as exc:
            snap.notes.append(f"EXIF: {exc}")
            snap.tags["EXIF"] = blocks.exif
        else:
            for (ifd, tag), value in tiff.values.items():
                snap.tags[f"{ifd}.{tag:04x}"] = value
            if tiff.maker_note is not None:
                snap.maker_note = (tiff.maker_note, tiff.maker_note_at)
            snap.notes += [f"EXIF: {p}" for p in tiff.problems]
    if blocks.iptc:
        for (rec, ds), value in iptc_values(blocks.iptc).items():
            snap.tags[f"IPTC {rec}:{ds}"] = value
    for label, packet in (("XMP", blocks.xmp), ("ExtendedXMP", blocks.extended_xmp)):
        if not packet:
            continue
        try:
            props, dups = xmp_values(packet)
        except ET.ParseError as exc:
            snap.notes.append(f"{label}: not well-formed ({exc})")
            snap.tags[label] = packet
            continue
        for key, value in props.items():
            if label == "XMP" or f"XMP {key}" not in snap.tags:
                snap.tags[f"XMP {key}"] = value
            elif snap.tags[f"XMP {key}"] != value:
                snap.tags[f"XMP {key} (extended)"] = value  # an older copy still readable
        if dups:
            snap.notes.append(f"{label}: duplicated properties {', '.join(dups[:3])}")
    return snap


def _skipped(key: str, edited: Edited) -> bool:
    if key.startswith("IPTC "):
        rec, ds = key[5:].split(":")
        return (int(rec), int(ds)) in edited.iptc
    if key.startswith("XMP "):
        name = key[4:]
        if name.endswith(" (extended)"):
            return False
        return any(name == p or name.startswith((p + "[", p + "/")) for p in edited.xmp)
    ifd, _, _tag = key.partition(".")
    return key in edited.exif or f"{ifd}.*" in edited.exif


def compare(before: Snapshot, after: Snapshot, edited: Edited) -> list[str]:
    """What the edit lost or changed beyond what it meant to set (empty: all kept)."""
    problems: list[str] = []
    for key, value in before.tags.items():
        if _skipped(key, edited):
            continue
        if key not in after.tags:
            problems.append(f"{key} lost")
        elif after.tags[key] != value:
            problems.append(f"{key} changed")
    for key in after.tags:
        base = key.removesuffix(" (extended)")
        if base != key and _skipped(base, edited):
            problems.append(f"{base}: the old text is still in the ExtendedXMP")
    if before.maker_note is not None:
        note, at = before.maker_note
        if after.maker_note is None:
            problems.append("maker notes lost")
        elif after.maker_note[0] != note:
            problems.append("maker notes changed")
        elif after.maker_note[1] != at and not maker_note_may_move(note):
            problems.append("maker notes moved (their internal offsets would break)")
    return problems


def check(before: Blocks, after: Blocks, edited: Edited) -> Snapshot:
    """Raise WriteCheckFailed when `after` lost or changed anything `edited` does not cover;
    returns the snapshot of `before` (its notes say what could not be read)."""
    old, new = snapshot(before), snapshot(after)
    problems = compare(old, new, edited)
    if problems:
        shown = "; ".join(problems[:4]) + (f" (+{len(problems) - 4} more)" * (len(problems) > 4))
        raise WriteCheckFailed(
            f"not written: the write would have lost or changed other metadata ({shown})"
        )
    return old


GPS_XMP = ("GPSVersionID", "GPSLatitude", "GPSLongitude", "GPSMapDatum", "GPSAltitude")


def edited_for(gps: bool, title: bool, caption: bool, location: bool = False) -> Edited:
    """The tags a title/caption/GPS/place edit sets (see the field <-> tag table in `exiv2`)."""
    exif: set[str] = set()
    iptc: set[tuple[int, int]] = set()
    xmp: set[str] = set()
    if gps:
        exif.add("GPS.*")
        xmp.update(f"{{{EXIF_NS}}}{name}" for name in (*GPS_XMP, "GPSAltitudeRef"))
    if title:
        iptc.update({(1, 90), (2, 5)})
        xmp.add(f"{{{DC}}}title")
    if caption:
        exif.add("IFD0.010e")
        iptc.update({(1, 90), (2, 120)})
        xmp.add(f"{{{DC}}}description")
    if location:  # the place's name, city, region, country (tag_values.LOCATION_KEYS)
        iptc.update({(1, 90), *LOCATION_DATASETS.values()})
        xmp.update(LOCATION_XMP_NAMES)
    if xmp:  # points at the ExtendedXMP, which an edit may rewrite (a new GUID)
        xmp.add(f"{{{XMP_NOTE}}}HasExtendedXMP")
    return Edited(frozenset(exif), frozenset(iptc), frozenset(xmp))


def check_edit(before: Blocks | None, after: Blocks | None, spec: TagEdit) -> None:
    """Raise WriteCheckFailed unless every tag the edit does not set reads the same after it
    (None: a format without blocks we read, nothing to compare)."""
    if before is None:
        return
    fields = (spec.gps, spec.title, spec.caption, spec.location)
    edited = edited_for(*(value is not None for value in fields))
    check(before, after or Blocks(), edited)
