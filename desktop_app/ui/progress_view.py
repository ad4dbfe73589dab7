"""Progress: trends, coverage, what to practise next, practice time and streak.

Everything is computed off the GUI thread: a background task opens its own read-only
connection and builds the report (SQL aggregates over covering indexes, see
desktop_app.storage.progress); the numbers show at once (``loaded``), then the charts
(desktop_app.reports.charts, the same definitions the PDF uses) are drawn into pixels one after
the other on the pool, each shown as it is ready (``charts_ready`` after the last). The GUI
thread only shows them. Opening costs about the same at 10,000 attempts as at 100
(bench/progress.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.reports.chart_process import ChartDrawer, ChartProcess
from desktop_app.reports.model import DIMENSION_TITLES, Report
from desktop_app.reports.next_up import Suggestion
from desktop_app.storage.progress import ProgressFilter
from desktop_app.textfmt import kind_label
from desktop_app.ui.coverage_table import CoverageTable
from desktop_app.ui.tasks import Tasks

PERIODS = (("Last 4 weeks", 28), ("Last 3 months", 91), ("Last 12 months", 365),
           ("All time", None))
CHART_NAMES = ("scores", "delivery", "weeks")


@dataclass
class Loaded:
    report: Report
    suggestions: list[Suggestion]
    total: int  # attempts in the whole history (to tell "none yet" from "none in this period")


def draw_chart(drawer: ChartDrawer, name: str, report: Report, width: int, scale: float
               ) -> tuple[bytes, int, int]:
    """One chart as RGBA pixels (for a background thread, which waits for ``drawer``)."""
    return drawer.rgba(name, report, width, chart_height(name, width), scale)


def chart_height(name: str, width: int) -> int:
    from desktop_app.reports.charts import CHARTS

    return CHARTS[name].screen_height(width)


def load_progress(db_path: Any, bank: Any, f: ProgressFilter) -> Loaded:
    """The view's numbers, for a background thread (its own read-only connection)."""
    from desktop_app.reports.model import build_report
    from desktop_app.reports.next_up import suggest
    from desktop_app.storage.progress import Progress
    from desktop_app.storage.repository import Repository

    with Repository.reader(db_path) as repo:
        progress = Progress(repo.db)
        report = build_report(progress, bank, f)
        total = progress.attempt_count()
        questions = [q for q in bank.questions if not f.kinds or q.kind in f.kinds]
        if f.competencies:
            questions = [q for q in questions if q.competency in f.competencies]
        everything = ProgressFilter(kinds=f.kinds, competencies=f.competencies)
        coverage = report.coverage if f.since is None else build_report(
            progress, bank, everything).coverage
        suggestions = suggest(questions, coverage, progress.question_stats(everything))
    return Loaded(report, suggestions, total)


class ProgressView(QWidget):
    """Test hooks: ``period_combo``, ``competency_combo``, ``kind_combo``, ``current_filter()``,
    ``refresh()``, ``loaded`` (signal, once the numbers are shown), ``charts_ready`` (signal,
    once every chart is drawn), ``report`` (what is shown),
    ``chart_labels[name]`` (QLabel with the chart's pixmap), ``summary_label``,
    ``focus_labels``, ``next_buttons``, ``suggestions``, ``coverage`` (CoverageTable),
    ``stack``/``empty_page``/``content_page``, ``empty_title``, ``banner_label``.
    Signals: ``practise_requested(question_id)`` ("" = just go to Practice),
    ``export_requested()``.
    """

    loaded = Signal()
    charts_ready = Signal()
    practise_requested = Signal(str)
    export_requested = Signal()

    def __init__(self, services: Any, parent: QWidget | None = None, *,
                 charts: ChartDrawer | None = None) -> None:
        super().__init__(parent)
        self.services = services
        # a process of its own, so drawing never stalls the window (see chart_process)
        self.charts: ChartDrawer = charts or ChartProcess()
        self.report: Report | None = None
        self.suggestions: list[Suggestion] = []
        self._token = 0
        self._stale = True
        self._width = 0
        self.tasks = Tasks(self)
        self.tasks.done.connect(self._on_loaded)
        self.tasks.failed.connect(self._on_failed)
        self.chart_tasks = Tasks(self)
        self.chart_tasks.done.connect(self._on_chart)
        self.chart_tasks.failed.connect(self._on_chart_failed)
        self._pending: list[str] = []
        self._in_flight = False

        self.period_combo = QComboBox()
        for text, days in PERIODS:
            self.period_combo.addItem(text, days)
        self.period_combo.setCurrentIndex(len(PERIODS) - 1)
        self.competency_combo = QComboBox()
        self.competency_combo.addItem("All competencies", "")
        for c in services.bank.competencies():
            self.competency_combo.addItem(c, c)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("All kinds", "")
        for k in services.bank.kinds():
            self.kind_combo.addItem(kind_label(k), k)
        for combo in (self.period_combo, self.competency_combo, self.kind_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.export_button = QPushButton("Export report…")
        self.export_button.clicked.connect(self.export_requested)
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        bar = QHBoxLayout()
        for w in (self.period_combo, self.competency_combo, self.kind_combo):
            bar.addWidget(w)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.export_button)

        self.stack = QStackedWidget()
        self.empty_page = self._empty_page()
        self.content_page = self._content_page()
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.content_page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(250)
        self._resize_timer.timeout.connect(lambda: self.refresh(force=True))

    # ---- pages ------------------------------------------------------------------------------
    def _empty_page(self) -> QWidget:
        page = QWidget()
        self.empty_title = QLabel("No answers yet")
        self.empty_title.setObjectName("welcomeTitle")
        self.empty_text = QLabel()
        self.empty_text.setWordWrap(True)
        self.empty_button = QPushButton("Start practising")
        self.empty_button.setObjectName("primaryButton")
        self.empty_button.clicked.connect(lambda: self.practise_requested.emit(""))
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        for w in (self.empty_title, self.empty_text):
            lay.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        return page

    def _content_page(self) -> QWidget:
        body = QWidget()
        lay = QVBoxLayout(body)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.summary_label)
        self.chart_labels: dict[str, QLabel] = {}
        for name in CHART_NAMES:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setMinimumHeight(60)
            self.chart_labels[name] = label
            lay.addWidget(label)
        columns = QHBoxLayout()
        nxt, focus = QVBoxLayout(), QVBoxLayout()
        nxt.addWidget(self._title("What to practise next"))
        self.next_box = QVBoxLayout()
        nxt.addLayout(self.next_box)
        nxt.addStretch(1)
        focus.addWidget(self._title("Top three things to work on"))
        self.focus_box = QVBoxLayout()
        focus.addLayout(self.focus_box)
        focus.addStretch(1)
        columns.addLayout(nxt, 1)
        columns.addLayout(focus, 1)
        lay.addLayout(columns)
        lay.addWidget(self._title("Coverage by competency"))
        self.coverage = CoverageTable()
        lay.addWidget(self.coverage)
        self.next_buttons: list[QPushButton] = []
        self.focus_labels: list[QLabel] = []
        self.banner_label = QLabel()
        self.banner_label.setObjectName("hint")
        lay.addWidget(self.banner_label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self._scroll = scroll
        return scroll

    @staticmethod
    def _title(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        return label

    # ---- loading ----------------------------------------------------------------------------
    def current_filter(self) -> ProgressFilter:
        days = self.period_combo.currentData()
        since = date.today() - timedelta(days=days - 1) if days else None
        comp, kind = self.competency_combo.currentData(), self.kind_combo.currentData()
        return ProgressFilter(since=since, competencies=(comp,) if comp else (),
                              kinds=(kind,) if kind else ())

    def mark_stale(self) -> None:
        """History changed: reload when next shown (at once if visible)."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self, force: bool = False) -> None:
        if not (self._stale or force):
            return
        self._stale = False
        self._token += 1
        token, f = self._token, self.current_filter()
        self._width = self._chart_width()
        self._pending = []
        path, bank = self.services.paths.database, self.services.bank
        self.status_label.setText("Loading…")
        self.tasks.start(token, lambda: load_progress(path, bank, f))

    def _chart_width(self) -> int:
        """The charts' width in logical pixels: the view's, less margins and the scroll bar."""
        return max(480, min(1400, self.width() - 50))

    def _on_failed(self, token: object, exc: BaseException) -> None:
        if token == self._token:
            self.status_label.setText(f"Could not read your progress: {exc}")

    def _on_loaded(self, token: object, data: Loaded) -> None:
        if token != self._token:
            return
        self.report, self.suggestions = data.report, data.suggestions
        self.status_label.setText("")
        if data.report.empty:
            self._show_empty(data.total)
        else:
            self.stack.setCurrentWidget(self.content_page)
            self._show_summary(data.report)
            for name in CHART_NAMES:  # the same height as the chart: nothing jumps
                label = self.chart_labels[name]
                label.setFixedHeight(chart_height(name, self._width))
                if label.pixmap().isNull():
                    label.setText("Drawing the chart…")
            self._show_focus(data.report)
            self.coverage.show_rows(data.report.coverage)
            self._pending = list(CHART_NAMES)
            self._draw_next()
        self._show_next(data.suggestions)
        self.loaded.emit()
        if data.report.empty:
            self.charts_ready.emit()

    def _draw_next(self) -> None:
        """Draw the next chart: one at a time (matplotlib is not thread-safe), so a chart of
        an older filter still drawing is waited for first."""
        if self._in_flight:
            return
        if not self._pending or self.report is None:
            self.charts_ready.emit()
            return
        name, report = self._pending[0], self.report
        width, scale, drawer = self._width, self.devicePixelRatioF(), self.charts
        self._in_flight = True
        self.chart_tasks.start((self._token, name),
                               lambda: draw_chart(drawer, name, report, width, scale))

    def _chart_back(self, token: object) -> str | None:
        """The chart's name when ``token`` is the one awaited, else None (a stale draw)."""
        self._in_flight = False
        if self._pending and token == (self._token, self._pending[0]):
            return self._pending.pop(0)
        return None

    def _on_chart(self, token: object, pixels: tuple[bytes, int, int]) -> None:
        name = self._chart_back(token)
        if name is not None:
            data, w, h = pixels
            image = QImage(data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            self.chart_labels[name].setPixmap(pixmap)
        self._draw_next()

    def _on_chart_failed(self, token: object, exc: BaseException) -> None:
        name = self._chart_back(token)
        if name is not None:
            self.chart_labels[name].setText(f"Could not draw this chart: {exc}")
        self._draw_next()

    def _show_empty(self, total: int) -> None:
        self.stack.setCurrentWidget(self.empty_page)
        if total == 0:
            self.empty_title.setText("No answers yet")
            self.empty_text.setText(
                "Your progress shows here once you have answered a few questions: scores over "
                "time, the competencies you have covered and what to practise next.\nGo to "
                "Practice, pick a question (or press Next question), press Record (Ctrl+R) "
                "and answer out loud.")
            self.empty_button.setText("Start practising")
        else:
            self.empty_title.setText("No answers in this selection")
            self.empty_text.setText(
                f"You have {total:,} attempts, but none in this period, competency or kind. "
                "Choose “All time” or another competency above.")
            self.empty_button.setText("Practise now")

    def _show_summary(self, r: Report) -> None:
        s, st = r.summary, r.streak
        minutes = round(s.practice_s / 60)
        time_text = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
        overall = s.averages.get("overall")
        change = s.change.get("overall")
        plural = lambda n, word: f"{n:,} {word}{'s' if n != 1 else ''}"  # noqa: E731
        lines = [f"<b>{plural(s.attempts, 'attempt')}</b> ({plural(s.scored, 'scored answer')}) · "
                 f"<b>{time_text}</b> practised · streak <b>{st.current} day"
                 f"{'s' if st.current != 1 else ''}</b> (longest {st.longest}) · "
                 f"{st.days_this_week} day{'s' if st.days_this_week != 1 else ''} this week"]
        if overall is not None:
            arrow = "" if change is None else (f" ({'↑' if change >= 0 else '↓'} "
                                               f"{change:+.0f} since the start of the period)")
            line = f"Overall average <b>{overall:.0f}</b>{arrow}"
            if r.strongest and r.weakest:
                line += (f" · strongest: <b>{DIMENSION_TITLES[r.strongest]}</b> · weakest: "
                         f"<b>{DIMENSION_TITLES[r.weakest]}</b>")
            lines.append(line)
        self.summary_label.setText("<br>".join(lines))

    def _show_focus(self, r: Report) -> None:
        for label in self.focus_labels:
            label.deleteLater()
        self.focus_labels = []
        for i, point in enumerate(r.focus, 1):
            label = QLabel(f"{i}. {point.text} <span style='color:#829ab1'>({point.why})</span>")
            label.setWordWrap(True)
            self.focus_box.addWidget(label)
            self.focus_labels.append(label)

    def _show_next(self, suggestions: list[Suggestion]) -> None:
        for b in self.next_buttons:
            b.parentWidget().deleteLater()
        self.next_buttons = []
        for s in suggestions:
            row = QWidget()
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"<b>{s.question.text}</b><br><span style='color:#627d98'>"
                          f"{s.reason}</span>")
            text.setWordWrap(True)
            button = QPushButton("Practise")
            button.setToolTip("Open this question in Practice")
            qid = s.question.id
            button.clicked.connect(lambda _c=False, q=qid: self.practise_requested.emit(q))
            rl.addWidget(text, 1)
            rl.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.next_box.addWidget(row)
            self.next_buttons.append(button)

    # ---- events -----------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.refresh()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.report is not None and abs(self._chart_width() - self._width) > 40:
            self._resize_timer.start()
