"""The Interview tab: set up a round, run it (spoken, timed, hands-free), read its report.

Rounds run through :class:`~desktop_app.session.runner.RoundRunner` (no Qt); this view turns
its keys and buttons into events, ticks the clocks, and shows the machine's view. A round the
app never finished is offered for resuming or closing when the tab opens.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.session import round_io as io
from desktop_app.session.config import RoundConfig
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.kit import InterviewKit, open_schedule, parse_interview_date
from desktop_app.session.plan import Plan, QuestionStat
from desktop_app.session.report import RoundReport, StoredAttempts
from desktop_app.session.round_export import round_by_id
from desktop_app.session.round_state import ItemRecord, RoundView
from desktop_app.session.runner import RoundRunner
from desktop_app.session.schedule import Schedule
from desktop_app.session.voice import VoiceTracker
from desktop_app.storage.rounds import RoundRow
from desktop_app.textfmt import fmt_time
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from desktop_app.ui.interview_report import InterviewReport
from desktop_app.ui.interview_run import InterviewRun
from desktop_app.ui.interview_setup import InterviewSetup
from desktop_app.ui.round_flow import RoundAnswers, RoundVoice
from desktop_app.ui.rounds_list import RoundExporter
from desktop_app.ui.widgets import Banner

log = logging.getLogger(__name__)
TICK_MS = 100


def outline(plan: Plan, items: list[ItemRecord], current: int, done: bool
            ) -> list[tuple[str, str, str]]:
    """Each question of the round: a mark (✓ answered, – skipped, ▶ now, · to come), its text
    and a note (time used, follow-up answered)."""
    rows = []
    for n, (item, planned) in enumerate(zip(items, plan.items, strict=False)):
        if item.status == "answered":
            note = fmt_time(item.duration_s)
            if item.follow_up_status == "answered":
                note += " + follow-up"
            rows.append(("✓", planned.question.text, note))
        elif item.status in ("skipped", "not_asked"):
            rows.append(("–", planned.question.text, "skipped" if item.status == "skipped"
                         else "not asked"))
        else:
            rows.append(("▶" if n == current and not done else "·", planned.question.text, ""))
    return rows


class InterviewView(QWidget):
    """Setup → run → report, on one stack.

    Test hooks: ``setup``, ``run``, ``report_view`` (the three screens), ``stack``,
    ``runner`` (the RoundRunner of the round under way, or None), ``round_id``, ``answers``
    (RoundAnswers), ``start_round(plan, config)``, ``press(key)`` with key in
    ``"space" | "n" | "p" | "esc"``, ``resume_banner``, ``resume_unfinished()``,
    ``close_unfinished()``, ``show_round(id)``, ``regrade(attempt_id, grade)``.
    Signals: ``attempt_saved(id)``, ``round_finished(round_id)``, ``grade_changed(id)``."""

    attempt_saved = Signal(int)
    round_finished = Signal(int)
    grade_changed = Signal(int)

    def __init__(self, services: Any, pipeline: Any, speech: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline = services, pipeline
        self.kit = InterviewKit.load(services.paths.packs, services.bank)
        self.reader = StoredAttempts(services.repo)
        self.voice = RoundVoice(speech, self)
        self.answers: RoundAnswers | None = None
        self.runner: RoundRunner | None = None
        self.round_id: int | None = None
        self._vad = LiveConfig.load().vad
        self._unfinished: list[RoundRow] = []
        self.setup = InterviewSetup(self.kit, self._stats,
                                    lambda: random.SystemRandom().randrange(10_000))
        self.setup.start_requested.connect(self.start_round)
        self.run = InterviewRun()
        self.report_view = InterviewReport()
        self.report_view.new_round.connect(self._new_round)
        self.report_view.regrade_requested.connect(self.regrade)
        self.report_view.exporter = RoundExporter(self.report_view.banner, self.report_view)
        self.report_view.read_round = lambda rid: round_by_id(services.repo, rid)
        self.stack = QStackedWidget()
        for w in (self.setup, self.run, self.report_view):
            self.stack.addWidget(w)
        self.resume_banner = Banner()
        self.resume_button = QPushButton("Resume the round")
        self.resume_button.clicked.connect(self.resume_unfinished)
        self.close_button = QPushButton("Close it and see its report")
        self.close_button.clicked.connect(self.close_unfinished)
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_button)
        resume_row.addWidget(self.close_button)
        resume_row.addStretch(1)
        self._resume_row = QWidget()
        self._resume_row.setLayout(resume_row)
        self._resume_row.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.resume_banner)
        lay.addWidget(self._resume_row)
        lay.addWidget(self.stack, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        r = self.run
        r.answer_pressed.connect(lambda: self.press("space"))
        r.skip_pressed.connect(lambda: self.press("n"))
        r.pause_pressed.connect(lambda: self.press("p"))
        r.end_pressed.connect(lambda: self.press("esc"))
        for key, name in (("Space", "space"), ("N", "n"), ("P", "p"), ("Esc", "esc")):
            sc = QShortcut(QKeySequence(key), self.run)  # only while the run screen shows
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda name=name: self.press(name))
        if self.kit.errors:
            self.setup.banner.show_message("\n".join(str(e) for e in self.kit.errors[:5]),
                                           "error")
        self.check_unfinished()

    # ----- history and schedules --------------------------------------------------------------
    def schedule(self) -> Schedule:
        when = parse_interview_date(self.services.settings.interview_date)
        return open_schedule(self.services.repo, when)

    def _stats(self) -> Mapping[str, QuestionStat]:
        try:
            return self.schedule().stats()
        except Exception as exc:  # a damaged schedule: plan without history, say so
            log.warning("planning without your history: %s", exc)
            return {}

    def _keeper(self, config: RoundConfig) -> RoundKeeper:
        try:
            schedule: Schedule | None = self.schedule()
        except Exception as exc:
            log.warning("rounds will not update review schedules: %s", exc)
            schedule = None
        return RoundKeeper(self.services.repo, self.reader, config, schedule)

    # ----- starting, resuming ---------------------------------------------------------------
    def start_round(self, plan: Plan, config: RoundConfig) -> None:
        if self.runner is not None and not self.runner.machine.done:
            return
        keeper = self._keeper(config)
        try:
            round_id, machine = keeper.start(plan, time.monotonic)
        except Exception as exc:
            self.setup.banner.show_message(f"Could not start the round: {exc}", "error")
            return
        self._run(keeper, round_id, machine)
        self.runner.start()

    def _run(self, keeper: RoundKeeper, round_id: int, machine: Any) -> None:
        if self.answers is None:
            self.answers = RoundAnswers(self.services, self.pipeline, round_id, self)
            self.answers.attempt_saved.connect(self.attempt_saved)
            self.answers.level.connect(self.run.level_meter.set_level)
        self.answers.round_id = round_id
        self.round_id = round_id
        self.runner = RoundRunner(
            keeper, round_id, machine, self.voice, self.answers,
            lambda: VoiceTracker(VoiceActivityDetector(self._vad)), time.monotonic,
            on_change=self._show, on_cue=self._on_cue, on_finished=self._finished,
            on_error=lambda m: self.run.banner.show_message(m, "error"))
        self.answers.runner = self.runner
        self.voice.on_started = self.runner.speech_started
        self.voice.on_finished = self.runner.speech_finished
        self.run.banner.dismiss()
        self.stack.setCurrentWidget(self.run)
        self._show(machine.view())
        self._timer.start()

    def check_unfinished(self) -> None:
        """Offer a round the app never finished (a crash, a power cut)."""
        try:
            self._unfinished = RoundKeeper(self.services.repo, self.reader,
                                           self.kit.config).unfinished()
        except Exception as exc:
            log.warning("could not look for unfinished rounds: %s", exc)
            self._unfinished = []
        if not self._unfinished:
            self.resume_banner.dismiss()
            self._resume_row.hide()
            return
        row = self._unfinished[0]
        self.resume_banner.show_message(
            f"A mock interview from {row.started_at[:16].replace('T', ' ')} did not finish. "
            "Its finished answers are kept.", "info")
        self._resume_row.show()

    @property
    def has_unfinished(self) -> bool:
        return bool(self._unfinished)

    def resume_unfinished(self) -> None:
        if not self._unfinished:
            return
        row = self._unfinished.pop(0)
        keeper = self._keeper(self.kit.config)
        try:
            machine = keeper.resume(row, time.monotonic)
        except (ValueError, KeyError, TypeError) as exc:
            self.resume_banner.show_message(f"That round cannot be resumed ({exc}); closing "
                                            "it keeps its answers.", "error")
            self._unfinished.insert(0, row)
            return
        self.check_unfinished()
        self._run(keeper, row.id, machine)
        self.runner.start()

    def close_unfinished(self) -> None:
        if not self._unfinished:
            return
        row = self._unfinished.pop(0)
        try:
            report = self._keeper(self.kit.config).close(row)
        except Exception as exc:
            self.resume_banner.show_message(f"Could not close the round: {exc}", "error")
            return
        self.check_unfinished()
        self._finished(report)

    def show_round(self, round_id: int) -> bool:
        """Show a stored round's report (History's rounds list opens them here)."""
        report = RoundKeeper(self.services.repo, self.reader, self.kit.config).report(round_id)
        if report is None:
            return False
        self._show_report(report)
        return True

    def _show_report(self, report: RoundReport) -> None:
        self.report_view.show_report(report, self._grades(report))
        self.stack.setCurrentWidget(self.report_view)

    def _grades(self, report: RoundReport) -> dict[int, str]:
        """The review grade of each answer in the report (the candidate can change them)."""
        try:
            store = self.schedule().store
            out = {}
            for item in report.items:
                a = item.answer
                if a is not None and a.attempt_id is not None:
                    review = store.review_of(a.attempt_id)
                    if review is not None:
                        out[a.attempt_id] = review.grade
            return out
        except Exception as exc:
            log.warning("could not read the review grades: %s", exc)
            return {}

    def regrade(self, attempt_id: int, grade: str) -> None:
        """One click on a grade: the answer's review is graded again, the schedule follows."""
        try:
            self.schedule().regrade(attempt_id, grade)
        except ValueError as exc:  # a later answer to the question was already reviewed
            self.report_view.banner.show_message(str(exc), "info")
            return
        except Exception as exc:
            self.report_view.banner.show_message(f"Could not change the grade: {exc}", "error")
            return
        if self.report_view.report is not None:
            self._show_report(self.report_view.report)
            self.report_view.banner.show_message(
                f"Changed to {grade.title()}: the question comes back accordingly.", "info")
        self.grade_changed.emit(attempt_id)

    # ----- the round under way ----------------------------------------------------------------
    def press(self, key: str) -> None:
        """The candidate's keys: Space answer (start/stop), N skip, P pause/resume, Esc end."""
        runner = self.runner
        if runner is not None and runner.finishing and key == "esc":
            return runner.finish_now()  # don't wait for the last scores
        if runner is None or runner.machine.done or self.stack.currentWidget() is not self.run:
            return
        v = runner.view()
        if key == "space":
            runner.send(io.StopAnswer() if v.phase == "answering" else io.StartAnswer())
        elif key == "n":
            runner.send(io.Skip())
        elif key == "p":
            if v.paused:
                runner.send(io.Resume())
            elif v.phase.endswith("_pending"):
                runner.send(io.Begin())
            else:
                runner.send(io.Pause())
        elif key == "esc":
            runner.send(io.End())

    def _tick(self) -> None:
        runner = self.runner
        if runner is not None and runner.active:  # also while the report waits for scores
            runner.tick()
            if runner.finishing:
                self._show_finishing(runner)

    def _show(self, view: RoundView) -> None:
        self.run.show_view(view, self.runner.stage if self.runner is not None else "")
        if self.runner is not None:
            self.run.show_outline(outline(self.runner.machine.plan, self.runner.machine.items,
                                          view.index, self.runner.machine.done))
        if self.runner is not None and self.runner.finishing:
            self._show_finishing(self.runner)

    def _show_finishing(self, runner: RoundRunner) -> None:
        self.run.phase_label.setText(
            f"Scoring your last answers for the round report… {int(runner.waited_for_report_s)}"
            " s  (Esc: show the report now)")
        self.run.wait_bar.show()

    def _on_cue(self, level: str) -> None:
        log.info("round %s: %s cue", self.round_id, level)

    def _finished(self, report: RoundReport) -> None:
        self._timer.stop()
        self._show_report(report)
        if report.round_id is not None:
            self.round_finished.emit(report.round_id)

    def schedule_changed(self, *_: object) -> None:
        """Practice elsewhere changed what is due or new: a plan still being set up is redone
        (a round in progress, or its report, is left alone)."""
        if self.stack.currentWidget() is self.setup:
            self.setup.replan()

    def _new_round(self) -> None:
        self.setup.replan()  # what is due has changed
        self.stack.setCurrentWidget(self.setup)

    def shutdown(self) -> None:
        """Stop the clocks and the round's recorder; the round resumes at the next start."""
        self._timer.stop()
        self.voice.stop()
        if self.answers is not None:
            self.answers.shutdown()
