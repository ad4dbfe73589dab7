"""The main window: Practice, Interview, History, Review and Progress tabs, File → Export…,
Settings, model state and start-up notices."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import heap
from desktop_app.ui.compare_view import CompareDialog
from desktop_app.ui.due_watch import DueWatch
from desktop_app.ui.export_dialog import (
    BundleExporter,
    ExportDialog,
    FolderOpener,
    open_in_file_manager,
)
from desktop_app.ui.history_view import HistoryView
from desktop_app.ui.interview_view import InterviewView
from desktop_app.ui.models_watch import ModelsWatch
from desktop_app.ui.pipeline import NO_MODEL_HINT, Pipeline
from desktop_app.ui.practice_view import PracticeView
from desktop_app.ui.progress_view import ProgressView
from desktop_app.ui.review_view import ReviewView
from desktop_app.ui.rounds_list import RoundsList
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.versions_dialog import attach_versions
from desktop_app.ui.welcome import WelcomePanel
from desktop_app.ui.widgets import STYLE, Banner
from desktop_app.ui.workers import SpeechBridge

log = logging.getLogger(__name__)

# The smallest window in which nothing important clips, in Practice and in History
# (tests/ui/test_small_window.py checks it). 1366x768 laptops leave room around it.
MIN_SIZE = (860, 580)


class MainWindow(QMainWindow):
    """Rehearse's window. Built from a ``Services``; the model loads after the first show.

    Test hooks: ``pipeline`` (model state: ``pipeline.state`` in idle|loading|ready|missing),
    ``practice_view`` (see PracticeView), ``history_view`` (see HistoryView), ``review_view``
    (ReviewView; ``review(id)`` opens an attempt there), ``progress_view`` (ProgressView),
    ``interview_view`` (see InterviewView), ``rounds_list`` (History's rounds),
    ``open_round(id)``, ``due_watch`` (what is due, for the picker),
    ``tabs``, ``export_action`` / ``open_export()`` → the ExportDialog (``export_dialog``),
    ``compare(question_id, attempt_id)`` → the CompareDialog (``compare_dialog``),
    ``export_attempt(id, path=None)`` (a bundle; ``bundles`` is its BundleExporter),
    ``notice_banner``, ``welcome`` (the first-run panel, shown while no model is installed),
    ``model_label`` (status-bar text), ``settings_action``, ``open_settings()`` → the
    SettingsDialog (modal, returns at once; also ``settings_dialog``), ``speech``
    (SpeechBridge or None), ``player`` (Player or None).
    Signals (forwarded from the practice view): ``attempt_saved(id)``, ``attempt_scored(id)``.
    """

    attempt_saved = Signal(int)
    attempt_scored = Signal(int)
    _audio_stuck = Signal(str)  # from a player's reaper thread

    TAB_NAMES = ("&Practice", "&Interview", "&History", "&Review", "Pro&gress")

    def __init__(self, services: Any, *, load_model_on_show: bool = True,
                 open_folder: FolderOpener = open_in_file_manager) -> None:
        super().__init__()
        self.services = services
        self._open_folder = open_folder
        self.export_dialog: ExportDialog | None = None
        self.compare_dialog: CompareDialog | None = None
        self.setWindowTitle("Rehearse — interview practice")
        self.setMinimumSize(*MIN_SIZE)
        self.resize(1180, 800)
        self.setStyleSheet(STYLE)
        self._load_on_show = load_model_on_show
        self._shown = False
        self._closed = False
        self.settings_dialog: SettingsDialog | None = None
        self._model_notices: set[str] = set()
        self._audio_stuck.connect(lambda m: self.statusBar().showMessage(m, 15000))
        self.player, self.speech = self._make_audio_out()
        self.pipeline = Pipeline(services, self)

        self.practice_view = PracticeView(services, self.pipeline, self.speech, self.player)
        self.history_view = HistoryView(services, self.pipeline, self.player)
        self.interview_view = InterviewView(services, self.pipeline, self.speech)
        self.rounds_list = RoundsList(services)
        self.review_view = ReviewView(services, self.player)
        self.progress_view = ProgressView(services)
        self.bundles = BundleExporter(services, self)
        self.welcome = WelcomePanel(services, self.speech is not None)
        self.welcome.hide()
        self.welcome.model_installed.connect(self._on_model_installed)
        self.models_watch = ModelsWatch(services.paths.models, services.models, self)
        self.models_watch.changed.connect(self._on_models_changed)
        self.practice_view.set_welcome(self.welcome)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.practice_view, "Practice")
        self.tabs.addTab(self.interview_view, "Interview")
        self.history_view.add_section(self.rounds_list)
        self.tabs.addTab(self.history_view, "History")
        self.tabs.addTab(self.review_view, "Review")
        self.tabs.addTab(self.progress_view, "Progress")
        self.notice_banner = Banner()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(8, 6, 8, 0)
        lay.addWidget(self.notice_banner)
        lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.model_label = QLabel("Model not loaded yet")
        self.statusBar().addPermanentWidget(self.model_label)
        self._build_menu()
        self.practice_view.attempt_saved.connect(self._on_saved)
        self.practice_view.attempt_scored.connect(self.attempt_scored)
        self.interview_view.attempt_saved.connect(self._on_saved)
        self.due_watch = DueWatch(services.paths.database, services.settings.interview_date, self)
        self.due_watch.changed.connect(self.practice_view.picker.set_due)
        self.due_watch.changed.connect(self.interview_view.schedule_changed)
        self.practice_view.attempt_scored.connect(lambda _id: self.due_watch.refresh())
        self.interview_view.round_finished.connect(lambda _id: self.due_watch.refresh())
        self.interview_view.grade_changed.connect(lambda _id: self.due_watch.refresh())
        self.practice_view.grade_override.grade_changed.connect(
            lambda _id: self.due_watch.refresh())
        self.interview_view.round_finished.connect(lambda _id: self.rounds_list.refresh())
        self.rounds_list.round_opened.connect(self.open_round)
        self.practice_view.attempt_scored.connect(lambda _i: self.progress_view.mark_stale())
        self._connect_views()
        self.versions = attach_versions(services, self.pipeline, self.history_view,
                                        self.review_view)
        self.pipeline.model_state.connect(self._on_model_state)
        if services.notices:
            self.notice_banner.show_message("\n".join(services.notices), "info")

    # ---- construction ------------------------------------------------------------------------
    def _make_audio_out(self) -> tuple[Any, Any]:
        sd = self.services.sd
        if sd is None:
            return None, None
        s = self.services.settings
        try:
            from desktop_app.audio.player import Player
            from desktop_app.audio.speaker import Speaker

            stuck = self._audio_stuck.emit
            player = Player(sd, device=s.output_device, on_stuck=stuck)

            def factory(**callbacks: Any) -> Any:
                voice_out = Player(sd, device=s.output_device, on_stuck=stuck)
                return Speaker(self.services.tts_factory, voice_out, voice=s.voice,
                               rate=s.speech_rate, **callbacks)

            return player, SpeechBridge(factory)
        except Exception as exc:  # no speech engine: the app still works
            log.warning("speech unavailable: %s", exc)
            self.services.notices.append(f"Speech is unavailable: {exc}")
            return None, None

    def _connect_views(self) -> None:
        self.practice_view.review_requested.connect(self.review)
        self.history_view.review_requested.connect(self.review)
        self.history_view.attempt_deleted.connect(lambda _i: self.progress_view.mark_stale())
        self.review_view.compare_requested.connect(self.compare)
        self.review_view.export_requested.connect(self.export_attempt)
        for view in (self.review_view, self.progress_view):
            view.practise_requested.connect(self.practise)
        self.progress_view.export_requested.connect(self.open_export)
        self.bundles.done.connect(self._bundle_written)
        self.bundles.failed.connect(lambda m: self.notice_banner.show_message(m, "error"))
        self.tabs.currentChanged.connect(self._tab_changed)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.export_action = QAction("&Export report…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip("A progress report as PDF, CSV or JSON")
        self.export_action.triggered.connect(self.open_export)
        self.export_attempt_action = QAction("Export this &attempt (zip)…", self)
        self.export_attempt_action.triggered.connect(self._export_reviewed)
        menu.addAction(self.export_action)
        menu.addAction(self.export_attempt_action)
        menu.addSeparator()
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,"),
                                           QKeySequence(QKeySequence.StandardKey.Preferences)])
        self.settings_action.triggered.connect(self.open_settings)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu.addAction(self.settings_action)
        menu.addSeparator()
        menu.addAction(quit_action)
        view = self.menuBar().addMenu("&View")
        for i, name in enumerate(self.TAB_NAMES):
            act = QAction(name, self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _c=False, i=i: self.tabs.setCurrentIndex(i))
            view.addAction(act)
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.settings_action)
        self.toolbar.addAction(self.export_action)

    # ---- events ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            if self._load_on_show:
                # after the first paint, so the window is interactive at once
                QTimer.singleShot(0, self.load_model)
            QTimer.singleShot(0, lambda: heap.settle("window shown"))
            if not self.services.read_only:
                self.due_watch.refresh()
            if self.interview_view.has_unfinished:  # offer to resume or close it, up front
                self.tabs.setCurrentWidget(self.interview_view)
            for attempt_id in self.services.recovered:
                log.info("recovered attempt %s is in History", attempt_id)

    def load_model(self) -> None:
        """Load the configured model in the background (the window stays interactive)."""
        self.pipeline.load_model(self.services.settings.model)

    def _on_model_state(self, state: str, text: str) -> None:
        short = NO_MODEL_HINT if state == "missing" else text
        self.model_label.setText(short)
        self.model_label.setToolTip(text)
        self.model_label.setStyleSheet("color: #c63737;" if state == "missing" else "")
        none_installed = state == "missing" and not self._installed_models()
        if none_installed:  # the first run: a welcome, not an error
            self.welcome.refresh_needs()
            self.welcome.show()
        elif state == "missing" and text not in self._model_notices:
            self._model_notices.add(text)  # e.g. the chosen model was removed: once per text
            shown = self.notice_banner.text()
            self.notice_banner.show_message(f"{shown}\n{text}" if shown else text, "error")
        elif state == "ready":
            self.welcome.model_ready(self.pipeline.model_name)  # first run: advice, else hide
            if NO_MODEL_HINT in self.notice_banner.text():
                self.notice_banner.dismiss()

    def _installed_models(self) -> list[Any]:
        try:
            return self.services.models.list()
        except OSError:
            return []

    def _on_saved(self, attempt_id: int) -> None:
        self.history_view.refresh()
        self.progress_view.mark_stale()
        self.attempt_saved.emit(attempt_id)

    def open_round(self, round_id: int) -> None:
        """Show a stored round's report in the Interview tab."""
        if self.interview_view.show_round(round_id):
            self.tabs.setCurrentWidget(self.interview_view)

    # ---- review, progress, exports -----------------------------------------------------------
    def review(self, attempt_id: int) -> bool:
        """Open an attempt in the Review tab (from History, or straight after answering)."""
        self.tabs.setCurrentWidget(self.review_view)
        return self.review_view.open_attempt(attempt_id)

    def practise(self, question_id: str) -> None:
        """Go to Practice with this question ("" = as it is)."""
        self.tabs.setCurrentWidget(self.practice_view)
        if question_id:
            self.practice_view.picker.select(question_id)

    def compare(self, question_id: str, attempt_id: int) -> CompareDialog:
        """Every answer to ``question_id`` in a window of its own, ``attempt_id`` compared."""
        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(self.services, self)
        self.compare_dialog.view.load(question_id, attempt_id)
        self.compare_dialog.show()
        self.compare_dialog.raise_()
        return self.compare_dialog

    def open_export(self) -> ExportDialog:
        """File → Export…: the report dialog (non-blocking; returns it at once)."""
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.services, self, open_folder=self._open_folder,
                                              charts=self.progress_view.charts)
        self.export_dialog.show()
        self.export_dialog.raise_()
        return self.export_dialog

    def _export_reviewed(self) -> None:
        rec = self.review_view.record
        if rec is None:
            self.statusBar().showMessage("Open an attempt in Review (or from History) first.",
                                         6000)
            return
        self.export_attempt(rec.id)

    def export_attempt(self, attempt_id: int, path: Any = None) -> bool:
        """One attempt as a zip (asks where, unless ``path`` is given); written off the GUI
        thread, then its folder opens."""
        if attempt_id < 0:
            return False
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the attempt as", str(self.bundles.default_path(attempt_id)),
                "Zip files (*.zip)")
            if not chosen:
                return False
            path = chosen
        self.statusBar().showMessage(f"Writing {path}…")
        return self.bundles.export(attempt_id, Path(path))

    def _bundle_written(self, path: str, warnings: list) -> None:
        note = f" ({'; '.join(warnings)})" if warnings else ""
        self.statusBar().showMessage(f"Wrote {path}{note}", 15000)
        self._open_folder(Path(path).parent)

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is not self.review_view:
            self.review_view.pause()

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (modal: the window waits for OK or Cancel, but this call
        returns at once) and return it."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        dialog = SettingsDialog(self.services, self.speech, self)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.settings_saved.connect(self._apply_settings)
        dialog.model_installed.connect(self._on_model_installed)
        self.settings_dialog = dialog
        dialog.show()
        return dialog

    def _apply_settings(self, settings: Any) -> None:
        old_model = self.pipeline.model_name
        if self.speech is not None:
            self.speech.configure(settings.voice, settings.speech_rate)
            self.speech.speaker.set_output_device(settings.output_device)
        if self.player is not None:
            self.player.device = settings.output_device
        wanted = settings.model
        if self.pipeline.state != "ready" or (wanted and wanted != old_model):
            self.load_model()

    def _on_model_installed(self, info: Any) -> None:
        chosen = info.name == self.services.settings.model != self.pipeline.model_name
        if self.pipeline.state != "ready" or chosen:  # chosen: the first run's recommendation
            self.load_model()
        else:  # already the model in use
            self.welcome.model_ready(self.pipeline.model_name)

    def _on_models_changed(self, names: list[str]) -> None:
        """A model appeared from outside the window while none could be loaded: load it (on
        the first run the welcome then measures this computer with it, as after a download)."""
        if names and self.pipeline.state == "missing":
            self.welcome.found_installed(names[0])
            self.load_model()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self._closed:
            self._closed = True
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop speech and playback, finish a running recording, stop every worker thread."""
        self.review_view.stop()
        self.progress_view.charts.close()
        if self.speech is not None:
            self.speech.stop()
            self.speech.shutdown()
        if self.player is not None and not self.player.close(timeout=1.0):
            log.warning("a playback stream was still closing at shutdown; left behind")
        pv = self.practice_view
        self.interview_view.shutdown()
        result = self.pipeline.shutdown()
        if result is not None and pv.flow.busy:
            try:  # keep the interrupted answer as a saved recording (the flow stores it)
                pv.flow.recording_stopped(result)
            except Exception as exc:
                log.warning("could not save the interrupted recording: %s", exc)
