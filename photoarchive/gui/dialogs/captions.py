"""Captioning a week with the keyboard: one title for the whole week, then a caption per photo.

Enter saves the caption and moves to the next photo; Enter on an empty box keeps the photo's
own caption (skipping a photo never gives it someone else's words); Ctrl+D gives the photo the
previous caption (a run of photos of the same scene); Page Up/Down move without changing
anything. The week title in its box goes into every photo on Save unless the user cleared it;
the footer always says what Save will write. The large preview is decoded on a worker. Nothing
is written until "Save and close", which hands the edits to the main window as one job (with
progress and Cancel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from photoarchive.gui import actions
from photoarchive.gui.dialogs.preview import decode_for_screen
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.photo_model import Photo
from photoarchive.gui.plain import plain_labels
from photoarchive.gui.worker import Job, JobRunner
from photoarchive.jobs import plural

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
        plain_labels(self.file_label)
        self.caption_edit = child(form, QLineEdit, "captionEdit")
        self.saved_label = child(form, QLabel, "savedLabel")
        self.repeat_button = child(form, QPushButton, "repeatButton")
        self.repeat_button.clicked.connect(self.repeat_previous)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.repeat_previous)
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
        self.title_edit.textChanged.connect(self._saved_note)
        self.captions: dict[int, str] = {}
        self.last_caption = ""
        self._preview_job: Job | None = None
        self.discard_ok = False
        self.confirm: QMessageBox | None = None
        self.index = -1
        self.go(max(0, min(start, len(photos) - 1)))
        self._saved_note()
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
        """Enter: keep this caption (empty = the photo's own, unchanged) and go to the next."""
        self._keep(self.caption_edit.text().strip() or self.current_caption(self.index))

    def repeat_previous(self) -> None:
        """Ctrl+D: this photo gets the previous photo's caption (else the last one kept)."""
        previous = self.current_caption(self.index - 1) if self.index > 0 else ""
        previous = previous or self.last_caption
        if previous:
            self._keep(previous)

    def _keep(self, text: str) -> None:
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
            self.caption_edit.setText(self.current_caption(self.index))
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
            if key == Qt.Key.Key_D and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
                self.repeat_previous()  # before QLineEdit's own Ctrl+D (delete) takes it
                return True
        return super().eventFilter(obj, event)

    @property
    def week_title(self) -> str | None:
        """The title Save writes into every photo; None when the box was cleared."""
        return self.title_edit.text().strip() or None

    def _title_changes(self) -> int:
        title = self.week_title
        return 0 if title is None else sum(1 for i in self.infos if i.title != title)

    def _saved_note(self) -> None:
        parts = []
        titled = self._title_changes()
        if titled:
            parts.append(f"title “{self.week_title}” for {plural(titled, 'photo')}")
        if self.captions:
            parts.append(plural(len(self.captions), "new caption"))
        self.saved_label.setText(("Save will write: " + ", ".join(parts)) if parts else "")

    # --- result ---------------------------------------------------------------------------
    def edits(self) -> dict[Path, Any]:
        out: dict[Path, Any] = {}
        for i, photo in enumerate(self.photos):
            title = self.week_title
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
