"""Thumbnails cached the freedesktop way, so file managers and viewers share them.

Spec: https://specifications.freedesktop.org/thumbnail-spec/ - the file is
`$XDG_CACHE_HOME/thumbnails/{normal,large}/MD5(URI).png` holding `Thumb::URI` and
`Thumb::MTime`; a thumbnail whose MTime differs from the file's is stale. Everything here runs
on worker threads (QImage is thread-safe, QPixmap is not).
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader, QTransform

log = logging.getLogger(__name__)

NORMAL, LARGE = "normal", "large"
FLAVOR_SIZE = {NORMAL: 128, LARGE: 256}
SOFTWARE = "photoarchive"
PREVIEW_MIN_BYTES = 1_000_000  # below this a scaled decode is as fast as the embedded preview
_URI_SAFE = "/!$&'()*+,;=:@-._~"


def thumbnails_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "thumbnails"


def file_uri(path: Path) -> str:
    """The file URI as GLib writes it (so our MD5 names match other programs')."""
    return "file://" + quote(os.path.abspath(path), safe=_URI_SAFE)


def thumb_path(path: Path, flavor: str = NORMAL, root: Path | None = None) -> Path:
    digest = hashlib.md5(file_uri(path).encode()).hexdigest()
    return (root or thumbnails_root()) / flavor / f"{digest}.png"


def read_cached(path: Path, mtime: int, flavor: str = NORMAL) -> QImage | None:
    """The cached thumbnail if it exists and is for this version of the file."""
    tp = thumb_path(path, flavor)
    if not tp.exists():
        return None
    img = QImage(str(tp))
    if img.isNull():
        return None
    if img.text("Thumb::URI") != file_uri(path) or img.text("Thumb::MTime") != str(mtime):
        return None
    return img


def write_cached(path: Path, img: QImage, mtime: int, size: int, flavor: str = NORMAL) -> Path:
    """Write via a temp name and rename, as the spec asks (readers never see half a PNG)."""
    tp = thumb_path(path, flavor)
    tp.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = img.copy()
    out.setText("Thumb::URI", file_uri(path))
    out.setText("Thumb::MTime", str(mtime))
    out.setText("Thumb::Size", str(size))
    out.setText("Software", SOFTWARE)
    tmp = tp.with_name(f".{tp.stem}.{uuid.uuid4().hex[:8]}.png")
    if not out.save(str(tmp), "PNG"):
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write thumbnail {tp}")
    os.chmod(tmp, 0o600)
    os.replace(tmp, tp)
    return tp


def _apply_orientation(img: QImage, orient: QImageIOHandler.Transformation) -> QImage:
    """Orientation as QImageReader applies it (for embedded previews that lack their own)."""
    value = int(orient.value) if hasattr(orient, "value") else int(orient)
    if value == 0:
        return img
    if value == 7:
        return img.transformed(QTransform().rotate(270))
    img = img.mirrored(bool(value & 1), bool(value & 2))
    if value & 4:
        img = img.transformed(QTransform().rotate(90))
    return img


def _embedded_preview(path: Path, box: int) -> QImage | None:
    try:
        from photoarchive.metadata import read_preview
    except ImportError:
        return None
    try:
        data = read_preview(path, min_width=box)
    except Exception as exc:  # a broken preview is no reason to fail: decode instead
        log.debug("no embedded preview in %s: %s", path, exc)
        return None
    if not data:
        return None
    img = QImage.fromData(data)
    if img.isNull():
        return None
    reader = QImageReader(str(path))
    return _apply_orientation(img, reader.transformation())


def scaled_decode(path: Path, box: int) -> QImage | None:
    """Decode only as many pixels as needed (libjpeg scales by 1/2..1/8 while decoding)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and (full.width() > box or full.height() > box):
        reader.setScaledSize(full.scaled(QSize(box, box), Qt.AspectRatioMode.KeepAspectRatio))
    img = reader.read()
    if img.isNull():
        return None
    return img


def make_thumbnail(path: Path, box: int, size_bytes: int) -> QImage | None:
    img = _embedded_preview(path, box) if size_bytes >= PREVIEW_MIN_BYTES else None
    if img is None:
        img = scaled_decode(path, box)
    if img is None:
        return None
    if img.width() > box or img.height() > box:
        img = img.scaled(
            box, box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return img


def thumbnail(path: Path, flavor: str = NORMAL) -> QImage | None:
    """Cached or freshly made thumbnail; None when the file cannot be decoded."""
    st = os.stat(path)
    mtime = int(st.st_mtime)
    cached = read_cached(path, mtime, flavor)
    if cached is not None:
        return cached
    img = make_thumbnail(path, FLAVOR_SIZE[flavor], st.st_size)
    if img is None:
        return None
    try:
        write_cached(path, img, mtime, st.st_size, flavor)
    except OSError as exc:  # a read-only cache must not stop browsing
        log.warning("cannot cache thumbnail of %s: %s", path, exc)
    return img
