"""names.py: one reversible rule for names that are bytes (catalog, text, JSON, bucket)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from photoarchive import names
from photoarchive.catalog import Catalog, FileRecord

ODD = [
    b"IMG_\xff\xfe.JPG",
    b"IMG_new\nline.JPG",
    b"IMG_back\\slash.JPG",
    b"IMG_\\xff.JPG",  # a literal backslash-x-f-f: must not read back as the byte 0xff
    b"tab\there\r\x1b[31m.JPG",
    b"\xc2\x85c1\xe2\x80\xa8sep.JPG",
    b"100%\x85.JPG",
    "Großmutter 東京.JPG".encode(),
]


@pytest.mark.parametrize("raw", ODD)
def test_show_is_one_reversible_line(raw: bytes) -> None:
    name = os.fsdecode(raw)
    shown = names.show(name)
    assert shown.isprintable() or " " in shown
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    shown.encode("utf-8")  # printable anywhere
    assert names.unshow(shown) == name
    assert names.to_bytes(names.unshow(shown)) == raw


def test_ordinary_names_are_shown_as_they_are() -> None:
    for name in ("IMG_0001.JPG", "Großmutter 東京.JPG", "a b (1).jpg"):
        assert names.show(name) == name
        assert names.object_name(name) == name and not names.is_mapped(name)
    assert names.show(os.fsdecode(b"IMG_\xff\xfe.JPG")) == "IMG_\\xff\\xfe.JPG"
    assert names.show("a\nb") == "a\\nb"


@pytest.mark.parametrize("raw", ODD)
def test_object_names_are_valid_and_reversible(raw: bytes) -> None:
    name = os.fsdecode(raw)
    obj = names.object_name(name)
    obj.encode("utf-8")
    assert "\n" not in obj and "\r" not in obj
    if names.is_mapped(name):
        assert names.unmap_object(obj) == name
    else:
        assert obj == name


@pytest.mark.parametrize("raw", ODD)
def test_json_keeps_the_exact_bytes(raw: bytes) -> None:
    name = os.fsdecode(raw)
    text = json.dumps({"path": name})
    text.encode("ascii")
    assert os.fsencode(json.loads(text)["path"]) == raw


def test_catalog_stores_exact_bytes_and_keeps_utf8_rows_as_text(tmp_path: Path) -> None:
    recs = [
        FileRecord(
            f"2024-03-04/{os.fsdecode(raw)}",
            "2024-03-04",
            f"h{i}",
            i,
            i,
            source_path="/card/DCIM/" + os.fsdecode(raw),
        )
        for i, raw in enumerate(ODD)
    ]
    with Catalog(tmp_path / "c.sqlite") as cat:
        cat.add_files(recs)
        for rec in recs:
            got = cat.file(rec.path)
            assert got is not None and got.path == rec.path and got.source_path == rec.source_path
        assert sorted(r.path for r in cat.files("2024-03-04")) == sorted(r.path for r in recs)
        cat.update_content(recs[0].path, "new", 9, 9)
        assert cat.file(recs[0].path).hash == "new"  # type: ignore[union-attr]
        cat.mark_seen([("VOL", recs[0].source_path or "", 1, 2, "new")])
        assert ("/card/DCIM/" + os.fsdecode(ODD[0]), 1, 2) in cat.seen_hashes("VOL")
        kinds = dict(cat.conn.execute("SELECT path, typeof(path) FROM files").fetchall())
    assert kinds["2024-03-04/IMG_back\\slash.JPG"] == "text"
    assert kinds[b"2024-03-04/IMG_\xff\xfe.JPG"] == "blob"
