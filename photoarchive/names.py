"""File names are bytes: the one rule for every path that leaves the file system.

On Linux a name is any bytes but `/` and NUL; FAT cards and old cameras write names that are not
valid UTF-8 (`IMG_\\xff\\xfe.JPG`), and any name may hold a newline, a tab or a backslash.
Inside the program a name is the `str` Python gives it (`os.fsdecode`: an undecodable byte XX
is the lone surrogate U+DCXX, PEP 383), which keeps the exact bytes. Where a name leaves:

- **Catalog** (`db_value` / `from_db`): TEXT when the name is valid UTF-8 (so every existing row
  stays as it was), otherwise a BLOB of the exact bytes (`os.fsencode`). SQLite compares a BLOB
  only with a BLOB, so the same `db_value` finds it again.
- **Human output, logs, manifests and other line-based text** (`show` / `unshow`): one line per
  name, readable and reversible: a backslash is doubled, control characters (newline, tab, ESC,
  DEL) become `\\n`, `\\t`, `\\xHH` (C1 controls and U+2028/9 `\\uHHHH`), and each byte
  that is not valid UTF-8 becomes `\\xHH` (HH >= 80).
  `unshow(show(n)) == n` for every name, and `show(n) == n` for every ordinary name.
- **JSON** (`json.dumps` with its default `ensure_ascii=True`): the name as text; an
  undecodable byte XX appears as `\\udcXX`, which Python's `json.loads` + `os.fsencode` turn
  back into the exact bytes. Never dump names with `ensure_ascii=False`.
- **Bucket object names** (`object_name` / `unmap_object`) must be valid UTF-8 without CR or LF:
  such a name is used as it is; in any other, `%` becomes `%25`, CR and LF `%0D` and `%0A`, and
  each undecodable byte `%HH` (reversible; `is_mapped` tells the sync plan to list the mapping,
  and the plan refuses a mapped name that collides with a real one).
"""

from __future__ import annotations

import os
import re

_SURROGATE_LO, _SURROGATE_HI = 0xDC80, 0xDCFF


def to_bytes(name: str) -> bytes:
    """The exact bytes of a name as the file system holds it."""
    return os.fsencode(name)


def from_bytes(raw: bytes) -> str:
    return os.fsdecode(raw)


def is_utf8(name: str) -> bool:
    """True when the name is valid UTF-8 (no undecodable bytes), as nearly every name is."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def db_value(name: str) -> str | bytes:
    """The value to store in (or compare with) a catalog column holding a path."""
    return name if is_utf8(name) else to_bytes(name)


def from_db(value: str | bytes | None) -> str | None:
    """A path read from the catalog (TEXT or BLOB) as the program's `str`."""
    if isinstance(value, bytes):
        return from_bytes(value)
    return value


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}


def _escape_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if _SURROGATE_LO <= code <= _SURROGATE_HI:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    # C1 controls, and the line and paragraph separators that end lines too
    return f"\\u{code:04x}"


_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029\udc80-\udcff]")


def show(name: str | os.PathLike[str]) -> str:
    """A readable, one-line, reversible form of a name for people, logs and text files."""
    text = os.fspath(name)
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _escape_char(m.group()), text)


_UNESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[ntr\\])")


def unshow(text: str) -> str:
    """The name `show` was given (exact bytes again)."""

    def back(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            value = int(code[1:], 16)
            return chr(0xDC00 + value) if value >= 0x80 else chr(value)
        if code[0] == "u":
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[code]

    return _UNESCAPE.sub(back, text)


def is_mapped(name: str) -> bool:
    """True when `object_name` changes this name (the sync plan lists these)."""
    return "\n" in name or "\r" in name or not is_utf8(name)


def object_name(name: str) -> str:
    """A bucket object name (valid UTF-8, no line break) for an archive-relative name."""
    if not is_mapped(name):
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if _SURROGATE_LO <= code <= _SURROGATE_HI:
            out.append(f"%{code - 0xDC00:02X}")
        elif ch in "%\r\n":
            out.append(f"%{code:02X}")
        else:
            out.append(ch)
    return "".join(out)


def unmap_object(object_text: str) -> str:
    """The local name an object name mapped by `object_name` stands for."""
    return from_bytes(
        re.sub(
            rb"%([0-9A-F]{2})",
            lambda m: bytes([int(m.group(1), 16)]),
            object_text.encode("utf-8"),
        )
    )


_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")


def one_line(text: str) -> str:
    """Free text (a reason, an error message) on one line: like `show`, backslashes kept."""
    if not _LINE_BREAKERS.search(text):
        return text
    return _LINE_BREAKERS.sub(lambda m: _escape_char(m.group()), text)
