"""A title/caption/GPS edit of a JPEG's headers that changes only what the edit needs.

The EXIF block is patched (`exif_patch`: the camera's bytes and maker notes stay where they
were), the IPTC datasets are edited in the Photoshop APP13 segment (`iptc_edit`), and only the
XMP packet is re-serialised (by the `XmpTool` the caller passes: exiv2's XMP toolkit, kept in
`exiv2`, the one module that imports pyexiv2). Every other segment keeps its bytes and order.
No exiv2 parse of the EXIF is needed, so maker-note directories exiv2 rejects do not stop it.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from typing import Protocol

from photoarchive.metadata.blocks import (
    EXT_SIG,
    PS_SIG,
    XMP_SIG,
    extended_xmp,
    jpeg_blocks,
    jpeg_segments,
    photoshop_iptc,
)
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.exif_patch import ExifPatchError, patch_exif
from photoarchive.metadata.iptc_edit import IptcEditError, photoshop_segment
from photoarchive.metadata.jpeg_segments import quick_exif, refresh_iptc_digest
from photoarchive.metadata.tag_values import (
    IPTC_CORE_NS,
    LOCATION_DATASETS,
    PHOTOSHOP_NS,
    X_DEFAULT,
    cut_utf8,
    exif_gps,
    gps_decision,
    gps_xmp,
    location_mismatch,
    location_tags,
    same_gps,
    text_value,
    xmp_gps,
)
from photoarchive.metadata.tiff_walk import walk
from photoarchive.metadata.write_check import DC, EXIF_NS, check_edit, iptc_values
from photoarchive.metadata.xmp_fix import (
    drop_duplicates,
    extended_guid,
    extended_segments,
    repaired,
    replace_guid,
    restore_identity,
    trim_extended,
)

XMP_MAX = 65533 - len(XMP_SIG)
IPTC_LIMITS = {(2, 5): 64, (2, 120): 2000}


class JpegWriteError(ValueError):
    """The headers cannot be edited safely; the message is for the user."""


class XmpTool(Protocol):
    def read(self, packet: bytes) -> dict[str, object]: ...

    def write(self, packet: bytes | None, changes: dict[str, object]) -> bytes: ...


@dataclass
class _Head:
    segments: list[tuple[int, bytes]]  # (marker, payload) in file order
    exif: int | None = None
    xmp: int | None = None
    app13: int | None = None


def _split(head: bytes) -> _Head:
    found = _Head([(m, head[s:e]) for m, s, e in jpeg_segments(head)])
    for i, (marker, payload) in enumerate(found.segments):
        if marker == 0xE1 and payload.startswith(b"Exif\x00") and found.exif is None:
            found.exif = i
        elif marker == 0xE1 and payload.startswith(XMP_SIG) and found.xmp is None:
            found.xmp = i
        elif marker == 0xED and payload.startswith(PS_SIG):
            if found.app13 is not None:
                raise JpegWriteError("the IPTC is spread over several APP13 segments")
            found.app13 = i
    return found


def _payload(h: _Head, index: int | None, sig: bytes) -> bytes | None:
    return None if index is None else h.segments[index][1][len(sig) :]


def _join(h: _Head, new: dict[str, tuple[int, bytes]], ext: list[bytes] | None = None) -> bytes:
    """SOI + segments with replacements; new segments go after the EXIF (or leading APP0s)."""
    segs = list(h.segments)
    inserts: list[tuple[int, bytes]] = []
    for key, index in (("exif", h.exif), ("xmp", h.xmp), ("app13", h.app13)):
        if key not in new:
            continue
        if index is None:
            inserts.append(new[key])
        else:
            segs[index] = new[key]
    if h.exif is not None:
        anchor = h.exif + 1
    else:
        anchor = 0
        while anchor < len(segs) and segs[anchor][0] == 0xE0:
            anchor += 1
    segs[anchor:anchor] = inserts
    if ext is not None:  # the ExtendedXMP chunks, replaced where the old ones were
        at = [i for i, (m, p) in enumerate(segs) if m == 0xE1 and p.startswith(EXT_SIG)]
        segs = [s for i, s in enumerate(segs) if i not in set(at)]
        segs[at[0] : at[0]] = [(0xE1, p) for p in ext]
    segs = _fix_mpf(h.segments, segs)
    out = bytearray(b"\xff\xd8")
    for marker, payload in segs:
        if len(payload) + 2 > 0xFFFF:
            raise JpegWriteError("a metadata segment would outgrow 64 KB; left unchanged")
        out += bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return bytes(out)


def _fix_mpf(old: list[tuple[int, bytes]], new: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """Keep MPF (APP2) image offsets right when segments after it changed size: they count
    from the MPF header to the extra images (previews, gain maps) after the main one."""
    at = next((i for i, (m, p) in enumerate(new) if m == 0xE2 and p.startswith(b"MPF\x00")), None)
    if at is None:
        return new
    mpf = new[at][1]
    was = next(i for i, (m, p) in enumerate(old) if p is mpf)
    delta = sum(len(p) + 4 for _, p in new[at + 1 :]) - sum(len(p) + 4 for _, p in old[was + 1 :])
    if not delta:
        return new
    tiff = bytearray(mpf[4:])
    try:
        e = "<" if tiff[:2] == b"II" else ">"
        (ifd,) = struct.unpack_from(e + "I", tiff, 4)
        (count,) = struct.unpack_from(e + "H", tiff, ifd)
        for i in range(count):
            tag, _typ, n, off = struct.unpack_from(e + "HHII", tiff, ifd + 2 + 12 * i)
            if tag != 0xB002:
                continue
            for k in range(n // 16):
                pos = off + 16 * k + 8
                (image,) = struct.unpack_from(e + "I", tiff, pos)
                if image:
                    struct.pack_into(e + "I", tiff, pos, image + delta)
    except struct.error:
        raise JpegWriteError("the MPF (multi-picture) index is damaged; left unchanged") from None
    return [*new[:at], (0xE2, b"MPF\x00" + bytes(tiff)), *new[at + 1 :]]


def _iptc_text(values: dict[tuple[int, int], tuple[object, ...]], key: tuple[int, int]) -> str:
    got = values.get(key)
    return text_value(got[0]) or "" if got else ""


def edit_head(head: bytes, spec: TagEdit, xmp_tool: XmpTool) -> tuple[bytes | None, list[str]]:
    """New headers (SOI up to the scan, without it) or None when nothing changes; notes."""
    h = _split(head)
    tiff_block = _payload(h, h.exif, b"Exif\x00\x00")
    exif_now = quick_exif(head) if tiff_block is not None else {}
    if exif_now is None:
        raise JpegWriteError("the EXIF block is damaged (its first directory cannot be read)")
    packet = original = _payload(h, h.xmp, XMP_SIG)
    notes: list[str] = []
    if packet:
        packet, dups = drop_duplicates(packet)
        notes += repaired(dups)
    xmp_now = xmp_tool.read(packet) if packet else {}
    iptc_payload = _payload(h, h.app13, b"")
    iptc_now = iptc_values(_iptc_block(iptc_payload) or b"")
    utf8 = any(v == b"\x1b%G" for v in iptc_now.get((1, 90), ()))
    exif_changes: dict[str, object] = {}
    xmp_changes: dict[str, object] = {}
    iptc_changes: dict[str, str | None] = {}
    if spec.gps is not None:
        current = exif_gps(exif_now) or xmp_gps(xmp_now)
        write, note = gps_decision(current, spec.gps, spec.overwrite_gps, "file")
        notes += [note] if note else []
        if write:
            exif_changes["gps"] = spec.gps
            if any(k.startswith("Xmp.exif.GPS") for k in xmp_now):
                xmp_changes.update(gps_xmp(spec.gps))
    for value, key, xmp_key, exif_key, label in (
        (spec.title, (2, 5), "Xmp.dc.title", None, "title"),
        (spec.caption, (2, 120), "Xmp.dc.description", "description", "caption"),
    ):
        if value is None:
            continue
        value = value.strip()
        short = cut_utf8(value, IPTC_LIMITS[key])
        if short != value:
            notes.append(
                f"{label} cut to {len(short.encode())} bytes in IPTC (its limit is "
                f"{IPTC_LIMITS[key]}); the full text is in XMP"
            )
        iptc_differs = _iptc_text(iptc_now, key) != short or (short and not utf8)
        if iptc_differs and (short or key in iptc_now):
            iptc_changes[label] = short
        if text_value(xmp_now.get(xmp_key)) != (value or None) and (value or xmp_key in xmp_now):
            xmp_changes[xmp_key] = {X_DEFAULT: value} if value else None
        desc = exif_now.get("Exif.Image.ImageDescription")
        if exif_key and text_value(desc) != (value or None) and (value or desc is not None):
            exif_changes[exif_key] = value or None
    place: dict[tuple[int, int], str | None] = {}
    if spec.location is not None and not any(n.startswith("kept the GPS") for n in notes):
        loc_iptc, loc_xmp = location_tags(spec.location)  # the place goes with its position
        for iptc_key, value in loc_iptc.items():
            key = LOCATION_DATASETS[iptc_key]
            differs = _iptc_text(iptc_now, key) != (value or "") or (value and not utf8)
            if differs and (value or key in iptc_now):
                place[key] = value
        for xmp_key, text in loc_xmp.items():
            if text_value(xmp_now.get(xmp_key)) != text and (text or xmp_key in xmp_now):
                xmp_changes[xmp_key] = text
    if not (exif_changes or xmp_changes or iptc_changes or place):
        return None, notes
    new: dict[str, tuple[int, bytes]] = {}
    if exif_changes and tiff_block is not None and walk(tiff_block).outside:
        # offsets counted from the EXIF header to data after it would go stale as it grows
        raise JpegWriteError("the EXIF points at data outside its segment; left unchanged")
    try:
        if exif_changes:
            block = patch_exif(tiff_block, **exif_changes)  # type: ignore[arg-type]
            new["exif"] = (0xE1, b"Exif\x00\x00" + block)
        if iptc_changes or place:
            seg, more = photoshop_segment(
                iptc_payload, iptc_changes.get("title"), iptc_changes.get("caption"), place
            )
            notes += more
            new["app13"] = (0xED, seg)
    except (ExifPatchError, IptcEditError) as exc:
        raise JpegWriteError(str(exc)) from None
    ext: list[bytes] | None = None
    if xmp_changes:
        out = xmp_tool.write(packet, xmp_changes)
        if original:
            out = restore_identity(original, out)
        out, ext = _extended(h, out, xmp_changes)
        if len(out) > XMP_MAX:
            raise JpegWriteError("the XMP would outgrow its 64 KB segment; left unchanged")
        new["xmp"] = (0xE1, XMP_SIG + out)
    return _join(h, new, ext), notes


_PREFIXES = {"dc": DC, "exif": EXIF_NS, "iptc": IPTC_CORE_NS, "photoshop": PHOTOSHOP_NS}


def _extended(
    h: _Head, packet: bytes, changes: dict[str, object]
) -> tuple[bytes, list[bytes] | None]:
    """Drop the properties the edit sets from an ExtendedXMP part (new GUID, re-chunked);
    (main packet, new extended chunks or None to leave them)."""
    parts = [p[len(EXT_SIG) :] for m, p in h.segments if m == 0xE1 and p.startswith(EXT_SIG)]
    extended = extended_xmp(parts)
    if not extended:
        return packet, None
    names = set()
    for key in changes:
        _, prefix, local = key.split(".", 2)
        names.add(f"{{{_PREFIXES[prefix]}}}{local}")
    try:
        trimmed = trim_extended(extended, names)
    except SyntaxError as exc:  # ElementTree's ParseError
        raise JpegWriteError(f"the ExtendedXMP cannot be read ({exc})") from None
    if trimmed is None:
        return packet, None
    packet = replace_guid(packet, parts[0][:32], extended_guid(trimmed))
    return packet, extended_segments(EXT_SIG, trimmed)


def _iptc_block(payload: bytes | None) -> bytes | None:
    if not payload or not payload.startswith(PS_SIG):
        return None
    return photoshop_iptc(payload[len(PS_SIG) :])


def verify_head(head: bytes, spec: TagEdit, kept_gps: bool, xmp_tool: XmpTool) -> None:
    """Read the new headers back (our readers, not the writers) and confirm the edit."""
    h = _split(head)
    exif = quick_exif(head) or {}
    packet = _payload(h, h.xmp, XMP_SIG)
    xmp = xmp_tool.read(packet) if packet else {}
    iptc = iptc_values(_iptc_block(_payload(h, h.app13, b"")) or b"")
    if spec.gps is not None and not kept_gps:
        got = exif_gps(exif) or xmp_gps(xmp)
        if not same_gps(got, spec.gps):
            raise JpegWriteError(f"read-back check failed: GPS reads {got}, not {spec.gps}")
    for value, key, xmp_key in (
        (spec.title, (2, 5), "Xmp.dc.title"),
        (spec.caption, (2, 120), "Xmp.dc.description"),
    ):
        if value is None:
            continue
        want = value.strip()
        if text_value(xmp.get(xmp_key)) != (want or None):
            raise JpegWriteError(f"read-back check failed for {xmp_key}")
        if _iptc_text(iptc, key) != cut_utf8(want, IPTC_LIMITS[key]):
            raise JpegWriteError(f"read-back check failed for IPTC {key[0]}:{key[1]}")
    if spec.location is not None and not kept_gps:
        if bad := location_mismatch(spec.location, xmp):
            raise JpegWriteError(f"read-back check failed for {bad}")
        for iptc_key, value in location_tags(spec.location)[0].items():
            if _iptc_text(iptc, LOCATION_DATASETS[iptc_key]) != (value or ""):
                raise JpegWriteError(f"read-back check failed for {iptc_key}")


def rewrite_jpeg(
    data: bytes | mmap.mmap, scan: int, spec: TagEdit, xmp_tool: XmpTool
) -> tuple[tuple[bytes | memoryview, ...] | None, list[str], int | None]:
    """(new file as parts, notes, offset the last part copies the input from) for a JPEG
    whose headers end at `scan`; parts None when nothing changes. The result has passed the
    read-back and the write check (raises JpegWriteError or WriteCheckFailed otherwise)."""
    head = bytes(data[:scan])
    new_head, notes = edit_head(head, spec, xmp_tool)
    if new_head is None:
        return None, notes, None
    verify_head(new_head, spec, any(n.startswith("kept the GPS") for n in notes), xmp_tool)
    check_edit(jpeg_blocks(head), jpeg_blocks(new_head), spec)
    new_head = refresh_iptc_digest(new_head)
    afcp = afcp_fixed(data, len(new_head) - scan)
    if afcp is None:
        return (new_head, memoryview(data)[scan:]), notes, scan
    start, trailer = afcp
    return (new_head, memoryview(data)[scan:start], trailer), notes, None


def afcp_fixed(data: bytes | mmap.mmap, delta: int) -> tuple[int, bytes] | None:
    """An AFCP trailer (AXS File Concatenation Protocol: IPTC or previews after the image)
    with its absolute offsets moved by `delta`, as exiftool does: (its start, new bytes).
    None when there is none, nothing moved, or its offsets were already wrong."""
    if not delta or len(data) < 24 or bytes(data[-12:-9]) != b"AXS":
        return None
    foot = bytes(data[-12:])
    e = ">" if foot[3:4] == b"!" else "<"
    (start,) = struct.unpack_from(e + "I", foot, 4)
    if start >= len(data) - 24 or bytes(data[start : start + 4]) != foot[:4]:
        return None
    trailer = bytearray(data[start:])
    (count,) = struct.unpack_from(e + "H", trailer, 6)
    if 12 + 12 * count > len(trailer) - 12:
        return None
    for i in range(count):
        pos = 12 + 12 * i + 8
        (off,) = struct.unpack_from(e + "I", trailer, pos)
        struct.pack_into(e + "I", trailer, pos, off + delta)
    struct.pack_into(e + "I", trailer, len(trailer) - 8, start + delta)
    return start, bytes(trailer)
