"""Transcript versions: browse every transcript an attempt has had, compare two, use either.

Re-transcribing and editing never lose a transcript (storage/transcript_versions.py). The
:class:`VersionsDialog` lists the one in use and the earlier ones (when, where it came from,
model, words, overall score), shows two side by side with the words that differ marked, and
"Use this version" puts an earlier one back through the pipeline (AttemptService.
restore_version keeps the one in use as a version, then the answer is scored again).

:class:`VersionsHook` adds the "Versions…" button to a view's scorecard: shown for an attempt
with more than one version, it opens the dialog. Views need only say which attempt is on show.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.practice.attempts import StoredAttempt
from desktop_app.textfmt import fmt_score, list_date

SOURCES = {"transcribed": "Original", "retranscribed": "Re-transcribed", "edited": "Edited by you"}
COLUMNS = ("When", "Source", "Model", "Words", "Overall")
REMOVED_STYLE = "background:#fde2e2; color:#9b1c1c; text-decoration:line-through;"
ADDED_STYLE = "background:#dcfce7; color:#14532d; font-weight:600;"


@dataclass(frozen=True)
class Entry:
    """One transcript of the attempt: ``version_id`` None for the one in use."""

    version_id: int | None
    when: str
    source: str
    model: str
    text: str
    overall: float | None

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def title(self) -> str:
        return f"{self.when} · {self.source}" + (f" · {self.model}" if self.model else "")


def entries(attempts: Any, stored: StoredAttempt) -> list[Entry]:
    """The transcript in use first, then the earlier versions, newest first."""
    a = stored.attempt
    versions = attempts.versions.of(stored.id)
    typed = stored.typed
    in_use = Entry(None, "In use now", _source(attempts.versions.source_in_use(a), typed),
                   a.model or "", a.transcript_text or "", (a.scores or {}).get("overall"))
    earlier = [Entry(v.id, f"Until {list_date(v.saved_at)}", _source(v.source, typed), v.model,
                     v.transcript_text, v.scores.get("overall")) for v in reversed(versions)]
    return [in_use, *earlier]


def _source(source: str, typed: bool) -> str:
    if source == "transcribed" and typed:
        return "Typed"
    return SOURCES.get(source, source)


def _norm(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def marked_pair(left: str, right: str) -> tuple[str, str, int]:
    """HTML of both texts with the words that differ marked (removed on the left, added on the
    right; punctuation and case ignored), and how many words differ."""
    a, b = left.split(), right.split()
    ops = difflib.SequenceMatcher(a=[_norm(w) for w in a], b=[_norm(w) for w in b],
                                  autojunk=False).get_opcodes()
    out_a: list[str] = []
    out_b: list[str] = []
    changed = 0
    for tag, i1, i2, j1, j2 in ops:
        old, new = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "equal":
            out_a.append(escape(old))
            out_b.append(escape(new))
            continue
        changed += max(i2 - i1, j2 - j1)
        if old:
            out_a.append(f'<span style="{REMOVED_STYLE}">{escape(old)}</span>')
        if new:
            out_b.append(f'<span style="{ADDED_STYLE}">{escape(new)}</span>')
    return " ".join(out_a), " ".join(out_b), changed


class VersionsDialog(QDialog):
    """Test hooks: ``table`` (row 0 is the version in use), ``entries``, ``left_combo`` and
    ``right_combo`` (indexes into ``entries``), ``left_view``, ``right_view``, ``diff_label``,
    ``use_button`` (puts the right-hand version back), ``status_label``."""

    def __init__(self, services: Any, pipeline: Any, attempt_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transcript versions")
        self.services, self.pipeline, self.attempt_id = services, pipeline, attempt_id
        self.entries: list[Entry] = []
        intro = QLabel("Every transcript of this answer is kept. Pick one to compare it with the "
                       "transcript in use; <b>Use this version</b> puts it back and scores the "
                       "answer again — the one in use now is kept as a version too.")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)
        self.table.itemSelectionChanged.connect(self._on_row)
        self.left_combo, self.right_combo = QComboBox(), QComboBox()
        self.left_view, self.right_view = self._pane("Left transcript"), self._pane(
            "Right transcript")
        self.diff_label = QLabel()
        self.diff_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("color: #9b1c1c;")
        self.status_label.hide()
        self.use_button = QPushButton("Use this version")
        self.use_button.setToolTip("Put the right-hand transcript back in use and score the "
                                   "answer again (the one in use now is kept)")
        self.use_button.clicked.connect(self.use_right)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        grid = QGridLayout()
        grid.addWidget(self.left_combo, 0, 0)
        grid.addWidget(self.right_combo, 0, 1)
        grid.addWidget(self.left_view, 1, 0)
        grid.addWidget(self.right_view, 1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.table)
        lay.addLayout(grid, 1)
        lay.addWidget(self.diff_label)
        lay.addWidget(self.status_label)
        lay.addWidget(buttons)
        self.resize(900, 560)
        self.left_combo.currentIndexChanged.connect(lambda _i: self._compare())
        self.right_combo.currentIndexChanged.connect(lambda _i: self._compare())
        self.reload()

    @staticmethod
    def _pane(name: str) -> QTextEdit:
        view = QTextEdit()
        view.setReadOnly(True)
        view.setAccessibleName(name)
        return view

    def reload(self) -> None:
        """Read the attempt's versions again (after one was put back)."""
        stored = self.services.attempts.load(self.attempt_id)
        self.entries = entries(self.services.attempts, stored) if stored is not None else []
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            cells = (e.when, e.source, e.model or "—", str(e.words), fmt_score(e.overall))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        for combo in (self.left_combo, self.right_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([e.title for e in self.entries])
            combo.blockSignals(False)
        self.left_combo.setCurrentIndex(0)
        self.show_version(1 if len(self.entries) > 1 else 0)

    def show_version(self, index: int) -> None:
        """Compare entry ``index`` (on the right) with the one in use (on the left)."""
        self.left_combo.blockSignals(True)
        self.left_combo.setCurrentIndex(0)
        self.left_combo.blockSignals(False)
        self.right_combo.setCurrentIndex(index)
        self._compare()

    def _on_row(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() != self.right_combo.currentIndex():
            self.show_version(rows[0].row())

    def _compare(self) -> None:
        li, ri = self.left_combo.currentIndex(), self.right_combo.currentIndex()
        if not (0 <= li < len(self.entries) and 0 <= ri < len(self.entries)):
            return
        left, right = self.entries[li], self.entries[ri]
        left_html, right_html, changed = marked_pair(left.text, right.text)
        self.left_view.setHtml(left_html)
        self.right_view.setHtml(right_html)
        if li == ri:
            self.diff_label.setText("The same transcript on both sides.")
        else:
            self.diff_label.setText(
                f"{changed} word{'s differ' if changed != 1 else ' differs'}: "
                f'<span style="{REMOVED_STYLE}">only on the left</span>, '
                f'<span style="{ADDED_STYLE}">only on the right</span>.')
        self.table.blockSignals(True)
        self.table.selectRow(ri)
        self.table.blockSignals(False)
        read_only = bool(getattr(self.services, "read_only", False))
        self.use_button.setEnabled(right.version_id is not None and not read_only)
        self.use_button.setToolTip(
            "This data folder is open read-only" if read_only else
            "This is the transcript in use" if right.version_id is None else
            "Put the right-hand transcript back in use and score the answer again (the one in "
            "use now is kept)")

    def use_right(self) -> bool:
        """Put the right-hand version back in use (and re-score); closes the dialog."""
        entry = self.entries[self.right_combo.currentIndex()]
        if entry.version_id is None:
            return False
        why_not = self.pipeline.restore_version(self.attempt_id, entry.version_id)
        if why_not:
            self.status_label.setText(why_not)
            self.status_label.show()
            return False
        self.accept()
        return True


class VersionsHook(QObject):
    """The scorecard's "Versions…" button for the attempt a view shows.

    ``current`` gives that attempt's id (None: nothing on show); ``reopen(id)``, when given, is
    called once a restored version is scored (for a view that does not follow the pipeline).
    Test hooks: ``button``, ``dialog`` (the last one opened), ``refresh()``.
    """

    def __init__(self, services: Any, pipeline: Any, scorecard: Any,
                 current: Callable[[], int | None],
                 reopen: Callable[[int], Any] | None = None) -> None:
        super().__init__(scorecard)
        self.services, self.pipeline, self.current = services, pipeline, current
        self.button: QPushButton = scorecard.versions_button
        self.button.clicked.connect(self.open_dialog)
        self.dialog: VersionsDialog | None = None
        self._restored: int | None = None
        scorecard.content_changed.connect(self.refresh)
        if reopen is not None:
            pipeline.attempt_scored.connect(
                lambda aid, *_: reopen(aid) if aid == self._restored == self.current() else None)
        self.refresh()

    def refresh(self) -> None:
        """Show the button when the attempt on show has earlier versions."""
        attempt_id = self.current()
        try:
            n = self.services.attempts.versions.count(attempt_id) if attempt_id else 0
        except Exception:  # a locked or damaged database: the rest of the view still works
            n = 0
        self.button.setText(f"Versions ({n + 1})…")
        self.button.setVisible(n > 0)

    def open_dialog(self) -> VersionsDialog | None:
        attempt_id = self.current()
        if attempt_id is None:
            return None
        self.dialog = VersionsDialog(self.services, self.pipeline, attempt_id,
                                     self.button.window())
        self.dialog.accepted.connect(lambda: setattr(self, "_restored", attempt_id))
        self.dialog.setModal(True)
        self.dialog.show()
        return self.dialog


def attach_versions(services: Any, pipeline: Any, history: Any, review: Any
                    ) -> tuple[VersionsHook, VersionsHook]:
    """The "Versions…" buttons of History and Review (Review re-opens a restored attempt once
    it is scored again; History follows the pipeline itself)."""
    return (
        VersionsHook(services, pipeline, history.scorecard, lambda: history.selected_id),
        VersionsHook(services, pipeline, review.scorecard,
                     lambda: review.record.id if review.record is not None else None,
                     reopen=review.open_attempt),
    )
