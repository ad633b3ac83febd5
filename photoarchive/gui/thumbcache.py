"""Thumbnails cached the freedesktop way, so file managers and viewers share them.

Spec: https://specifications.freedesktop.org/thumbnail-spec/ - the file is
`$XDG_CACHE_HOME/thumbnails/{normal,large}/MD5(URI).png` holding `Thumb::URI` and
`Thumb::MTime`; a thumbnail whose MTime differs from the file's is stale. Everything here runs
on worker threads with Pillow (HEIC/HEIF through pillow-heif, AVIF natively), which
releases the GIL while decoding (PySide6 does not: a
QImageReader decode in a thread froze the GUI thread for 300 ms); the result is a QImage
(thread-safe), turned into a QPixmap on the GUI thread.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import uuid
from pathlib import Path
from urllib.parse import quote

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)


def _register_heif() -> bool:
    """HEIC/HEIF (what phones take) through pillow-heif; Pillow itself reads AVIF (>= 11.3).
    Without pillow-heif those files get the placeholder and a logged reason, nothing worse."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        log.warning("pillow-heif is not installed: HEIC/HEIF photos show no thumbnail")
        return False
    register_heif_opener()
    return True


HEIF_OK = _register_heif()

NORMAL, LARGE = "normal", "large"
FLAVOR_SIZE = {NORMAL: 128, LARGE: 256}
SOFTWARE = "photoarchive"
PREVIEW_MIN_BYTES = 1_000_000  # below this a scaled decode is as fast as the embedded preview
_URI_SAFE = "/!$&'()*+,;=:@-._~"
ORIENTATION = 0x0112
_T = Image.Transpose
_TRANSPOSE = {
    2: _T.FLIP_LEFT_RIGHT,
    3: _T.ROTATE_180,
    4: _T.FLIP_TOP_BOTTOM,
    5: _T.TRANSPOSE,
    6: _T.ROTATE_270,
    7: _T.TRANSVERSE,
    8: _T.ROTATE_90,
}


def thumbnails_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "thumbnails"


def file_uri(path: Path) -> str:
    """The file URI as GLib writes it (so our MD5 names match other programs')."""
    return "file://" + quote(os.path.abspath(path), safe=_URI_SAFE)


def thumb_path(path: Path, flavor: str = NORMAL, root: Path | None = None) -> Path:
    digest = hashlib.md5(file_uri(path).encode()).hexdigest()
    return (root or thumbnails_root()) / flavor / f"{digest}.png"


def to_qimage(im: Image.Image) -> QImage:
    """A deep copy (Qt must not keep a pointer into Python bytes)."""
    rgb = im.convert("RGBA") if im.mode in ("RGBA", "LA", "P") else im.convert("RGB")
    fmt = QImage.Format.Format_RGBA8888 if rgb.mode == "RGBA" else QImage.Format.Format_RGB888
    data = rgb.tobytes("raw", rgb.mode)
    width = rgb.width * (4 if rgb.mode == "RGBA" else 3)
    return QImage(data, rgb.width, rgb.height, width, fmt).copy()


def read_cached(path: Path, mtime: int, flavor: str = NORMAL) -> QImage | None:
    """The cached thumbnail if it exists and is for this version of the file."""
    tp = thumb_path(path, flavor)
    try:
        with Image.open(tp) as im:
            text = getattr(im, "text", {})
            if text.get("Thumb::URI") != file_uri(path) or text.get("Thumb::MTime") != str(mtime):
                return None
            im.load()
            return to_qimage(im)
    except (OSError, ValueError, SyntaxError):  # missing or damaged: make a new one
        return None


def write_cached(path: Path, im: Image.Image, mtime: int, size: int, flavor: str = NORMAL) -> Path:
    """Write via a temp name and rename, as the spec asks (readers never see half a PNG)."""
    tp = thumb_path(path, flavor)
    tp.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = PngInfo()
    info.add_text("Thumb::URI", file_uri(path))
    info.add_text("Thumb::MTime", str(mtime))
    info.add_text("Thumb::Size", str(size))
    info.add_text("Software", SOFTWARE)
    tmp = tp.with_name(f".{tp.stem}.{uuid.uuid4().hex[:8]}.png")
    try:
        with open(tmp, "wb") as fh:
            im.save(fh, "PNG", pnginfo=info)
        os.chmod(tmp, 0o600)
        os.replace(tmp, tp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tp


def _orientation(path: Path) -> int:
    try:
        with Image.open(path) as im:
            return int(im.getexif().get(ORIENTATION, 1))
    except (OSError, ValueError, SyntaxError):
        return 1


def _oriented(im: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return im.transpose(method) if method is not None else im


def _embedded_preview(path: Path, box: int) -> Image.Image | None:
    from photoarchive.gui.meta_reader import shared_reader

    try:  # exiv2 finds the preview, in a helper process (it holds the GIL, and may crash)
        data = shared_reader().read_preview(path, min_width=box)
    except Exception as exc:  # a broken preview is no reason to fail: decode instead
        log.debug("no embedded preview in %s: %s", path, exc)
        return None
    if not data:
        return None
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except (OSError, ValueError, SyntaxError):
        return None
    return _oriented(im, _orientation(path))  # the preview shares the main image's orientation


def scaled_image(path: Path, box: int) -> Image.Image | None:
    """Decode only as many pixels as needed (JPEG: DCT scaling); Pillow releases the GIL
    while decoding, so this does not stall the GUI thread the way QImageReader does."""
    try:
        with Image.open(path) as im:
            im.draft("RGB", (box, box))
            orientation = int(im.getexif().get(ORIENTATION, 1))
            im.thumbnail((box, box), Image.Resampling.BILINEAR)
            out = _oriented(im, orientation)
            out.load()
            return out
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        log.info("cannot decode %s: %s", path, exc)
        return None


def scaled_decode(path: Path, box: int) -> QImage | None:
    im = scaled_image(path, box)
    return None if im is None else to_qimage(im)


def make_thumbnail(path: Path, box: int, size_bytes: int) -> Image.Image | None:
    im = _embedded_preview(path, box) if size_bytes >= PREVIEW_MIN_BYTES else None
    if im is None:
        im = scaled_image(path, box)
    if im is None:
        return None
    if im.width > box or im.height > box:
        im.thumbnail((box, box), Image.Resampling.BILINEAR)
    return im


def thumbnail(path: Path, flavor: str = NORMAL) -> QImage | None:
    """Cached or freshly made thumbnail; None when the file cannot be decoded."""
    st = os.stat(path)
    mtime = int(st.st_mtime)
    cached = read_cached(path, mtime, flavor)
    if cached is not None:
        return cached
    im = make_thumbnail(path, FLAVOR_SIZE[flavor], st.st_size)
    if im is None:
        return None
    try:
        write_cached(path, im, mtime, st.st_size, flavor)
    except OSError as exc:  # a read-only cache must not stop browsing
        log.warning("cannot cache thumbnail of %s: %s", path, exc)
    return to_qimage(im)
