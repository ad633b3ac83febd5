"""Tagging never changes a camera card."""

from __future__ import annotations

from pathlib import Path

from harness import tmpfs
from metadata.mdtools import camera_jpeg

from photoarchive.config import Settings
from photoarchive.importing.card_guard import ON_CARD, on_camera_card
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags


def _photo(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(camera_jpeg(seed))
    return path


def test_files_in_a_dcim_folder_are_refused_per_file(settings: Settings, tmp_path: Path) -> None:
    on_card = _photo(tmp_path / "card" / "dcim" / "100CANON" / "IMG_1.JPG", 1)
    elsewhere = _photo(tmp_path / "photos" / "IMG_2.JPG", 2)
    before = on_card.read_bytes()
    result = apply_tags(settings, [on_card, elsewhere], TagEdit(title="t"), workers=1)
    assert [(p.path, p.reason) for p in result.problems] == [(str(on_card), ON_CARD)]
    assert on_card.read_bytes() == before
    assert read_metadata(elsewhere).title == "t"


def test_a_file_beside_dcim_on_a_mounted_card_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "sdcard", size="2m") as card:
        (card / "DCIM").mkdir()
        loose = _photo(card / "MISC" / "copied.jpg", 3)
        before = loose.read_bytes()
        assert on_camera_card(loose)
        result = apply_tags(settings, [loose], TagEdit(title="t"), workers=1)
        assert [p.reason for p in result.problems] == [ON_CARD]
        assert loose.read_bytes() == before
        (card / "DCIM").rmdir()  # not a card any more: allowed
        assert apply_tags(settings, [loose], TagEdit(title="t"), workers=1).ok
