"""The GUI panel reads through the same core reader as `show`, in its helper process: a file
exiv2 refuses as a whole (a maker-note directory it calls invalid) still shows its date and
camera, and a file with a duplicated XMP property its title and caption."""

from __future__ import annotations

from pathlib import Path

from photoarchive.gui.meta_reader import MetaReader

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "exiftool"


def test_panel_shows_what_the_good_blocks_say(tmp_path: Path) -> None:
    reader = MetaReader(workers=1)
    try:
        dng = reader.read_info(CORPUS / "DNG.dng")
        assert not dng.unreadable
        assert dng.capture_time == "2005-08-03 18:59:18" and "Canon" in dng.camera
        crw = reader.read_info(CORPUS / "CanonRaw.crw")  # XMP exiv2 does not see in CRW
        assert crw.caption == "CRW with embedded XMP"
        mov = reader.read_info(CORPUS / "QuickTime.mov")  # container date, no ftyp box
        assert not mov.unreadable and mov.capture_time
    finally:
        reader.close()
