"""The Flatpak manifest cannot be built here (no flatpak-builder, no network): it parses, it
uses the PySide base app and the application id, and every file it names exists."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.photoarchive"


def test_flatpak_manifest_parses_and_names_only_existing_files() -> None:
    manifest = json.loads((PACKAGING / f"{APP_ID}.json").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert manifest["id"] == APP_ID
    assert manifest["base"] == "io.qt.PySide.BaseApp"
    assert manifest["base-version"] == manifest["runtime-version"]
    assert manifest["command"] in project["gui-scripts"]
    named: list[Path] = []
    for module in manifest["modules"]:
        for source in module.get("sources", []):
            assert source["type"] in ("file", "dir"), source
            path = (PACKAGING / source["path"]).resolve()
            assert path.exists(), source
            named.append(path)
        for command in module["build-commands"]:
            for size in re.findall(r"for s in ([\d ]+);", command) or [""]:
                for s in size.split() or [""]:
                    text = command.replace("${s}", s)
                    named += [ROOT / p for p in re.findall(r"(packaging/[\w./-]+\w)", text)]
    missing = [p for p in named if not p.exists()]
    assert not missing, missing
    assert ROOT in named  # the project itself is the app's source
    assert any(p.name.endswith(".metainfo.xml") for p in named)
    assert any(p.name == f"{APP_ID}.desktop" for p in named)
    # pip installs every dependency except PySide6, which the base app provides.
    reqs = (PACKAGING / "flatpak-requirements.txt").read_text().splitlines()
    listed = {re.split(r"[<>=\[]", r)[0].strip().lower() for r in reqs if r and r[0] != "#"}
    needed = {re.split(r"[<>=\[]", d)[0].strip().lower() for d in project["dependencies"]}
    assert needed - listed == {"pyside6-essentials"}, needed - listed
