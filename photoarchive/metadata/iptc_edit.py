"""Set IPTC ObjectName and Caption-Abstract in a JPEG's Photoshop APP13 segment, byte-exact.

Only the datasets the edit sets change, in place, in the order they were; every other dataset
and every other Photoshop resource keeps its bytes (exiv2 re-serialises the block: it appends
"+00:00" to TimeCreated, for one). When the UTF-8 marker (1:90) is newly set, existing text
values are converted from their old encoding, so none becomes invalid UTF-8: undeclared text
that is not valid UTF-8 is taken as cp1252 (Latin-1 for the bytes cp1252 leaves undefined).
"""

from __future__ import annotations

import struct

from photoarchive.metadata.write_check import (
    IPTC_BINARY,
    IPTC_UTF8,
    decode_iptc_text,
    iptc_datasets,
)

PS_SIG = b"Photoshop 3.0\x00"
IPTC_RESOURCE = 0x0404
SEGMENT_MAX = 65533
OBJECT_NAME = (2, 5)
CAPTION = (2, 120)
CHARSET = (1, 90)
RECORD_VERSION = (2, 0)


class IptcEditError(ValueError):
    """The IPTC block cannot be edited safely; the message is for the user."""


def _dataset(rec: int, ds: int, value: bytes) -> bytes:
    if len(value) < 0x8000:
        return bytes([0x1C, rec, ds]) + struct.pack(">H", len(value)) + value
    return bytes([0x1C, rec, ds]) + struct.pack(">HI", 0x8004, len(value)) + value


def _set(sets: list[tuple[int, int, bytes]], key: tuple[int, int], value: bytes | None) -> None:
    """Replace the first dataset `key` in place (dropping repeats), or insert it in order."""
    first = next((i for i, (r, d, _) in enumerate(sets) if (r, d) == key), None)
    rest = [s for i, s in enumerate(sets) if (s[0], s[1]) != key or i == first]
    sets[:] = rest
    if first is not None:
        if value is None:
            del sets[first]
        else:
            sets[first] = (*key, value)
        return
    if value is None:
        return
    at = next((i for i, (r, d, _) in enumerate(sets) if (r, d) > key), len(sets))
    sets.insert(at, (*key, value))


def edit_iptc_datasets(
    block: bytes | None,
    title: str | None,
    caption: str | None,
    more: dict[tuple[int, int], str | None] | None = None,
) -> tuple[bytes, list[str]]:
    """New IPTC datasets with title/caption (and `more`: record:dataset -> text, the place
    fields) set ('' or None in `more` removes, None for title/caption leaves) and UTF-8."""
    notes: list[str] = []
    sets = iptc_datasets(block or b"")
    if block and sum(5 + len(v) for _, _, v in sets) > len(block):
        raise IptcEditError("the IPTC block is damaged; left unchanged")
    utf8 = any((r, d) == CHARSET and v == IPTC_UTF8 for r, d, v in sets)
    if not utf8:
        converted = 0
        for i, (rec, ds, value) in enumerate(sets):
            if (rec, ds) in IPTC_BINARY or value.isascii():
                continue
            new = decode_iptc_text(value, False).encode("utf-8")
            if new != value:
                sets[i] = (rec, ds, new)
                converted += 1
        if converted:
            notes.append(f"converted {converted} IPTC value(s) from Latin-1 to UTF-8")
        _set(sets, CHARSET, IPTC_UTF8)
    if not any(r == 2 for r, _, _ in sets):
        _set(sets, RECORD_VERSION, b"\x00\x04")
    for key, text in ((OBJECT_NAME, title), (CAPTION, caption)):
        if text is not None:
            _set(sets, key, text.encode("utf-8") if text else None)
    for key, value in (more or {}).items():
        _set(sets, key, value.encode("utf-8") if value else None)
    return b"".join(_dataset(*s) for s in sets), notes


def _resources(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """(id, Pascal name as stored, payload) of each Photoshop image resource."""
    out = []
    i = 0
    while i < len(data):
        if not data[i:].strip(b"\x00"):
            break  # zero padding after the last resource
        if i + 12 > len(data) or data[i : i + 4] != b"8BIM":
            raise IptcEditError("the Photoshop APP13 segment is damaged; left unchanged")
        (rid,) = struct.unpack_from(">H", data, i + 4)
        j = i + 6 + ((data[i + 6] + 2) & ~1)
        if j + 4 > len(data):
            raise IptcEditError("the Photoshop APP13 segment is damaged; left unchanged")
        (size,) = struct.unpack_from(">I", data, j)
        if j + 4 + size > len(data):
            raise IptcEditError("the Photoshop APP13 segment is damaged; left unchanged")
        out.append((rid, data[i + 6 : j], data[j + 4 : j + 4 + size]))
        i = j + 4 + size + (size & 1)
    return out


def photoshop_segment(
    payload: bytes | None,
    title: str | None,
    caption: str | None,
    more: dict[tuple[int, int], str | None] | None = None,
) -> tuple[bytes, list[str]]:
    """The APP13 payload ("Photoshop 3.0\\0" + resources) with the IPTC resource edited."""
    if payload is not None and not payload.startswith(PS_SIG):
        raise IptcEditError("the APP13 segment is not Photoshop's; left unchanged")
    body = payload[len(PS_SIG) :] if payload else b""
    resources = _resources(body)
    old = next((p for rid, _, p in resources if rid == IPTC_RESOURCE), None)
    iptc, notes = edit_iptc_datasets(old, title, caption, more)
    if old is None:
        resources.append((IPTC_RESOURCE, b"\x00\x00", iptc))
    else:
        at = next(i for i, r in enumerate(resources) if r[0] == IPTC_RESOURCE)
        resources[at] = (IPTC_RESOURCE, resources[at][1], iptc)
    out = bytearray(PS_SIG)
    for rid, name, data in resources:
        out += b"8BIM" + struct.pack(">H", rid) + name + struct.pack(">I", len(data)) + data
        out += b"\x00" * (len(data) & 1)
    if len(out) + 2 > SEGMENT_MAX:
        raise IptcEditError("the IPTC block would outgrow its 64 KB segment; left unchanged")
    return bytes(out), notes
