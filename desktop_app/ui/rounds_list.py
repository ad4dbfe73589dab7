"""History's list of mock interview rounds (newest first); opening one shows its report."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop_app.session.report import RoundReport
from desktop_app.storage.rounds import RoundStore
from desktop_app.textfmt import fmt_score
from desktop_app.ui.interview_report import STATUS

log = logging.getLogger(__name__)
ROUND_ROLE = Qt.ItemDataRole.UserRole


class RoundsList(QWidget):
    """Test hooks: ``list``, ``round_ids()``, ``open_round(id)``, ``refresh()``.
    Signal: ``round_opened(id)``."""

    round_opened = Signal(int)

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = RoundStore(services.repo.db, services.repo.path)
        title = QLabel("Mock interview rounds")
        title.setObjectName("sectionTitle")
        self.list = QListWidget()
        self.list.setAccessibleName("Mock interview rounds")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMaximumHeight(200)  # the attempts keep most of the column
        self.list.itemActivated.connect(lambda it: self.open_round(it.data(ROUND_ROLE)))
        self.list.itemClicked.connect(lambda it: self.open_round(it.data(ROUND_ROLE)))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(title)
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
            item.setToolTip("Open the round report")
            item.setData(ROUND_ROLE, row.id)
            self.list.addItem(item)
        self.setVisible(self.list.count() > 0)

    def round_ids(self) -> list[int]:
        return [self.list.item(i).data(ROUND_ROLE) for i in range(self.list.count())]

    def open_round(self, round_id: int) -> None:
        if round_id is not None:
            self.round_opened.emit(int(round_id))
