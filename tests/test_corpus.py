"""The regression corpus stays small and every file in it says where it comes from."""

from __future__ import annotations

import re

from corpus_files import SOURCES, corpus_files, corpus_id


def test_every_corpus_file_is_listed_with_its_size_and_is_small() -> None:
    listed = {
        m[1]: int(m[2])
        for m in re.finditer(r"^\| ((?:exiftool|exiv2)/\S+) \| (\d+) \|", SOURCES.read_text(), re.M)
    }
    files = corpus_files()
    assert len(files) >= 60
    assert {corpus_id(p): p.stat().st_size for p in files} == listed
    assert all(size < 200_000 for size in listed.values())
    assert sum(listed.values()) < 3_000_000
    # the makers and formats the metadata rules are checked on
    names = " ".join(listed)
    for needed in ("Canon", "OlympusE1", "Nikon.nef", "Ricoh", "Sanyo", "FLIR", "JVC", "Casio"):
        assert needed in names
    exts = {p.suffix.lower() for p in files}
    for ext in (".jpg", ".tif", ".dng", ".cr2", ".nef", ".psd", ".jp2", ".jxl", ".gif", ".crw"):
        assert ext in exts
    assert {".png", ".webp", ".heic"} <= exts
