"""Image-data identity: a hash of the picture alone, which metadata edits leave unchanged.

Beside the whole-file BLAKE3, this tells a metadata edit (whole hash changed, image-data hash
not) from damage or a pixel edit (image-data hash changed). What is hashed (BLAKE3, hex):
- JPEG: the entropy-coded image, from the first top-level SOS marker through the file's last
  EOI marker (so MPF preview images appended after the main one are in; APP/COM segments
  before SOS and a trailer after the last EOI are out; a file without EOI: to its end).
  The last EOI, not the first: searched from the end, it costs nothing where the EOI ends the
  file, where a forward search for the first one read at 1 GB/s, a third of the hash's speed.
- TIFF-based RAW and DNG (CR2, NEF, ARW, ORF, RW2, PEF, DNG, TIFF): every strip and tile of
  every IFD of the main chain and their SubIFDs, in the order the IFDs list them.
- HEIC/HEIF/AVIF: the data of every image item (not Exif, XMP or URI items), by item ID.
- Other ISO media (MP4, MOV, CR3): the payloads of the `mdat` boxes, in file order.
- Fujifilm RAF: the raw sensor (CFA) block its header points to.
Anything else gets no image-data hash and a reason saying why.

JPEGs, nearly every file imported, are hashed while the copier's helper reads the card for the
whole-file hash (`ImageDataHasher.feed`): no second read, one cheap pass over the scan.
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import blake3
import xxhash

log = logging.getLogger(__name__)

_EOI = b"\xff\xd9"
_MAX_IFDS = 256
_MAX_RANGES = 1_000_000
_MAX_META = 16 << 20
_READ = 8 << 20
_BMFF_ITEM_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
_NOT_IMAGE_ITEMS = frozenset({b"Exif", b"mime", b"uri "})
# QuickTime files may start with any of these instead of ftyp.
_BMFF_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


@dataclass(frozen=True)
class ImageData:
    """hash is None when the file's image data could not be told apart; reason says why."""

    hash: str | None
    kind: str  # 'jpeg', 'tiff', 'raf', 'heif', 'isomedia' or 'unknown'
    reason: str = ""


def is_legacy(stored: str | None) -> bool:
    """A BLAKE3 image hash, recorded before the hash became xxh3-128."""
    return stored is not None and len(stored) == 64


def _new_hasher(like: str | None) -> blake3.blake3 | xxhash.xxh3_128:
    return blake3.blake3() if is_legacy(like) else xxhash.xxh3_128()


class _Unreadable(Exception):
    """The file's structure cannot be followed (damaged, truncated or unknown)."""


# What a malformed file can raise while its image data is located: one list for every reader.
_BAD_INPUT = (_Unreadable, OSError, ValueError, struct.error)


def _pread(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) < size:
        raise _Unreadable(f"the file ends early (at {offset + len(data)} bytes)")
    return data


# --- JPEG -------------------------------------------------------------------------------
def jpeg_scan_start(fd: int, size: int) -> int:
    """Offset of the first top-level SOS marker (walks segment headers with small reads)."""
    if _pread(fd, 2, 0) != b"\xff\xd8":
        raise _Unreadable("not a JPEG")
    pos = 2
    while pos + 4 <= size:
        head = _pread(fd, 4, pos)
        if head[0] != 0xFF:
            raise _Unreadable(f"no JPEG marker at offset {pos}")
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:
            return pos
        if marker == 0xD8 or marker == 0x01 or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker == 0xD9:
            raise _Unreadable("the JPEG ends before its image data")
        pos += 2 + int.from_bytes(head[2:4], "big")
    raise _Unreadable("no image data (SOS) in the JPEG")


class ImageDataHasher:
    """Streams a JPEG's scan data into BLAKE3 as the file passes by in chunks (feed), or, for
    the other kinds, reads the image ranges itself at the end (result); never raises."""

    def __init__(self, fd: int, size: int, name: str = "", like: str | None = None) -> None:
        self.fd = fd
        self.like = like
        self.size = size
        self.name = name
        self._hasher: blake3.blake3 | xxhash.xxh3_128 | None = None
        self._start = -1
        self._done = False
        self._last_ff = False
        self._fed = 0
        self._early: ImageData | None = None
        try:
            head = os.pread(fd, 16, 0)
        except OSError as exc:
            self._early = ImageData(None, "unknown", f"cannot read: {exc.strerror}")
            return
        if head[:2] == b"\xff\xd8":
            try:
                self._start = jpeg_scan_start(fd, size)
                self._hasher = _new_hasher(like)
            except _BAD_INPUT as exc:
                self._early = ImageData(None, "jpeg", _why(exc))

    def feed(self, offset: int, buf: mmap.mmap | bytes | bytearray, n: int) -> None:
        """The file's bytes [offset, offset+n) are in buf[:n]; chunks come in file order.

        Every chunk after SOS is hashed whole; the last one only up to its last EOI. Where
        the last EOI lies in an earlier chunk (a long trailer), result() reads the file."""
        if self._hasher is None or self._done or offset + n <= self._start:
            self._fed = offset + n
            return
        if offset != self._fed:  # a gap: give up streaming, result() reads the file
            self._hasher = None
            return
        lo = max(self._start - offset, 0)
        self._fed = offset + n
        if self._fed < self.size:
            self._hasher.update(memoryview(buf)[lo:n])
            self._last_ff = n > lo and buf[n - 1] == 0xFF
            return
        end = buf.rfind(_EOI, lo, n)
        if end >= 0:
            self._hasher.update(memoryview(buf)[lo : end + 2])
        elif self._last_ff and lo == 0 and n and buf[0] == 0xD9:
            self._hasher.update(memoryview(buf)[:1])
        else:
            self._hasher = None  # no EOI in the last chunk: result() reads the file
            return
        self._done = True

    def result(self) -> ImageData:
        if self._early is not None:
            return self._early
        if self._hasher is not None and self._done:
            return ImageData(str(self._hasher.hexdigest()), "jpeg")
        try:
            return _read_image_data(self.fd, self.size, self.like)
        except _BAD_INPUT as exc:
            return ImageData(None, "unknown", _why(exc))


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return str(exc)


def _read_image_data(fd: int, size: int, like: str | None = None) -> ImageData:
    head = os.pread(fd, 16, 0)
    if head[:2] == b"\xff\xd8":
        start = jpeg_scan_start(fd, size)
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm:
            end = mm.rfind(_EOI, start)  # from the end: instant where the EOI ends the file
            hasher = _new_hasher(like)
            hasher.update(memoryview(mm)[start : end + 2 if end >= 0 else size])
        return ImageData(str(hasher.hexdigest()), "jpeg")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"IIRO", b"IIU\x00", b"IIRS"):
        ranges = tiff_image_ranges(fd, size)
        if not ranges:
            return ImageData(None, "tiff", "no image strips or tiles in the TIFF structure")
        return ImageData(_hash_ranges(fd, ranges, like), "tiff")
    if head[:15] == b"FUJIFILMCCD-RAW":
        return _raf_image_data(fd, size, like)
    if head[4:8] in _BMFF_FIRST_BOXES:
        kind, ranges = bmff_image_ranges(fd, size)
        if not ranges:
            return ImageData(None, kind, "no image items or media data (mdat) found")
        return ImageData(_hash_ranges(fd, ranges, like), kind)
    return ImageData(
        None, "unknown", "not a JPEG, TIFF-based RAW or ISO media file (no image-data rule)"
    )


def _hash_ranges(fd: int, ranges: list[tuple[int, int]], like: str | None) -> str:
    hasher = _new_hasher(like)
    for start, length in ranges:
        done = 0
        while done < length:
            data = os.pread(fd, min(_READ, length - done), start + done)
            if not data:
                raise _Unreadable(f"the file ends inside its image data (at {start + done})")
            hasher.update(data)
            done += len(data)
    return str(hasher.hexdigest())


def _raf_image_data(fd: int, size: int, like: str | None) -> ImageData:
    """Fujifilm RAF: the CFA (raw sensor) block its header points to."""
    offset, length = struct.unpack(">II", _pread(fd, 8, 100))
    if not length or offset + length > size:
        return ImageData(None, "raf", "the RAF header points to no raw data")
    return ImageData(_hash_ranges(fd, [(offset, length)], like), "raf")


# --- TIFF ---------------------------------------------------------------------------------
_TYPE_SIZE = {1: 1, 3: 2, 4: 4, 13: 4, 16: 8}


def tiff_image_ranges(fd: int, size: int) -> list[tuple[int, int]]:
    """(offset, length) of every strip and tile, IFD chain first, then SubIFDs, in list order."""
    head = _pread(fd, 8, 0)
    end = "<" if head[:2] == b"II" else ">"
    first = struct.unpack(end + "I", head[4:8])[0]
    queue, seen = [first], set()
    ranges: list[tuple[int, int]] = []
    while queue and len(seen) < _MAX_IFDS:
        ifd = queue.pop(0)
        if ifd in seen or not 8 <= ifd < size:
            continue
        seen.add(ifd)
        tags, next_ifd = _read_ifd(fd, ifd, end, size)
        queue.append(next_ifd)
        queue.extend(tags.get(0x14A, []))  # SubIFDs
        for offs_tag, lens_tag in ((0x111, 0x117), (0x144, 0x145)):
            offs, lens = tags.get(offs_tag, []), tags.get(lens_tag, [])
            for off, length in zip(offs, lens, strict=False):
                if off + length > size:
                    raise _Unreadable("the image data runs past the end of the file (cut short?)")
                if length > 0:
                    ranges.append((off, length))
        if len(ranges) > _MAX_RANGES:
            raise _Unreadable("too many strips or tiles")
    return ranges


def _read_ifd(fd: int, ifd: int, end: str, size: int) -> tuple[dict[int, list[int]], int]:
    count = struct.unpack(end + "H", _pread(fd, 2, ifd))[0]
    raw = _pread(fd, count * 12 + 4, ifd + 2)
    tags: dict[int, list[int]] = {}
    for i in range(count):
        tag, typ, n = struct.unpack(end + "HHI", raw[i * 12 : i * 12 + 8])
        if tag not in (0x111, 0x117, 0x144, 0x145, 0x14A) or typ not in _TYPE_SIZE:
            continue
        width = _TYPE_SIZE[typ]
        if typ not in (3, 4, 13) or n > _MAX_RANGES:
            continue
        field = raw[i * 12 + 8 : i * 12 + 12]
        if n * width <= 4:
            data = field[: n * width]
        else:
            where = struct.unpack(end + "I", field)[0]
            if where + n * width > size:
                continue
            data = _pread(fd, n * width, where)
        fmt = "H" if width == 2 else "I"
        tags[tag] = list(struct.unpack(f"{end}{n}{fmt}", data))
    return tags, struct.unpack(end + "I", raw[count * 12 :])[0]


# --- ISO base media (HEIF, AVIF, MP4, MOV, CR3) -----------------------------------------------
def _boxes(fd: int, start: int, stop: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of the boxes in [start, stop)."""
    out = []
    pos = start
    while pos + 8 <= stop:
        size, typ = struct.unpack(">I4s", _pread(fd, 8, pos))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", _pread(fd, 8, pos + 8))[0]
            header = 16
        elif size == 0:
            size = stop - pos
        if size < header or pos + size > stop:
            raise _Unreadable(f"box {typ!r} at {pos} runs past its container")
        out.append((typ, pos + header, pos + size))
        pos += size
    return out


def bmff_image_ranges(fd: int, size: int) -> tuple[str, list[tuple[int, int]]]:
    top = _boxes(fd, 0, size)
    ftyp = next((b for b in top if b[0] == b"ftyp"), None)
    brand = _pread(fd, 4, ftyp[1]) if ftyp else b""
    meta = next((b for b in top if b[0] == b"meta"), None)
    if brand in _BMFF_ITEM_BRANDS and meta is not None:
        return "heif", _heif_item_ranges(fd, meta[1], meta[2])
    ranges = [(s, e - s) for typ, s, e in top if typ == b"mdat" and e > s]
    return "isomedia", ranges


def _heif_item_ranges(fd: int, start: int, stop: int) -> list[tuple[int, int]]:
    if stop - start > _MAX_META:
        raise _Unreadable("the HEIF meta box is implausibly large")
    children = {typ: (s, e) for typ, s, e in _boxes(fd, start + 4, stop)}  # FullBox header
    if b"iloc" not in children:
        raise _Unreadable("the HEIF file has no item locations (iloc)")
    types = _item_types(fd, *children[b"iinf"]) if b"iinf" in children else {}
    idat = children.get(b"idat", (0, 0))[0]
    s, e = children[b"iloc"]
    locations = _item_locations(_pread(fd, e - s, s), idat)
    ranges: list[tuple[int, int]] = []
    for item in sorted(locations):
        if types.get(item, b"") not in _NOT_IMAGE_ITEMS:
            ranges.extend(locations[item])
    return ranges


def _item_types(fd: int, start: int, stop: int) -> dict[int, bytes]:
    version = _pread(fd, 1, start)[0]
    first = start + 4 + (2 if version == 0 else 4)
    types = {}
    for typ, s, e in _boxes(fd, first, stop):
        if typ != b"infe" or e - s < 12:
            continue
        body = _pread(fd, min(e - s, 16), s)
        if body[0] == 2:
            types[struct.unpack(">H", body[4:6])[0]] = body[8:12]
        elif body[0] == 3:
            types[struct.unpack(">I", body[4:8])[0]] = body[10:14]
    return types


def _item_locations(data: bytes, idat: int) -> dict[int, list[tuple[int, int]]]:
    version = data[0]
    off_size, len_size = data[4] >> 4, data[4] & 15
    base_size, index_size = data[5] >> 4, (data[5] & 15 if version in (1, 2) else 0)
    pos = 6

    def take(width: int) -> int:
        nonlocal pos
        value = int.from_bytes(data[pos : pos + width], "big") if width else 0
        if pos + width > len(data):
            raise _Unreadable("the HEIF item locations (iloc) are cut short")
        pos += width
        return value

    count = take(4 if version == 2 else 2)
    items: dict[int, list[tuple[int, int]]] = {}
    for _ in range(count):
        item = take(4 if version == 2 else 2)
        method = take(2) & 15 if version in (1, 2) else 0
        take(2)  # data reference index
        base = take(base_size)
        extents = []
        for _ in range(take(2)):
            take(index_size)
            extents.append((base + take(off_size), take(len_size)))
        if method == 0:
            items[item] = extents
        elif method == 1 and idat:
            items[item] = [(idat + off, length) for off, length in extents]
    return items


# --- entry points -------------------------------------------------------------------------
def image_data(path: Path, like: str | None = None) -> ImageData:
    """The image-data hash of a file, or None with the reason; never raises. like: a stored
    image hash to compare with (a BLAKE3 one from before is recomputed as BLAKE3)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        return ImageData(None, "unknown", f"cannot read: {exc.strerror}")
    try:
        return _read_image_data(fd, os.fstat(fd).st_size, like)
    except _BAD_INPUT as exc:
        return ImageData(None, "unknown", _why(exc))
    finally:
        os.close(fd)


def image_data_hash(path: Path, like: str | None = None) -> str | None:
    """Hash of the image data alone; None where it cannot be told (image_data says why)."""
    return image_data(path, like).hash
