"""The layout: metadata.exiv2 stays the one door to pyexiv2 and small enough to read; every
capability folder says what it holds and may import; no module grows past 400 lines. (The
import directions themselves are import-linter contracts in pyproject.toml, checked by
`make test`.)"""

from __future__ import annotations

import re
from pathlib import Path

import photoarchive

PACKAGE = Path(photoarchive.__file__).parent
FOLDERS = ("importing", "metadata", "cloud", "flickr", "durability", "cli", "gui", "gui/dialogs")


def test_only_metadata_exiv2_imports_pyexiv2_and_it_stays_small() -> None:
    importers = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import pyexiv2|from pyexiv2\b)", p.read_text("utf-8"), re.M)
    )
    assert importers == ["metadata/exiv2.py"]
    assert len((PACKAGE / "metadata" / "exiv2.py").read_text("utf-8").splitlines()) <= 400


def test_every_folder_says_what_it_holds_and_may_import() -> None:
    for folder in FOLDERS:
        init = PACKAGE / folder / "__init__.py"
        doc = init.read_text("utf-8")
        assert doc.startswith('"""'), folder
        if folder != "gui/dialogs":  # dialogs follow the gui package's rule
            assert "May import" in doc, folder


def test_every_module_is_at_most_400_lines() -> None:
    """The rule is 100-400 lines, named for what they hold: split rather than grow past 400.
    (The generated Qt resource module is not read by people.)"""
    too_long = {
        str(p.relative_to(PACKAGE)): n
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).as_posix() != "gui/resources_rc.py"
        and (n := len(p.read_text("utf-8").splitlines())) > 400
    }
    assert too_long == {}
