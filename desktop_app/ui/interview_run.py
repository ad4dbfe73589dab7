"""The mock interview's run screen: the caption, the think and answer clocks with their cues,
and the round's controls (Space answer, N skip, P pause, Esc end), never modal."""

from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.session.round_state import RoundView
from desktop_app.textfmt import fmt_time, shorten
from desktop_app.ui.widgets import Banner, LevelMeter

PHASES = {
    "ready": "Ready when you are.", "greeting": "The interviewer is speaking…",
    "asking": "The interviewer is asking… (Space: answer now)",
    "thinking": "Think time — press Space to start answering.",
    "answering": "Answering — press Space when you are done.",
    "saving": "Saving your answer…", "scoring": "Listening back to your answer…",
    "closing": "The interviewer is wrapping up…", "done": "The round is over.",
    "resume_pending": "Paused — press P to carry on.",
    "closing_pending": "Paused — press P to finish the round.",
}
CUE_STYLE = {None: "", "target": "QProgressBar::chunk { background: #f0b429; }",
             "over": "QProgressBar::chunk { background: #d64545; }"}
CUE_TEXT = {"target": "You have reached the target time — start wrapping up.",
            "over": "Well past the target — finish your answer now."}
STAGES = {"transcribing": "transcribing the end of your answer",
          "scoring": "scoring it and choosing a follow-up"}
SOURCES = {  # where the follow-up in hand came from (ItemRecord.follow_up_source)
    "answer": "Follow-up chosen from what your answer lacked.",
    "timeout": "Your answer took longer than {limit} to score, so this is one of the "
               "question's standard follow-ups (your scores still arrive).",
    "failed": "Your answer could not be scored, so this is one of the question's standard "
              "follow-ups.",
    "probe": "One of the question's standard follow-ups.",
}


def _button(text: str, name: str, hint: str) -> QPushButton:
    b = QPushButton(f"{text}  [{hint}]")
    b.setAccessibleName(name)
    b.setToolTip(f"{name} ({hint})")
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to the round, not a button
    return b


class InterviewRun(QWidget):
    """Shows a :class:`RoundView`; its buttons emit the candidate's commands.

    Test hooks: ``progress_label``, ``caption``, ``phase_label``, ``think_label``,
    ``answer_label``, ``answer_bar``, ``cue_label``, ``answer_button``, ``skip_button``,
    ``pause_button``, ``end_button``, ``banner``, ``level_meter``, ``cue`` (last cue shown)."""

    answer_pressed = Signal()  # Space: start or stop
    skip_pressed = Signal()
    pause_pressed = Signal()  # P: pause or resume
    end_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cue: str | None = None
        self.banner = Banner()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("sectionTitle")
        self.caption = QLabel()
        self.caption.setObjectName("questionText")
        self.caption.setWordWrap(True)
        self.caption.setAccessibleName("Caption")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.phase_label = QLabel()
        self.phase_label.setAccessibleName("Round status")
        self.think_label = QLabel()
        self.think_label.setObjectName("elapsed")
        self.think_label.setAccessibleName("Think time left")
        self.answer_label = QLabel()
        self.answer_label.setObjectName("elapsed")
        self.answer_label.setAccessibleName("Answer clock")
        self.answer_bar = QProgressBar()
        self.answer_bar.setTextVisible(False)
        self.answer_bar.setAccessibleName("Answer time against the target")
        self.answer_bar.setMaximumHeight(12)
        self.cue_label = QLabel()
        self.cue_label.setWordWrap(True)
        self.wait_bar = QProgressBar()  # busy while the interviewer considers the answer
        self.wait_bar.setRange(0, 0)
        self.wait_bar.setTextVisible(False)
        self.wait_bar.setMaximumHeight(8)
        self.wait_bar.setAccessibleName("Considering your answer")
        self.wait_bar.hide()
        self.source_label = QLabel()
        self.source_label.setObjectName("hint")
        self.source_label.setWordWrap(True)
        self.source_label.setAccessibleName("Where the follow-up came from")
        self.level_meter = LevelMeter()
        self.outline = QLabel()
        self.outline.setObjectName("hint")
        self.outline.setWordWrap(True)
        self.outline.setAccessibleName("The round so far")
        self.outline.setTextFormat(Qt.TextFormat.RichText)
        self.answer_button = _button("Start answer", "Start or stop the answer", "Space")
        self.skip_button = _button("Skip", "Skip this question", "N")
        self.pause_button = _button("Pause", "Pause or resume the round", "P")
        self.end_button = _button("End round", "End the round early", "Esc")
        self.answer_button.setObjectName("recordButton")
        self.answer_button.clicked.connect(self.answer_pressed)
        self.skip_button.clicked.connect(self.skip_pressed)
        self.pause_button.clicked.connect(self.pause_pressed)
        self.end_button.clicked.connect(self.end_pressed)
        clocks = QHBoxLayout()
        clocks.addWidget(self.think_label)
        clocks.addSpacing(24)
        clocks.addWidget(self.answer_label)
        clocks.addSpacing(12)
        clocks.addWidget(self.level_meter)
        clocks.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.answer_button, self.skip_button, self.pause_button, self.end_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        hint = QLabel("Space start/stop answer · N skip · P pause/resume · Esc end the round")
        hint.setObjectName("hint")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(self.banner)
        lay.addWidget(self.progress_label)
        lay.addWidget(self.caption)
        lay.addWidget(self.source_label)
        lay.addWidget(self.phase_label)
        lay.addWidget(self.wait_bar)
        lay.addLayout(clocks)
        lay.addWidget(self.answer_bar)
        lay.addWidget(self.cue_label)
        lay.addSpacing(16)
        lay.addWidget(self.outline)
        lay.addStretch(1)
        lay.addLayout(buttons)
        lay.addWidget(hint)

    def show_view(self, v: RoundView, stage: str = "") -> None:
        """Show the machine's view; ``stage`` (the runner's) says what is done while the
        interviewer waits for the answer's scores."""
        part = " · follow-up" if v.part == "follow_up" else ""
        self.progress_label.setText(f"Question {min(v.index + 1, v.total)} of {v.total}{part}")
        caption = f"Follow-up: {v.caption}" if v.part == "follow_up" and v.phase in (
            "asking", "thinking", "answering") else v.caption
        self.caption.setText(caption)
        self.phase_label.setText("Paused — press P to resume." if v.paused
                                 else PHASES.get(v.phase, ""))
        considering = v.waited_s is not None
        if considering:
            doing = STAGES.get(stage, "")
            self.phase_label.setText(
                f"The interviewer is considering your answer{' — ' + doing if doing else ''}"
                f" · {int(v.waited_s)} s  (N: no follow-up)")
        self.wait_bar.setVisible(considering)
        source = SOURCES.get(v.follow_up_source or "", "") if v.phase in (
            "asking", "thinking", "answering", "saving") else ""
        self.source_label.setText(source.format(limit=f"{int(v.wait_limit_s)} s"))
        self.source_label.setVisible(bool(source))
        asking = v.phase in ("asking", "thinking", "answering")
        if v.think_left_s is not None:
            self.think_label.setText(f"Think {fmt_time(math.ceil(v.think_left_s))}")
        else:
            self.think_label.setText("Think —" if asking else "")
        self._running(self.think_label, v.think_left_s is not None)
        answering = v.answer_s is not None
        if asking:
            hard = f" · stops at {fmt_time(v.hard_stop_s)}" if v.hard_stop_s else ""
            self.answer_label.setText(f"Answer {fmt_time(v.answer_s)} / target "
                                      f"{fmt_time(v.target_s)}{hard}")
        else:
            self.answer_label.setText("")
        self._running(self.answer_label, answering)
        top = v.hard_stop_s or (v.target_s * 1.5)
        self.answer_bar.setRange(0, int(top * 10))
        self.answer_bar.setValue(min(int((v.answer_s or 0.0) * 10), int(top * 10)))
        self.answer_bar.setVisible(asking)
        self.level_meter.setVisible(answering)
        self._show_cue(v.cue if answering else None)
        can_answer = v.phase in ("asking", "thinking", "answering") and not v.paused
        self.answer_button.setEnabled(can_answer)
        self.answer_button.setText("Stop answer  [Space]" if v.phase == "answering"
                                   else "Start answer  [Space]")
        self.answer_button.setChecked(v.phase == "answering")
        self.pause_button.setText("Resume  [P]" if v.paused or v.phase.endswith("_pending")
                                  else "Pause  [P]")
        live = v.phase not in ("done", "closing")
        self.skip_button.setEnabled(live)
        self.end_button.setEnabled(live)

    def show_outline(self, rows: list[tuple[str, str, str]]) -> None:
        """The round so far: (mark, question, note) per question, the current one in bold."""
        html = []
        for mark, text, note in rows:
            line = f"{mark} {escape(shorten(text, 90))}" + (f" — {escape(note)}" if note else "")
            html.append(f"<b>{line}</b>" if mark == "▶" else line)
        self.outline.setText("<br>".join(html))

    @staticmethod
    def _running(label: QLabel, running: bool) -> None:
        """A clock that is not running is shown, dimmed."""
        label.setEnabled(running)
        label.setStyleSheet("" if running else "color: #9fb3c8;")

    def _show_cue(self, cue: str | None) -> None:
        if cue == self.cue:
            return
        self.cue = cue
        self.answer_bar.setStyleSheet(CUE_STYLE.get(cue, ""))
        self.cue_label.setText(CUE_TEXT.get(cue or "", ""))
        self.cue_label.setStyleSheet("color: #b44d12;" if cue == "target" else
                                     "color: #c63737; font-weight: 600;" if cue else "")
