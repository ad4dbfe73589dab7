"""The scorecard (after an answer and in History): scores, transcript, findings, tips, follow-up."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.breakdown import focus_rows, narrow_focus
from desktop_app.domain import Transcript
from desktop_app.textfmt import fmt_time
from desktop_app.ui.score_tiles import ScoreTiles
from desktop_app.ui.strong_answer import StrongAnswerPanel
from desktop_app.ui.transcript_view import (
    STAR_COLOURS,
    STAR_NAMES,
    TranscriptView,
    UncertainLegend,
    time_at,
    word_char_spans,
)

if TYPE_CHECKING:
    from desktop_app.analysis import Analysis

SPAN_ROLE = Qt.ItemDataRole.UserRole


class Scorecard(QWidget):
    """Renders one analysed attempt.

    Test hooks: ``heading`` (which question the card belongs to), ``score_tiles`` (and
    ``tiles[name].value.text()``, see ScoreTiles), ``transcript_view``, ``findings_list``,
    ``strong_answer`` (StrongAnswerPanel), ``tips_labels``, ``follow_up_label``,
    ``answer_follow_up_button``, ``activate_finding(row)``.
    Signals: ``finding_activated(char_start, char_end, time_s or -1)``,
    ``speak_follow_up_requested(str)``, ``answer_follow_up_requested(str)``.
    """

    finding_activated = Signal(int, int, float)
    speak_follow_up_requested = Signal(str)
    answer_follow_up_requested = Signal(str)
    edit_transcript_requested = Signal()
    content_changed = Signal()  # a new attempt (or nothing) is on show

    def __init__(self, parent: QWidget | None = None, *, allow_follow_up: bool = True) -> None:
        super().__init__(parent)
        self.data: dict[str, Any] = {}
        self.transcript: Transcript | None = None  # the one on show (for editing)
        self.heading = QLabel()
        self.heading.setObjectName("cardHeading")
        self.heading.setWordWrap(True)
        self.heading.hide()
        self.score_tiles = ScoreTiles()
        self.tiles = self.score_tiles.tiles
        self.strong_answer = StrongAnswerPanel()

        self.star_summary = QLabel()
        self.star_summary.setTextFormat(Qt.TextFormat.RichText)
        self.star_summary.setWordWrap(True)
        self.transcript_view = TranscriptView()
        self.transcript_view.setMinimumHeight(150)
        self.uncertain_legend = UncertainLegend()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #627d98; font-size: 9.5pt;")
        self.findings_list = QListWidget()
        self.findings_list.setAccessibleName("Findings")
        self.findings_list.setMaximumHeight(170)
        self.findings_list.setMinimumHeight(110)
        self.findings_list.itemActivated.connect(self._on_item)
        self.findings_list.itemClicked.connect(self._on_item)
        self.tips_box = QVBoxLayout()
        self.tips_labels: list[QLabel] = []

        self.follow_up_label = QLabel()
        self.follow_up_label.setObjectName("followUp")
        self.follow_up_label.setWordWrap(True)
        self.speak_follow_up_button = QPushButton("Speak follow-up")
        self.answer_follow_up_button = QPushButton("Answer follow-up")
        self.answer_follow_up_button.setToolTip("Record an answer linked to this attempt")
        self.speak_follow_up_button.clicked.connect(
            lambda: self.speak_follow_up_requested.emit(self.follow_up_text())
        )
        self.answer_follow_up_button.clicked.connect(
            lambda: self.answer_follow_up_requested.emit(self.follow_up_text())
        )
        fu_buttons = QHBoxLayout()
        fu_buttons.addWidget(self.speak_follow_up_button)
        fu_buttons.addWidget(self.answer_follow_up_button)
        fu_buttons.addStretch(1)
        self.follow_up_box = QWidget()
        fu = QVBoxLayout(self.follow_up_box)
        fu.setContentsMargins(0, 0, 0, 0)
        fu.addWidget(self._title("Follow-up question"))
        fu.addWidget(self.follow_up_label)
        fu.addLayout(fu_buttons)
        self.answer_follow_up_button.setVisible(allow_follow_up)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.heading)
        lay.addWidget(self.score_tiles)
        lay.addWidget(self.star_summary)
        self.edit_transcript_button = QPushButton("Edit transcript…")
        self.edit_transcript_button.setToolTip("Fix a misheard word and score the answer again")
        self.edit_transcript_button.clicked.connect(self.edit_transcript_requested.emit)
        self.edit_transcript_button.hide()  # shown by a view that handles the edit (Practice)
        self.versions_button = QPushButton("Versions…")
        self.versions_button.setToolTip("Every transcript of this answer: compare two and keep "
                                        "either")
        self.versions_button.hide()  # shown by a VersionsHook (ui/versions_dialog.py)
        self.edited_label = QLabel("Edited by you")
        self.edited_label.setStyleSheet("color: #2f855a;")
        self.edited_label.hide()
        transcript_row = QHBoxLayout()
        transcript_row.addWidget(self._title("Transcript"))
        transcript_row.addWidget(self.edited_label)
        transcript_row.addStretch(1)
        transcript_row.addWidget(self.versions_button)
        transcript_row.addWidget(self.edit_transcript_button)
        lay.addLayout(transcript_row)
        lay.addWidget(self.transcript_view, 1)
        lay.addWidget(self.uncertain_legend)
        lay.addWidget(self.note_label)
        lay.addWidget(self.strong_answer)
        lay.addWidget(self._title("What stood out (click to see the words)"))
        lay.addWidget(self.findings_list)
        lay.addWidget(self._title("Tips"))
        lay.addLayout(self.tips_box)
        lay.addWidget(self.follow_up_box)
        self.clear()

    @staticmethod
    def _title(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        return label

    def add_below_scores(self, widget: QWidget) -> None:
        """Put ``widget`` right under the score tiles (the Practice tab's grade override)."""
        self.layout().insertWidget(self.layout().indexOf(self.score_tiles) + 1, widget)

    # ---- content -----------------------------------------------------------------------------
    def set_heading(self, text: str) -> None:
        """Say which question this card belongs to ("" hides the line)."""
        self.heading.setText(text)
        self.heading.setVisible(bool(text))

    def clear(self) -> None:
        self.data = {}
        self.score_tiles.show_scores(None)
        self.strong_answer.clear()
        self.star_summary.clear()
        self.transcript_view.set_content("")
        self.uncertain_legend.hide()
        self.note_label.clear()
        self.note_label.hide()
        self.findings_list.clear()
        self._set_tips([])
        self.follow_up_box.hide()
        self.content_changed.emit()  # every new content passes here first

    def show_transcript_only(self, text: str) -> None:
        """A transcript without scores (e.g. transcribed but not yet scored)."""
        self.clear()
        self.transcript_view.set_content(text)

    def show_analysis(self, analysis: Analysis, transcript: Transcript | str | None = None,
                      strong_answer: str = "") -> None:
        """Render an Analysis with the transcript it was computed on; ``strong_answer`` (the
        question's note) is shown beside the candidate's STAR parts."""
        data = analysis.to_dict()  # the shape breakdown.py and the transcript view read
        if isinstance(transcript, str):
            transcript = Transcript.from_text(transcript)
        if transcript is None:
            transcript = Transcript.from_text(str(data.get("text", "")))
        self.clear()
        self.data = data
        self.transcript = transcript
        self.edited_label.setVisible(transcript.edited)
        text = str(data.get("text") or transcript.text)
        self.score_tiles.show_scores(data)
        star = data.get("star") or {}
        sentences = [s for s in star.get("sentences", []) if isinstance(s, dict)]
        findings = [f for f in data.get("findings", []) if isinstance(f, dict)]
        editable = not self.edit_transcript_button.isHidden()  # the view handles editing
        self.transcript_view.editable = editable
        self.transcript_view.set_content(text, sentences, findings, transcript.words)
        self.uncertain_legend.set_editable(editable)
        self.uncertain_legend.setVisible(bool(self.transcript_view.uncertain_spans))
        self._set_star_summary(star, narrow_focus(data))
        self.strong_answer.show_for(star if isinstance(star, dict) else {}, strong_answer)
        spans = word_char_spans(text, transcript.words)
        for f in findings:
            self._add_finding(f, spans)
        notes = [str(n) for n in data.get("notes", []) if n] if isinstance(
            data.get("notes"), list
        ) else []
        delivery = data.get("delivery") or {}
        if isinstance(delivery, dict) and delivery.get("note"):
            notes.append(str(delivery["note"]))
        if notes:
            self.note_label.setText("  ".join(notes))
            self.note_label.show()
        self._set_tips([str(t) for t in data.get("tips", [])][:3])
        follow_up = data.get("follow_up")
        if follow_up:
            self.follow_up_label.setText(str(follow_up))
            self.follow_up_box.show()

    def _set_star_summary(self, star: dict[str, Any], focus: Any = None) -> None:
        if focus:  # a follow-up answer: what it asked for, not the whole STAR story
            parts = [f"{name} {told[0]}" for name, told in focus_rows(focus)]
            self.star_summary.setText(
                f"Follow-up — {escape(str(focus.get('label', '')))}: " + " · ".join(parts))
            return
        present = star.get("present") or {}
        parts = []
        for key in "STAR":
            colour = STAR_COLOURS[key]
            mark = "✓" if present.get(key) else "✗"
            parts.append(
                f'<span style="background:{colour}; padding:2px 6px;">'
                f"&nbsp;{STAR_NAMES[key]} {mark}&nbsp;</span>"
            )
        self.star_summary.setText("STAR: " + " ".join(parts))

    def _add_finding(self, f: dict[str, Any], spans: list[tuple[int, int, float, float]]) -> None:
        cs, ce = f.get("char_start"), f.get("char_end")
        kind = str(f.get("kind", "")).replace("_", " ")
        label = f"{kind}: “{f.get('text', '')}”"
        when = f.get("start")
        if not isinstance(when, (int, float)) and isinstance(cs, int):
            when = time_at(spans, cs)
        if isinstance(when, (int, float)):
            label += f"  ({fmt_time(when)})"
        if f.get("message"):
            label += f" — {f['message']}"
        item = QListWidgetItem(label)
        valid = isinstance(cs, int) and isinstance(ce, int)
        item.setData(
            SPAN_ROLE,
            (cs if valid else -1, ce if valid else -1, float(when) if when is not None else -1.0),
        )
        self.findings_list.addItem(item)

    def _set_tips(self, tips: list[str]) -> None:
        for label in self.tips_labels:
            self.tips_box.removeWidget(label)
            label.hide()
            label.setParent(None)
            label.deleteLater()
        self.tips_labels = []
        for i, tip in enumerate(tips, 1):
            label = QLabel(f"{i}. {tip}")
            label.setWordWrap(True)
            self.tips_box.addWidget(label)
            self.tips_labels.append(label)

    def follow_up_text(self) -> str:
        return self.follow_up_label.text()

    # ---- interaction -------------------------------------------------------------------------
    def activate_finding(self, row: int) -> None:
        """Select finding ``row``'s words in the transcript (as a click would)."""
        item = self.findings_list.item(row)
        if item is not None:
            self.findings_list.setCurrentItem(item)
            self._on_item(item)

    def _on_item(self, item: QListWidgetItem) -> None:
        cs, ce, when = item.data(SPAN_ROLE)
        if cs >= 0 and ce > cs:
            self.transcript_view.select_span(cs, ce)
        self.finding_activated.emit(cs, ce, when)
