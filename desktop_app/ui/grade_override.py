"""The one-click review-grade override under a scorecard: "Comes back tomorrow · graded Hard
from your scores", with Again / Hard / Good / Easy buttons; another grade changes when the
question comes back. Reads and writes on a pool thread with a connection of its own (SQLite
connections belong to their thread). Hook it in with :meth:`GradeOverride.show_for`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.session.grade_state import AttemptGrade, attempt_grade, due_text, regrade
from desktop_app.session.kit import open_schedule, parse_interview_date
from desktop_app.session.schedule import GRADES
from desktop_app.storage.repository import Repository
from desktop_app.ui.tasks import Tasks

HINTS = {"again": "comes back tomorrow", "hard": "comes back soon",
         "good": "comes back in a while", "easy": "comes back much later"}


class GradeOverride(QWidget):
    """Shows the grade of the attempt given to :meth:`show_for` (hidden when it has none).

    Test hooks: ``label``, ``buttons`` (grade → button), ``state`` (the AttemptGrade shown),
    ``choose(grade)``, ``tasks``. Signals: ``grade_changed(attempt_id)``, ``shown(attempt_id)``
    (the grade is on show)."""

    grade_changed = Signal(int)
    shown = Signal(int)

    def __init__(self, database: Path, interview_date: Callable[[], str | None] = lambda: None,
                 parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(parent)
        self.database, self.interview_date, self.clock = Path(database), interview_date, clock
        self.attempt_id: int | None = None
        self.state: AttemptGrade | None = None
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setWordWrap(True)
        self.label.setAccessibleName("When this question comes back for review")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label, 1)
        for g in GRADES:
            b = QPushButton(g.title())
            b.setCheckable(True)
            b.setAccessibleName(f"Review grade {g.title()}: {HINTS[g]}")
            b.setToolTip(f"Grade this answer {g.title()}: the question {HINTS[g]}")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _c=False, g=g: self.choose(g))
            self.group.addButton(b)
            self.buttons[g] = b
            lay.addWidget(b)
        self.setStyleSheet("QPushButton:checked { background: #334e68; color: white; "
                           "font-weight: 600; border-color: #334e68; }")
        self.tasks = Tasks(self)
        self.tasks.done.connect(self._done)
        self.tasks.failed.connect(self._failed)
        self.hide()

    # ----- what the view calls ----------------------------------------------------------------
    def show_for(self, attempt_id: int | None) -> None:
        """Show ``attempt_id``'s grade once it is read (None: hide)."""
        self.attempt_id, self.state = attempt_id, None
        if attempt_id is None:
            self.hide()
            return
        self.tasks.start(("read", attempt_id), lambda: self._with_schedule(
            lambda s: attempt_grade(s, attempt_id)))

    def choose(self, grade: str) -> None:
        """One click: grade the answer ``grade`` instead; the question's return date follows."""
        st, aid = self.state, self.attempt_id
        if st is None or aid is None or grade == st.grade:
            self._show(st)
            return
        self._enable(False)
        self.tasks.start(("grade", aid), lambda: self._with_schedule(
            lambda s: regrade(s, aid, grade)))

    # ----- worker side ------------------------------------------------------------------------
    def _with_schedule(self, fn: Callable) -> AttemptGrade | None:
        repo = Repository.open(self.database)
        try:
            return fn(open_schedule(repo, parse_interview_date(self.interview_date())))
        finally:
            repo.close()

    # ----- back on the GUI thread -------------------------------------------------------------
    def _done(self, token: object, result: object) -> None:
        kind, aid = token  # type: ignore[misc]
        if aid != self.attempt_id:
            return  # another answer is on show now
        self._show(result if isinstance(result, AttemptGrade) else None)
        if kind == "grade" and self.state is not None:
            self.grade_changed.emit(aid)
        if self.state is not None:
            self.shown.emit(aid)

    def _failed(self, token: object, exc: object) -> None:
        _kind, aid = token  # type: ignore[misc]
        if aid != self.attempt_id:
            return
        self._show(self.state)
        why = str(exc) if isinstance(exc, ValueError) else f"could not change the grade: {exc}"
        self.label.setText(f"{self.label.text()} — {why}")

    def _show(self, st: AttemptGrade | None) -> None:
        self.state = st
        if st is None:
            self.hide()
            return
        when = due_text(st.due_at, self.clock())
        how = (f"you chose {st.grade.title()} (your scores said {st.auto_grade.title()})"
               if st.overridden and st.auto_grade else
               f"graded {st.grade.title()} from your scores")
        tail = "" if st.changeable else " · a later answer was reviewed since"
        self.label.setText(f"Comes back {when} · {how}{tail}")
        self.buttons[st.grade].setChecked(True)
        self._enable(st.changeable)
        self.show()

    def _enable(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(on)
