"""History's list of mock interview rounds (newest first); opening one shows its report, and
**Export round…** (or the entry's context menu) writes it as a PDF or JSON file — off the GUI
thread, through the report machinery's round section (reports/pdf_rounds.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.session.report import RoundReport
from desktop_app.session.round_export import DatedRound, round_by_id, write_round
from desktop_app.storage.rounds import RoundStore
from desktop_app.textfmt import fmt_score
from desktop_app.ui.interview_report import STATUS
from desktop_app.ui.tasks import Tasks
from desktop_app.ui.widgets import Banner

log = logging.getLogger(__name__)
ROUND_ROLE = Qt.ItemDataRole.UserRole
FILTERS = "PDF (*.pdf);;JSON (*.json)"


class RoundExporter(QObject):
    """Writes one round's file on a pool thread; says how it went in ``banner``.
    Signals: ``exported(path)``, ``export_failed(message)``."""

    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, banner: Banner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner
        self.tasks = Tasks(self)
        self.tasks.done.connect(self._done)
        self.tasks.failed.connect(self._failed)

    def ask(self, parent: QWidget, dated: DatedRound) -> None:
        """Ask where (PDF or JSON), then write it."""
        name = f"round-{dated.round_id}-{dated.started_at[:10]}.pdf"
        path, chosen = QFileDialog.getSaveFileName(parent, "Export the round",
                                                   str(Path.home() / name), FILTERS)
        if path:
            if not Path(path).suffix:
                path += ".json" if chosen.startswith("JSON") else ".pdf"
            self.export_to(dated, Path(path))

    def export_to(self, dated: DatedRound, path: Path) -> None:
        self.banner.show_message(f"Exporting the round to {path.name}…", "info")
        self.tasks.start(str(path), lambda: write_round(dated, path))

    def _done(self, _token: object, path: object) -> None:
        self.banner.show_message(f"Exported to {path}", "info")
        self.exported.emit(str(path))

    def _failed(self, token: object, exc: object) -> None:
        message = f"Could not export the round to {token}: {exc}"
        self.banner.show_message(message, "error")
        self.export_failed.emit(message)


class RoundsList(QWidget):
    """Test hooks: ``list``, ``round_ids()``, ``open_round(id)``, ``refresh()``,
    ``export_button``, ``exporter``, ``export_round(id, path=None)``, ``banner``.
    Signal: ``round_opened(id)``."""

    round_opened = Signal(int)

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo = services.repo
        self.store = RoundStore(services.repo.db, services.repo.path)
        title = QLabel("Mock interview rounds")
        title.setObjectName("sectionTitle")
        self.banner = Banner()
        self.exporter = RoundExporter(self.banner, self)
        self.export_button = QPushButton("Export round…")
        self.export_button.setAccessibleName("Export the selected round as PDF or JSON")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_round(self._selected()))
        self.list = QListWidget()
        self.list.setAccessibleName("Mock interview rounds")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(
            lambda it, _old: self.export_button.setEnabled(it is not None))
        self.setMaximumHeight(240)  # the attempts keep most of the column
        self.list.itemActivated.connect(lambda it: self.open_round(it.data(ROUND_ROLE)))
        self.list.itemClicked.connect(lambda it: self.open_round(it.data(ROUND_ROLE)))
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.banner)
        lay.addWidget(self.list)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        try:
            rows = self.store.finished(limit=200)
        except Exception as exc:
            log.warning("could not list rounds: %s", exc)
            rows = []
        for row in rows:
            if not row.report:
                continue
            try:
                r = RoundReport.from_dict(row.report)
            except (KeyError, TypeError):
                continue
            when = (row.ended_at or row.started_at)[:16].replace("T", " ")
            item = QListWidgetItem(
                f"{when} · {r.role} · {r.seniority}\n{STATUS.get(r.status, r.status)} · "
                f"{r.answered} of {len(r.items)} answered · overall {fmt_score(r.overall)}")
            item.setToolTip("Open the round report (right-click to export it)")
            item.setData(ROUND_ROLE, row.id)
            self.list.addItem(item)
        self.setVisible(self.list.count() > 0)

    def round_ids(self) -> list[int]:
        return [self.list.item(i).data(ROUND_ROLE) for i in range(self.list.count())]

    def open_round(self, round_id: int) -> None:
        if round_id is not None:
            self.round_opened.emit(int(round_id))

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(ROUND_ROLE)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Export round…", lambda: self.export_round(item.data(ROUND_ROLE)))
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def export_round(self, round_id: int | None, path: Path | None = None) -> bool:
        """Export a round (asking where, unless ``path``); False if it cannot be read."""
        if round_id is None:
            return False
        try:
            dated = round_by_id(self.repo, int(round_id))
        except Exception as exc:
            self.banner.show_message(f"Could not read the round: {exc}", "error")
            return False
        if dated is None:
            self.banner.show_message("That round has no report to export.", "error")
            return False
        if path is None:
            self.exporter.ask(self, dated)
        else:
            self.exporter.export_to(dated, Path(path))
        return True
