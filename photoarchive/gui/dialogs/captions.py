"""Captioning a week with the keyboard: one title for the whole week, then a caption per photo.

Enter saves the caption and moves to the next photo; an empty caption repeats the previous
one (a run of photos of the same scene); Page Up/Down move without changing anything. The
large preview is decoded on a worker. Nothing is written until "Save and close", which hands
the edits to the main window as one job (with progress and Cancel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from photoarchive.gui import actions
from photoarchive.gui.dialogs.preview import decode_for_screen
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.photo_model import Photo
from photoarchive.gui.worker import Job, JobRunner

PREVIEW_BOX = 900


class CaptionDialog(QDialog):
    finished_editing = Signal(object)  # {path: TagEdit}

    def __init__(
        self,
        photos: list[Photo],
        infos: list[PhotoInfo],
        runner: JobRunner,
        start: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.photos = photos
        self.infos = infos
        self.runner = runner
        self.setWindowTitle(f"Captions: week {photos[0].week}" if photos else "Captions")
        self.resize(1200, 720)
        form = load_form("caption", self)
        self.preview = child(form, QLabel, "previewLabel")
        self.title_edit = child(form, QLineEdit, "weekTitleEdit")
        self.position = child(form, QLabel, "positionLabel")
        self.file_label = child(form, QLabel, "fileLabel")
        self.caption_edit = child(form, QLineEdit, "captionEdit")
        self.saved_label = child(form, QLabel, "savedLabel")
        child(form, QPushButton, "applyTitleButton").clicked.connect(self.apply_title)
        child(form, QPushButton, "prevButton").clicked.connect(lambda: self.go(self.index - 1))
        child(form, QPushButton, "nextButton").clicked.connect(lambda: self.go(self.index + 1))
        child(form, QPushButton, "finishButton").clicked.connect(self.finish)
        child(form, QPushButton, "cancelButton").clicked.connect(self.reject)
        for button in form.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter belongs to the caption box, not to a button
            button.setDefault(False)
        self.caption_edit.returnPressed.connect(self.enter)
        self.caption_edit.installEventFilter(self)
        titles = {i.title for i in infos if i.title}
        self.title_edit.setText(titles.pop() if len(titles) == 1 else "")
        self.week_title: str | None = None
        self.captions: dict[int, str] = {}
        self.last_caption = ""
        self._preview_job: Job | None = None
        self.discard_ok = False
        self.confirm: QMessageBox | None = None
        self.index = -1
        self.go(max(0, min(start, len(photos) - 1)))
        self.caption_edit.setFocus()

    # --- navigation -----------------------------------------------------------------------
    def current_caption(self, i: int) -> str:
        return self.captions.get(i, self.infos[i].caption)

    def go(self, i: int) -> None:
        if not self.photos or not 0 <= i < len(self.photos):
            return
        self.index = i
        photo = self.photos[i]
        self.position.setText(f"Photo {i + 1} of {len(self.photos)}")
        self.file_label.setText(photo.name)
        self.caption_edit.setText(self.current_caption(i))
        self.caption_edit.selectAll()
        self.preview.setText("loading…")
        path = photo.path
        job = self.runner.run(
            f"Preview {photo.name}",
            lambda c, p: decode_for_screen(path, PREVIEW_BOX),
            visible=False,
        )
        job.succeeded.connect(lambda img, j=job: self._show_preview(j, img))
        job.failed.connect(lambda msg, j=job: self._preview_failed(j, msg))
        self._preview_job = job

    def _show_preview(self, job: Job, img: QImage) -> None:
        if job is not self._preview_job:
            return
        self.preview.setPixmap(
            QPixmap.fromImage(img).scaled(
                self.preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _preview_failed(self, job: Job, msg: str) -> None:
        if job is self._preview_job:
            self.preview.setText(msg)

    def enter(self) -> None:
        """Enter: keep this caption (empty = the previous one) and go to the next photo."""
        text = self.caption_edit.text().strip()
        if not text:
            text = self.last_caption
        if text and text != self.infos[self.index].caption:
            self.captions[self.index] = text
        elif text == self.infos[self.index].caption:
            self.captions.pop(self.index, None)
        if text:
            self.last_caption = text
        self._saved_note()
        if self.index + 1 < len(self.photos):
            self.go(self.index + 1)
        else:
            self.caption_edit.setText(text)
            self.position.setText(
                f"Photo {self.index + 1} of {len(self.photos)}: the last one. "
                "Press “Save and close”."
            )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.caption_edit and isinstance(event, QKeyEvent):
            key = event.key() if event.type() == QEvent.Type.KeyPress else None
            if key == Qt.Key.Key_PageDown:
                self.go(self.index + 1)
                return True
            if key == Qt.Key.Key_PageUp:
                self.go(self.index - 1)
                return True
        return super().eventFilter(obj, event)

    def apply_title(self) -> None:
        self.week_title = self.title_edit.text().strip()
        self._saved_note()
        self.caption_edit.setFocus()

    def _saved_note(self) -> None:
        parts = []
        if self.week_title is not None:
            parts.append(f"title “{self.week_title}” for all {len(self.photos)} photos")
        if self.captions:
            parts.append(f"{len(self.captions)} new caption(s)")
        self.saved_label.setText(("To save: " + ", ".join(parts)) if parts else "")

    # --- result ---------------------------------------------------------------------------
    def edits(self) -> dict[Path, Any]:
        out: dict[Path, Any] = {}
        for i, photo in enumerate(self.photos):
            title = self.week_title if self.week_title else None
            if title is not None and title == self.infos[i].title:
                title = None
            caption = self.captions.get(i)
            if title is not None or caption is not None:
                out[photo.path] = actions.caption_edit(title, caption)
        return out

    def pending(self) -> bool:
        text = self.caption_edit.text().strip()
        typed = bool(text) and text != self.current_caption(self.index)
        return typed or bool(self.edits())

    def reject(self) -> None:
        """Closing with unsaved captions asks first: typed work is never dropped silently."""
        if self.discard_ok or not self.pending():
            super().reject()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved captions",
            "Save the captions and title you typed before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.finished.connect(self._close_answer)
        self.confirm = box
        box.open()

    def _close_answer(self, answer: int) -> None:
        if answer == QMessageBox.StandardButton.Save:
            self.finish()
        elif answer == QMessageBox.StandardButton.Discard:
            self.discard_ok = True
            super().reject()

    def finish(self) -> None:
        """Enter's pending text counts too, then hand over the edits."""
        text = self.caption_edit.text().strip()
        if text and text != self.current_caption(self.index):
            self.captions[self.index] = text
        self.finished_editing.emit(self.edits())
        self.accept()
