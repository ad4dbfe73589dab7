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
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import Settings
from desktop_app.transcription.catalogue import catalogue, recommended
from desktop_app.ui.model_job import ModelJob, ask_model_path
from desktop_app.ui.speed_panel import SpeedPanel

log = logging.getLogger(__name__)


def human_size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class SettingsDialog(QDialog):
    """Edits ``services.settings`` and saves them to ``paths.settings`` on OK.

    Modal. Test hooks: ``device_combo``, ``voice_combo`` (English voices: the questions are in
    English), ``rate_spin``, ``speak_check``, ``model_combo`` (size and speed of each),
    ``live_check``, ``download_button``, ``import_button``, ``apply()`` (save without closing),
    ``start_download(name)``, ``start_import(path)``, ``job_running``, ``message_label``,
    ``progress_bar`` (inline, under the model row).
    Signals: ``settings_saved(Settings)``, ``model_installed(ModelInfo)``.
    """

    settings_saved = Signal(object)
    model_installed = Signal(object)

    def __init__(self, services: Any, speech: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setModal(True)
        self.setMinimumWidth(560)
        self.services, self.speech = services, speech
        s: Settings = services.settings
        self._job = ModelJob(services.models, self)
        self._job.progress.connect(self._on_progress)
        self._job.finished.connect(self._on_job_done)
        self._job.failed.connect(self._on_job_failed)

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
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.model_hint = QLabel()
        self.model_hint.setWordWrap(True)
        self.model_hint.setStyleSheet("color: #627d98; font-size: 9pt;")
        self.model_combo.currentIndexChanged.connect(self._show_model_hint)
        self._show_model_hint()

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
        form.addRow("", self.model_hint)
        self.speed_panel = SpeedPanel(services)
        form.addRow("", self.speed_panel)
        form.addRow("", self.progress_bar)
        form.addRow("", self.live_check)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # grows, never squeezes
        lay.addLayout(form)
        lay.addWidget(self.message_label)
        lay.addStretch(1)
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
        self.voice_combo.setToolTip("Voices that can read English questions")
        self._select(self.voice_combo, wanted)

    def _fill_models(self, wanted: str | None) -> None:
        self.model_combo.clear()
        self.model_combo.addItem("Automatic (best installed)", None)
        try:
            models = self.services.models.list()
        except Exception as exc:
            models = []
            log.warning("listing models failed: %s", exc)
        known = catalogue()
        for m in models:
            shape = f", {m.shape}" if getattr(m, "shape", None) and m.shape != m.name else ""
            self.model_combo.addItem(f"{m.name} ({m.source}{shape}, {human_size(m.size_bytes)})",
                                     m.name)
            official = known.get(m.shape or m.name)
            if official is not None:
                self.model_combo.setItemData(self.model_combo.count() - 1, official.hint,
                                             Qt.ItemDataRole.ToolTipRole)
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

    @property
    def job_running(self) -> bool:
        return self._job.running

    def accept(self) -> None:
        if self.job_running:
            return
        if self.apply():
            super().accept()

    def reject(self) -> None:
        if not self.job_running:
            super().reject()

    def _show_model_hint(self) -> None:
        name = self.model_combo.currentData()
        installed = {m.name: m for m in self._installed()}
        info = installed.get(name) if name else None
        official = catalogue().get(info.shape or info.name) if info is not None else None
        if name is None:
            self.model_hint.setText("Uses the installed model that suits a laptop best "
                                    "(the smallest English one).")
        else:
            self.model_hint.setText(official.hint if official else "An imported model.")

    def _installed(self) -> list[Any]:
        try:
            return self.services.models.list()
        except OSError:
            return []

    # ---- model download / import (on a worker thread) ----------------------------------------
    def _ask_download(self) -> None:
        name = choose_official_model(self)
        if name:
            self.start_download(name)

    def _ask_import(self) -> None:
        path = ask_model_path(self)
        if path:
            self.start_import(path)

    def start_download(self, name: str) -> None:
        if self._job.download(name):
            self._busy(f"Downloading {name}…")

    def start_import(self, path: str) -> None:
        if self._job.import_path(path):
            self._busy(f"Importing {path}…")

    def _busy(self, text: str) -> None:
        self._set_enabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self._message(text, "#334e68")

    def _message(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self.adjustSize()  # a long message makes the dialog taller, never squeezes the rest

    def _on_progress(self, frac: float) -> None:
        if frac < 0:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(int(frac * 100))

    def _on_job_done(self, info: Any) -> None:
        self.progress_bar.hide()
        self._set_enabled(True)
        self._fill_models(info.name)
        self._message(f"Model {info.name} installed.", "#2f8132")
        self.model_installed.emit(info)

    def _on_job_failed(self, message: str) -> None:
        self.progress_bar.hide()
        self._set_enabled(True)
        self._message(message, "#c63737")

    def _set_enabled(self, on: bool) -> None:
        for w in (self.download_button, self.import_button, self.model_combo):
            w.setEnabled(on)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        if self.job_running:
            event.ignore()
            return
        super().closeEvent(event)


def choose_official_model(parent: QWidget) -> str | None:
    """A list of the official models with size and speed on a laptop; the chosen name."""
    box = QDialog(parent)
    box.setWindowTitle("Download a model")
    box.setMinimumWidth(560)
    listing = QListWidget()
    listing.setWordWrap(True)
    models = catalogue()
    best = recommended().name
    for m in models.values():
        label = f"{m.name}{'  — recommended' if m.name == best else ''}\n{m.hint}"
        if not m.keeps_up:
            label += "\nNot recommended on a laptop CPU: it cannot keep up while you talk."
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, m.name)
        listing.addItem(item)
        if m.name == best:
            listing.setCurrentItem(item)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Download")
    buttons.accepted.connect(box.accept)
    buttons.rejected.connect(box.reject)
    listing.itemDoubleClicked.connect(lambda _i: box.accept())
    intro = QLabel("Official Whisper models. The download needs internet; sizes are the "
                   "download; speed is measured (or estimated) on 2 CPU cores.")
    intro.setWordWrap(True)
    listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    lay = QVBoxLayout(box)
    lay.addWidget(intro)
    lay.addWidget(listing, 1)
    lay.addWidget(buttons)
    box.resize(620, 460)
    if box.exec() != QDialog.DialogCode.Accepted or listing.currentItem() is None:
        return None
    return str(listing.currentItem().data(Qt.ItemDataRole.UserRole))
