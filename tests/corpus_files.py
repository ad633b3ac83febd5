"""The regression corpus: small real files from exiftool's and exiv2's test suites.

`tests/corpus/SOURCES.md` says where each file comes from and under which licence.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCES = CORPUS / "SOURCES.md"


def corpus_files(*exts: str) -> list[Path]:
    """Corpus files, sorted; only those with one of `exts` (".jpg", ...) when given."""
    wanted = {e.lower() for e in exts}
    return sorted(
        p for p in CORPUS.glob("*/*") if p.is_file() and (not wanted or p.suffix.lower() in wanted)
    )


def corpus_id(path: Path) -> str:
    """'exiftool/Canon.jpg': a readable test id."""
    return f"{path.parent.name}/{path.name}"
