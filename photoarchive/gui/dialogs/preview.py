"""A larger preview (double-click or Space), decoded on a worker at the size it is shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from photoarchive.gui.thumbcache import scaled_decode
from photoarchive.gui.worker import JobRunner


def decode_for_screen(path: Path, box: int) -> QImage:
    img = scaled_decode(path, box)
    if img is None:
        raise OSError(f"cannot decode {path.name}: not an image this program can show")
    return img


class PreviewDialog(QDialog):
    def __init__(self, path: Path, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(path.name)
        self.resize(1000, 760)
        self.label = QLabel("loading…", self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("background: #202124; color: #e8eaed;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.job = runner.run(
            f"Preview {path.name}", lambda c, p: decode_for_screen(path, 1600), visible=False
        )
        self.job.succeeded.connect(self._show)
        self.job.failed.connect(self.label.setText)

    def _show(self, img: QImage) -> None:
        pm = QPixmap.fromImage(img)
        self.label.setPixmap(
            pm.scaled(
                self.label.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Escape):
            self.close()
            return
        super().keyPressEvent(event)
