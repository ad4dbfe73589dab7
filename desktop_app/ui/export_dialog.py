"""File → Export…: a progress report (PDF, CSV or JSON) for a period and competencies, and one
attempt as a bundle (zip).

The file is written on a worker thread with its own read-only connection (``write_report``,
``write_bundle``: a temporary file moved into place, so it never half-succeeds); the dialog
shows how far it got, and when it is done the folder opens (``open_folder``, by default the
desktop's file manager through QDesktopServices). A full disk or a folder that cannot be written
is said in the dialog, which stays open with every choice kept, so another folder can be picked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.reports.atomic import ExportError
from desktop_app.reports.chart_process import ChartDrawer
from desktop_app.storage.progress import ProgressFilter
from desktop_app.ui.tasks import Tasks

FolderOpener = Callable[[Path], object]
PRESETS = (("Last 4 weeks", 28), ("Last 3 months", 91), ("Last 12 months", 365),
           ("All time", None), ("Custom dates", -1))
FORMATS = (("PDF report (for a coach)", "pdf"), ("CSV (one row per attempt, for a spreadsheet)",
                                                 "csv"), ("JSON (everything, lossless)", "json"))


def open_in_file_manager(folder: Path) -> object:
    """Show ``folder`` in the desktop's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def default_folder() -> Path:
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def failure_text(exc: BaseException) -> str:
    """What the dialog says when writing failed (the ExportError's own words when it has them)."""
    if isinstance(exc, (ExportError, ValueError)):
        return str(exc)
    return f"Could not write the file: {exc}. Nothing was written."


class ExportDialog(QDialog):
    """Test hooks: ``preset_combo``, ``since_edit``/``until_edit`` (QDateEdit),
    ``competency_list`` (checkable items), ``format_combo``, ``pages_check``, ``path_edit``,
    ``open_check``, ``export_button``, ``progress_bar``, ``status_label``, ``request()``
    (the ReportRequest the choices make), ``export()``, ``written`` (the last Written).
    Signals: ``finished_export(path)`` and ``export_failed(message)``.
    """

    finished_export = Signal(str)
    export_failed = Signal(str)

    def __init__(self, services: Any, parent: QWidget | None = None, *,
                 open_folder: FolderOpener = open_in_file_manager,
                 competencies: tuple[str, ...] = (), charts: ChartDrawer | None = None) -> None:
        super().__init__(parent)
        self.services, self._open_folder = services, open_folder
        self.charts = charts  # the window's chart process (None: drawn on the export thread)
        self.written: Any = None
        self._token = 0
        self.setWindowTitle("Export progress report — Rehearse")
        self.setMinimumWidth(560)
        self.tasks = Tasks(self)
        self.tasks.done.connect(self._done)
        self.tasks.failed.connect(self._failed)
        self.tasks.progress.connect(self._progress)

        self.preset_combo = QComboBox()
        for text, days in PRESETS:
            self.preset_combo.addItem(text, days)
        today = QDate.currentDate()
        self.since_edit, self.until_edit = QDateEdit(today.addDays(-27)), QDateEdit(today)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._dates_edited)
        dates = QHBoxLayout()
        dates.addWidget(self.preset_combo)
        # the dates a preset means; "All time" has none to show
        self._range_widgets = (QLabel("from"), self.since_edit, QLabel("to"), self.until_edit)
        for w in self._range_widgets:
            dates.addWidget(w)
        dates.addStretch(1)
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)

        self.competency_list = QListWidget()
        self.competency_list.setMaximumHeight(150)
        for name in services.bank.competencies():
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = not competencies or name in competencies
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.competency_list.addItem(item)
        self.format_combo = QComboBox()
        for text, fmt in FORMATS:
            self.format_combo.addItem(text, fmt)
        self.format_combo.currentIndexChanged.connect(self._format_chosen)
        self.pages_check = QCheckBox("One page per attempt (question, transcript with STAR "
                                     "parts, scores, tips, your note)")
        self.path_edit = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.open_check = QCheckBox("Open the folder when done")
        self.open_check.setChecked(True)

        form = QFormLayout()
        form.addRow("Period", dates)
        form.addRow("Competencies", self.competency_list)
        form.addRow("Format", self.format_combo)
        form.addRow("", self.pages_check)
        form.addRow("Save as", where)
        form.addRow("", self.open_check)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("primaryButton")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress_bar)
        lay.addWidget(self.status_label)
        lay.addLayout(buttons)
        self.preset_combo.setCurrentIndex(len(PRESETS) - 2)  # all time
        self._preset_chosen()
        self._format_chosen()

    # ---- choices ----------------------------------------------------------------------------
    def _preset_chosen(self) -> None:
        days = self.preset_combo.currentData()
        custom = days == -1
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(custom)
        for w in self._range_widgets:
            w.setVisible(days is not None)
        if days and days > 0:
            today = QDate.currentDate()
            for edit, value in ((self.since_edit, today.addDays(1 - days)),
                                (self.until_edit, today)):
                edit.blockSignals(True)
                edit.setDate(value)
                edit.blockSignals(False)

    def _dates_edited(self) -> None:
        if self.preset_combo.currentData() != -1:
            self.preset_combo.setCurrentIndex(len(PRESETS) - 1)

    def _format_chosen(self) -> None:
        fmt = self.format_combo.currentData()
        self.pages_check.setEnabled(fmt == "pdf")
        current = self.path_edit.text().strip()
        if not current:
            name = f"Rehearse progress {date.today().isoformat()}.{fmt}"
            self.path_edit.setText(str(default_folder() / name))
        else:
            self.path_edit.setText(str(Path(current).with_suffix(f".{fmt}")))

    def _browse(self) -> None:
        fmt = self.format_combo.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Save the report as", self.path_edit.text(),
                                              f"{fmt.upper()} files (*.{fmt})")
        if path:
            self.path_edit.setText(path if Path(path).suffix else f"{path}.{fmt}")

    def chosen_competencies(self) -> tuple[str, ...]:
        """The ticked competencies; () when all are ticked (attempts in packs' own count too)."""
        items = [self.competency_list.item(i) for i in range(self.competency_list.count())]
        ticked = tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)
        return () if len(ticked) == len(items) else ticked

    def period(self) -> tuple[date | None, date | None]:
        days = self.preset_combo.currentData()
        if days is None:
            return None, None
        if days == -1:
            return self.since_edit.date().toPython(), self.until_edit.date().toPython()
        today = date.today()
        return today - timedelta(days=days - 1), today

    def request(self) -> Any:
        """The ReportRequest the choices make; ValueError says what to change."""
        from desktop_app.reports.writer import ReportRequest

        since, until = self.period()
        if since and until and since > until:
            raise ValueError(f"The period starts ({since}) after it ends ({until}).")
        if self.competency_list.count() and not any(
                self.competency_list.item(i).checkState() == Qt.CheckState.Checked
                for i in range(self.competency_list.count())):
            raise ValueError("Tick at least one competency.")
        text = self.path_edit.text().strip()
        if not text:
            raise ValueError("Choose where to save the report.")
        f = ProgressFilter(since=since, until=until, competencies=self.chosen_competencies())
        fmt = self.format_combo.currentData()
        return ReportRequest(f, fmt, Path(text).expanduser(),
                             attempt_pages=fmt == "pdf" and self.pages_check.isChecked())

    # ---- writing ----------------------------------------------------------------------------
    def export(self) -> None:
        """Start writing (off the GUI thread); the dialog shows progress, then the result."""
        try:
            request = self.request()
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._token += 1
        paths, bank = self.services.paths, self.services.bank
        token, db, drawer = self._token, paths.database, self.charts
        self.export_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self._say("Starting…")

        def work(step: Callable[[float, str], None]) -> Any:
            from desktop_app.practice.attempts import AttemptService
            from desktop_app.reports.writer import write_report
            from desktop_app.storage.repository import Repository

            with Repository.reader(db) as repo:
                return write_report(AttemptService(repo, paths), bank, request, progress=step,
                                    drawer=drawer)

        self.tasks.start(token, work, with_progress=True)

    def _progress(self, token: object, fraction: float, what: str) -> None:
        if token == self._token:
            self.progress_bar.setValue(int(fraction * 100))
            self._say(what)

    def _done(self, token: object, written: Any) -> None:
        if token != self._token:
            return
        self.written = written
        self.export_button.setEnabled(True)
        self.progress_bar.setValue(100)
        self._say(f"Wrote {written.path} ({written.summary}).")
        if self.open_check.isChecked():
            self._open_folder(Path(written.path).parent)
        self.finished_export.emit(str(written.path))

    def _failed(self, token: object, exc: BaseException) -> None:
        if token != self._token:
            return
        self.export_button.setEnabled(True)
        self.progress_bar.hide()
        message = failure_text(exc)
        self._say(message, error=True)
        self.export_failed.emit(message)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c63737;" if error else "")


class BundleExporter(QObject):
    """Writes one attempt's bundle (zip) on a worker thread. Signals ``done(path, warnings)``
    and ``failed(message)``."""

    done = Signal(str, list)
    failed = Signal(str)

    def __init__(self, services: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = Tasks(self)
        self.tasks.done.connect(lambda _t, r: self.done.emit(str(r.path), list(r.warnings)))
        self.tasks.failed.connect(lambda _t, exc: self.failed.emit(failure_text(exc)))

    def default_path(self, attempt_id: int) -> Path:
        return default_folder() / f"attempt-{attempt_id}.zip"

    def export(self, attempt_id: int, path: Path) -> bool:
        """Start writing ``attempt_id``'s bundle to ``path``; False when it no longer exists."""
        from desktop_app.reports.records import load_record

        rec = load_record(self.services.attempts, self.services.bank, attempt_id)
        if rec is None:
            self.failed.emit(f"Attempt {attempt_id} no longer exists.")
            return False
        a = rec.attempt
        audio = self.services.paths.absolute(a.audio_path) if a.audio_path else None

        def work() -> Any:
            from desktop_app.reports.bundle import write_bundle

            return write_bundle(rec, audio, path)

        self.tasks.start(attempt_id, work)
        return True
