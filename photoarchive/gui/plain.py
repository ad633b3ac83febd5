"""File names and messages shown literally.

Qt guesses rich text: a label or tool tip whose text looks like HTML is rendered as HTML, so a
file named `<b>x</b>.jpg` would show as a bold "x.jpg" (names are bytes: any of them can
exist). Labels that show names are set to plain text; tool tips, which have no such switch,
get the text as escaped HTML.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def tip(text: str) -> str:
    """A tool tip that shows `text` as it is (spaces and line breaks kept)."""
    if not text:
        return ""
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f'<p style="white-space:pre">{escaped}</p>'


def plain_labels(*labels: QLabel) -> None:
    """These labels show their text literally, never as HTML."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)
