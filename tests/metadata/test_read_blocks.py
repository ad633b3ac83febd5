"""`show` never comes back empty because one block is bad: each of EXIF, IPTC and XMP is
read on its own, over the real-file corpus and over files with one block broken on purpose."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

from exiftool_dates import exiftool_times, expected_date
from harness import run_cli

from photoarchive.metadata.reading import read_metadata

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# Where `show` still reads less than exiftool, and why (kept short and honest).
KNOWN_GAPS = {"FotoStation.jpg": "IPTC kept in a FotoStation trailer"}
TEXT_TAGS = {
    "title": ("XMP-dc:Title", "IPTC:ObjectName", "IPTC2:ObjectName"),
    "caption": (
        "XMP-dc:Description",
        "IPTC:Caption-Abstract",
        "IPTC2:Caption-Abstract",
        "IFD0:ImageDescription",
    ),
}


def _exiftool_text(paths: list[Path]) -> dict[Path, dict[str, str]]:
    args = ["-XMP-dc:Title", "-IPTC:ObjectName", "-XMP-dc:Description", "-IPTC:Caption-Abstract"]
    out = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", *args, "-IFD0:ImageDescription", *map(str, paths)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    return {
        Path(d["SourceFile"]): {k: str(v) for k, v in d.items()} for d in json.loads(out.stdout)
    }


def test_show_reads_what_exiftool_reads_over_the_corpus(cli_env: dict[str, str]) -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".md")
    res = run_cli("show", "--json", *map(str, files), env=cli_env)
    docs = {Path(d["path"]): d for d in json.loads(res.stdout)}
    assert len(docs) == len(files)
    assert res.returncode == 0, [d for d in docs.values() if "error" in d]
    texts, times = _exiftool_text(files), exiftool_times(files)
    missing = []
    for path in files:
        doc = docs[path]
        if path.name in KNOWN_GAPS:
            continue
        for field, tags in TEXT_TAGS.items():
            if any(texts[path].get(t, "").strip() for t in tags) and not doc[field]:
                missing.append(f"{path.name}: no {field}")
        exp = expected_date(times[path])
        if exp is not None and not doc["capture_time"]:
            missing.append(f"{path.name}: no capture time ({exp.tag} {exp.when})")
        elif exp is not None and not exp.utc:
            assert doc["capture_time"][:10] == exp.when.date().isoformat(), path.name
    assert not missing, "\n".join(missing)


def _with_segment(data: bytes, signature: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    """The JPEG with the first segment whose payload starts with signature edited."""
    pos = 2
    while data[pos] == 0xFF and data[pos + 1] != 0xDA:
        (length,) = struct.unpack_from(">H", data, pos + 2)
        seg = data[pos + 4 : pos + 2 + length]
        if seg.startswith(signature):
            new = edit(seg)
            return (
                data[: pos + 2] + struct.pack(">H", len(new) + 2) + new + data[pos + 2 + length :]
            )
        pos += 2 + length
    raise AssertionError(f"no {signature!r} segment")


def test_a_duplicated_xmp_property_hides_nothing(tmp_path: Path) -> None:
    """exiv2 refuses the whole file (XMP Toolkit error 203); exiftool reads it all."""
    src = (CORPUS / "exiftool/PhotoMechanic.jpg").read_bytes()
    city = b"<photoshop:City>kingston</photoshop:City>"
    bad = _with_segment(src, b"http://ns.adobe.com/xap/", lambda s: s.replace(city, city * 2))
    p = tmp_path / "dup.jpg"
    p.write_bytes(bad)
    m = read_metadata(p)
    assert (m.title, m.caption) == ("Object Name", "Caption")
    assert m.capture_time is not None and m.capture_time.isoformat() == "2006-10-29T06:27:51-05:00"
    assert any("203" in w for w in m.warnings) and any(w.startswith("XMP read") for w in m.warnings)


def test_a_maker_note_exiv2_rejects_hides_nothing() -> None:
    """DNG.dng: 'Directory Canon with 16740 entries considered invalid' (exiv2, whole file)."""
    m = read_metadata(CORPUS / "exiftool/DNG.dng")
    assert m.capture_time is not None and m.capture_time.isoformat() == "2005-08-03T18:59:18"
    assert m.camera and "Canon" in m.camera
    assert any("considered invalid" in w for w in m.warnings)


def test_broken_exif_keeps_iptc_and_xmp(tmp_path: Path) -> None:
    src = (CORPUS / "exiftool/ExifTool.jpg").read_bytes()
    bad = _with_segment(src, b"Exif\x00\x00", lambda s: s[:6] + b"XX" + s[8:])  # no byte order
    p = tmp_path / "bad_exif.jpg"
    p.write_bytes(bad)
    m = read_metadata(p)
    assert m.title == "Test IPTC picture" and m.caption
    assert m.camera is None  # EXIF unreadable by anyone: what the rest says still shows


def test_windows_and_user_comment_captions_are_a_last_resort(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    p = tmp_path / "xp.jpg"
    shutil.copyfile(CORPUS / "exiftool/Writer.jpg", p)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-XPTitle=Ferien", "-XPComment=Am See", str(p)],
        check=True,
    )
    m = read_metadata(p)
    assert (m.title, m.caption) == ("Ferien", "Am See")
    assert "title taken from XPTitle (last resort)" in m.warnings
    assert "caption taken from XPComment (last resort)" in m.warnings
    res = run_cli("show", str(p), env=cli_env)
    assert res.returncode == 0 and "note:     caption taken from XPComment" in res.stdout
    # A real caption wins over both.
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP-dc:Description=Lake", str(p)])
    assert read_metadata(p).caption == "Lake"
