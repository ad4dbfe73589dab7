"""Review one attempt: the question, its transcript, scores, tips and follow-up, with its audio
synced to the transcript.

The word being spoken is highlighted and kept in view; click any word to play from there,
click a finding to play its words; Space plays or pauses, ←/→ seek 5 s. The position comes from
the audio stream (``Transport.position`` ← ``Player.position``), read by the playback bar
(:mod:`.review_playback`) every 30 ms, and the word is found by binary search over the word
start times. The recording is read off the GUI
thread; a missing or unreadable WAV is said in the bar and the transcript stays.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.audio.transport import SKIP_S, Transport
from desktop_app.reports.records import AttemptRecord, load_record
from desktop_app.textfmt import fmt_time, long_date
from desktop_app.ui.note_editor import NoteEditor
from desktop_app.ui.review_playback import PlaybackBar
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.tasks import Tasks
from desktop_app.ui.transcript_view import word_char_spans
from desktop_app.ui.widgets import Banner

FINDING_TAIL_S = 0.35  # a finding's words play to their end plus this


def star_times(rec: AttemptRecord, spans: list[tuple[int, int, float, float]]
               ) -> list[tuple[float, float, str]]:
    """Each STAR unit's (start, end, label) on the recording: stored times, else its words'."""
    if rec.analysis is None:
        return []
    out = []
    for unit in rec.analysis.star.sentences:
        start, end = unit.start, unit.end
        if start is None or end is None:
            inside = [s for s in spans if s[0] >= unit.char_start and s[1] <= unit.char_end]
            if not inside:
                continue
            start, end = inside[0][2], inside[-1][3]
        out.append((float(start), float(end), unit.label))
    return out


class ReviewView(QWidget):
    """Test hooks: ``open_attempt(id)``, ``record``, ``transport`` (None until the audio is
    read), ``audio_ready`` (signal), ``play_button``, ``back_button``, ``forward_button``,
    ``seek_bar``, ``time_label``, ``audio_label`` (why there is no audio), ``scorecard``,
    ``transcript_view``, ``spans`` (char_start, char_end, start, end per timed word),
    ``current_word`` (index into ``spans`` or -1), ``word_rect(i)``, ``note_editor``,
    ``compare_button``, ``export_button``, ``banner``.
    Signals: ``compare_requested(question_id, attempt_id)``, ``export_requested(attempt_id)``,
    ``practise_requested(question_id)``, ``audio_ready()``, ``word_changed(index)``.
    """

    compare_requested = Signal(str, int)
    export_requested = Signal(int)
    practise_requested = Signal(str)
    audio_ready = Signal()
    word_changed = Signal(int)

    def __init__(self, services: Any, player: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.player = services, player
        self.record: AttemptRecord | None = None
        self.spans: list[tuple[int, int, float, float]] = []
        self._starts: list[float] = []
        self.current_word = -1
        self._token = 0
        self.tasks = Tasks(self)
        self.tasks.done.connect(self._audio_loaded)
        self.tasks.failed.connect(self._audio_failed)

        self.banner = Banner()
        self.title = QLabel("Open an attempt from History to review it.")
        self.title.setObjectName("questionText")
        self.title.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setObjectName("cardHeading")
        self.compare_button = QPushButton("Compare retakes…")
        self.compare_button.clicked.connect(self._compare)
        self.export_button = QPushButton("Export this attempt…")
        self.export_button.clicked.connect(lambda: self.export_requested.emit(
            self.record.id if self.record else -1))
        self.again_button = QPushButton("Practise again")
        self.again_button.clicked.connect(lambda: self.practise_requested.emit(
            self.record.attempt.question_id if self.record else ""))
        head_buttons = QHBoxLayout()
        head_buttons.addWidget(self.meta, 1)
        for b in (self.compare_button, self.again_button, self.export_button):
            head_buttons.addWidget(b)

        self.playback = PlaybackBar()
        self.playback.position_changed.connect(self._follow)
        self.playback.failed.connect(lambda m: self.banner.show_message(m, "error"))
        pb = self.playback
        self.play_button, self.back_button, self.forward_button = (
            pb.play_button, pb.back_button, pb.forward_button)
        self.seek_bar, self.time_label = pb.seek_bar, pb.time_label
        self.audio_label = QLabel()
        self.audio_label.setObjectName("hint")
        self.audio_label.setWordWrap(True)

        self.scorecard = Scorecard(allow_follow_up=False)
        self.scorecard.speak_follow_up_button.hide()
        self.scorecard.finding_activated.connect(self._play_finding)
        self.transcript_view = self.scorecard.transcript_view
        self.transcript_view.viewport().installEventFilter(self)
        self.transcript_view.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.note_editor = NoteEditor(services)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.scorecard, 1)
        bl.addWidget(self.note_editor)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.banner)
        lay.addWidget(self.title)
        lay.addLayout(head_buttons)
        lay.addWidget(self.playback)
        lay.addWidget(self.audio_label)
        lay.addWidget(scroll, 1)

        for keys, slot in (("Space", self.toggle_play), ("Left", lambda: self.skip(-SKIP_S)),
                           ("Right", lambda: self.skip(SKIP_S))):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        for b in (self.compare_button, self.export_button, self.again_button):
            b.setEnabled(False)

    @property
    def transport(self) -> Transport | None:
        """The recording being played (None until it is read, or when there is none)."""
        return self.playback.transport

    # ---- opening an attempt -------------------------------------------------------------------
    def open_attempt(self, attempt_id: int) -> bool:
        """Show an attempt (False when it no longer exists); its audio loads in the background."""
        self.stop()
        rec = load_record(self.services.attempts, self.services.bank, attempt_id)
        self.record = rec
        self.playback.set_transport(None)
        self._token += 1
        if rec is None:
            self.title.setText("This attempt no longer exists.")
            self.scorecard.clear()
            self.note_editor.set_attempt(None)
            return False
        a = rec.attempt
        self.title.setText(f"↳ {a.prompt_text}" if a.prompt_text else rec.question_text)
        meta = f"{long_date(a.started_at)} · {fmt_time(a.duration_s)}"
        self.meta.setText(meta + (f" · {a.model}" if a.model else "") + f" · attempt {rec.id}")
        strong = rec.question.strong_answer if rec.question and not a.prompt_text else ""
        text = rec.analysis.text if rec.analysis else (rec.transcript.text or a.transcript_text)
        if rec.analysis is not None:
            self.scorecard.show_analysis(rec.analysis, rec.transcript, strong)
        else:
            self.scorecard.show_transcript_only(text or "No transcript yet.")
        self.spans = word_char_spans(text or "", rec.transcript.words)
        self._starts = [s[2] for s in self.spans]
        self.current_word = -1
        self.note_editor.set_attempt(rec)
        self.seek_bar.set_timeline(max(a.duration_s, rec.transcript.duration),
                                   star_times(rec, self.spans))
        for b in (self.compare_button, self.export_button, self.again_button):
            b.setEnabled(True)
        self._load_audio(rec)
        return True

    def _load_audio(self, rec: AttemptRecord) -> None:
        a = rec.attempt
        if not a.audio_path:
            self._no_audio("A typed answer: there is no recording to play." if rec.transcript.text
                           and not rec.transcript.words else "This attempt has no recording.")
            return
        if self.player is None:
            self._no_audio("Playback is unavailable: no sound output was found. The transcript "
                           "and scores are all here.")
            return
        path = Path(self.services.paths.absolute(a.audio_path))
        if not path.exists():
            self._no_audio(f"The recording is missing ({path}). The transcript and scores are "
                           "kept.")
            return
        self.audio_label.setText("Reading the recording…")
        self.audio_label.show()
        token, player = self._token, self.player
        self.tasks.start(token, lambda: Transport.from_file(player, path))

    def _audio_loaded(self, token: object, transport: Transport) -> None:
        if token != self._token:
            return
        self.audio_label.hide()
        self.playback.set_transport(transport)
        self.audio_ready.emit()

    def _audio_failed(self, token: object, exc: BaseException) -> None:
        if token == self._token:
            self._no_audio(f"Could not read the recording: {exc} The transcript and scores "
                           "are kept.")

    def _no_audio(self, message: str) -> None:
        self.audio_label.setText(message)
        self.audio_label.show()
        self.playback.set_controls(False)

    # ---- playback (the bar plays; these are the view's keys and clicks) ------------------------
    def toggle_play(self) -> None:
        self.playback.toggle_play()

    def play(self, start: float | None = None, stop_at: float | None = None) -> None:
        self.playback.play(start, stop_at)

    def pause(self) -> None:
        self.playback.pause()

    def stop(self) -> None:
        """Stop playback (another attempt opens, the tab is left, the window closes)."""
        self.playback.stop()

    def seek(self, seconds: float) -> None:
        self.playback.seek(seconds)

    def skip(self, delta: float) -> None:
        self.playback.skip(delta)

    def play_word(self, index: int) -> None:
        """Play from word ``index``'s start (the click on a word)."""
        if 0 <= index < len(self.spans):
            self.playback.seek_or_play(self.spans[index][2])

    def _play_finding(self, char_start: int, char_end: int, when: float) -> None:
        inside = [s for s in self.spans if s[1] > char_start and s[0] < char_end]
        start = inside[0][2] if inside else when
        if start is None or start < 0 or self.transport is None:
            return
        end = inside[-1][3] + FINDING_TAIL_S if inside else None
        self.play(start, stop_at=end)

    def _follow(self, pos: float) -> None:
        """The stream is at ``pos``: highlight the word being spoken."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos > self.spans[i][3] + 0.6:  # in a long pause: no word is spoken
            i = -1
        self._highlight(i)

    # ---- the spoken word ----------------------------------------------------------------------
    def _highlight(self, index: int) -> None:
        if index == self.current_word:
            return
        self.current_word = index
        view = self.transcript_view
        if index < 0:
            view.setExtraSelections([])
        else:
            cs, ce, _s, _e = self.spans[index]
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(view.document())
            cursor.setPosition(cs)
            cursor.setPosition(ce, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#2680c2"))
            fmt.setForeground(QColor("white"))
            sel.cursor, sel.format = cursor, fmt
            view.setExtraSelections([sel])
            self._keep_in_view(cs)
        self.word_changed.emit(index)

    def word_rect(self, index: int) -> Any:
        """The viewport rectangle of word ``index`` (for tests and the click)."""
        cs, ce, _s, _e = self.spans[index]
        cursor = QTextCursor(self.transcript_view.document())
        cursor.setPosition(cs)
        left = self.transcript_view.cursorRect(cursor)
        cursor.setPosition(ce)
        right = self.transcript_view.cursorRect(cursor)
        return left.united(right)

    def _keep_in_view(self, char: int) -> None:
        view = self.transcript_view
        cursor = QTextCursor(view.document())
        cursor.setPosition(char)
        rect = view.cursorRect(cursor)
        vp = view.viewport().rect()
        if rect.top() < vp.top() + 4 or rect.bottom() > vp.bottom() - 4:
            bar = view.verticalScrollBar()
            bar.setValue(bar.value() + rect.center().y() - vp.height() // 3)

    def word_at(self, char: int) -> int:
        """The word at character ``char`` (or the next word after it), -1 when none."""
        for i, (_cs, ce, _s, _e) in enumerate(self.spans):
            if ce > char:
                return i
        return -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (watched is self.transcript_view.viewport()
                and event.type() == QEvent.Type.MouseButtonRelease
                and event.button() == Qt.MouseButton.LeftButton
                and not self.transcript_view.textCursor().hasSelection()):
            char = self.transcript_view.cursorForPosition(event.position().toPoint()).position()
            index = self.word_at(char)
            if index >= 0:
                self.play_word(index)
        return super().eventFilter(watched, event)

    def _compare(self) -> None:
        if self.record is not None:
            self.compare_requested.emit(self.record.attempt.question_id, self.record.id)

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.pause()
        super().hideEvent(event)
