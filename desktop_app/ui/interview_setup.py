"""The mock interview's setup screen: role, seniority, values pack, length, clocks, and the plan
(with swap-a-question) the candidate sees before starting."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.session.config import RoundConfig
from desktop_app.session.kit import InterviewKit
from desktop_app.session.plan import Plan, PlanRequest, QuestionStat
from desktop_app.textfmt import kind_label
from desktop_app.ui.widgets import Banner

REASONS = {"due": "due for review", "weak": "weak last time", "new": "not practised yet",
           "focus": "a focus of the role", "mix": "for the mix", "value": "a company value"}


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    # long pack names elide in a narrow window instead of pushing the plan off the screen
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    for label, data in items:
        combo.addItem(label, data)
    return combo


class InterviewSetup(QWidget):
    """Choices → a plan shown as a list; ``start_requested(plan, config)`` on Start.

    Test hooks: ``role_combo``, ``level_combo``, ``values_combo``, ``by_count`` /
    ``by_time`` (radio), ``count_spin``, ``minutes_combo``, ``think_spin``, ``target_spin``,
    ``hard_stop_check``, ``hands_free_check``, ``due_check``, ``plan_list``, ``swap_button``,
    ``start_button``, ``plan`` (the Plan shown), ``replan()``, ``swap(index)``, ``banner``."""

    start_requested = Signal(object, object)  # Plan, RoundConfig

    def __init__(self, kit: InterviewKit, stats: Callable[[], Mapping[str, QuestionStat]],
                 seed: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kit, self._stats, self._seed = kit, stats, seed
        self.plan: Plan | None = None
        self._seed_value = seed()
        roles, cfg = kit.roles, kit.config
        self.role_combo = _combo("Role", [(r.label, r.key) for r in roles.roles.values()])
        self.level_combo = _combo("Seniority", [(lv.label, lv.key)
                                                for lv in roles.levels.values()])
        if (i := self.level_combo.findData("mid")) >= 0:
            self.level_combo.setCurrentIndex(i)
        self.values_combo = _combo("Company values pack", [("No values pack", None)] + [
            (p.name, p.key) for p in kit.values.packs])
        self.by_count = QRadioButton("Questions")
        self.by_time = QRadioButton("Time box")
        self.by_count.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_count)
        group.addButton(self.by_time)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(cfg.min_questions, cfg.max_questions)
        self.count_spin.setValue(max(cfg.min_questions, min(cfg.max_questions, 5)))
        self.count_spin.setAccessibleName("Number of questions")
        self.minutes_combo = _combo("Time box", [(f"{m} min", m) for m in cfg.time_boxes])
        self.minutes_combo.setMinimumContentsLength(6)
        self.think_spin = self._seconds("Think time", 0, 120, cfg.answer.think_s)
        self.target_spin = self._seconds("Answer target", 30, 600, cfg.answer.target_s)
        self.hard_stop_check = QCheckBox(f"Hard stop at {cfg.answer.hard_stop_s / 60:g} min")
        self.hard_stop_check.setChecked(cfg.answer.hard_stop_s > 0)
        self.hands_free_check = QCheckBox(
            f"Hands-free: an answer ends after\n{cfg.hands_free.silence_s:g} s of silence")
        self.hands_free_check.setChecked(cfg.hands_free.enabled)
        self.due_check = QCheckBox("Build it from due and weak\nquestions first")
        self.banner = Banner()
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.plan_list = QListWidget()
        self.plan_list.setAccessibleName("The round's questions")
        self.plan_list.setWordWrap(True)
        self.plan_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.swap_button = QPushButton("Swap this question")
        self.swap_button.setAccessibleName("Swap the selected question for another")
        self.swap_button.clicked.connect(lambda: self.swap(self.plan_list.currentRow()))
        self.reshuffle_button = QPushButton("Another mix")
        self.reshuffle_button.clicked.connect(self._reshuffle)
        self.start_button = QPushButton("Start the round")
        self.start_button.setObjectName("primaryButton")
        self.start_button.setAccessibleName("Start the round")
        self.start_button.clicked.connect(self._start)
        self._layout()
        for w in (self.role_combo, self.level_combo, self.values_combo, self.minutes_combo):
            w.currentIndexChanged.connect(self.replan)
        for w in (self.by_count, self.due_check):
            w.toggled.connect(self.replan)
        self.count_spin.valueChanged.connect(self.replan)
        self.replan()

    @staticmethod
    def _seconds(name: str, lo: int, hi: int, value: float) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setSuffix(" s")
        spin.setValue(int(value))
        spin.setAccessibleName(name)
        return spin

    def _layout(self) -> None:
        """Choices on the left, the plan on the right, Start under the plan."""
        form = QFormLayout()
        form.addRow("Role", self.role_combo)
        form.addRow("Seniority", self.level_combo)
        form.addRow("Values", self.values_combo)
        by_count = QHBoxLayout()
        by_count.addWidget(self.by_count)
        by_count.addWidget(self.count_spin)
        by_count.addStretch(1)
        by_time = QHBoxLayout()
        by_time.addWidget(self.by_time)
        by_time.addWidget(self.minutes_combo)
        by_time.addStretch(1)
        form.addRow("Length", by_count)
        form.addRow("", by_time)
        form.addRow("Think time", self.think_spin)
        form.addRow("Answer target", self.target_spin)
        form.addRow("", self.hard_stop_check)
        left = QVBoxLayout()
        left.addLayout(form)
        for w in (self.hands_free_check, self.due_check):
            left.addWidget(w)
        left.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.swap_button)
        buttons.addWidget(self.reshuffle_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.plan_list, 1)
        right.addLayout(buttons)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addSpacing(12)
        columns.addLayout(right, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        title = QLabel("Mock interview")
        title.setObjectName("questionText")
        lay.addWidget(title)
        lay.addWidget(self.banner)
        lay.addLayout(columns, 1)

    # ----- the plan -----------------------------------------------------------------------
    def request(self) -> PlanRequest:
        by_count = self.by_count.isChecked()
        return PlanRequest(
            role=self.role_combo.currentData(), seniority=self.level_combo.currentData(),
            values=self.values_combo.currentData(),
            questions=self.count_spin.value() if by_count else None,
            minutes=None if by_count else self.minutes_combo.currentData(),
            seed=self._seed_value, due_and_weak=self.due_check.isChecked())

    def replan(self) -> None:
        self.count_spin.setEnabled(self.by_count.isChecked())
        self.minutes_combo.setEnabled(self.by_time.isChecked())
        try:
            self.plan = self.kit.planner.plan(self.request(), self._stats())
        except ValueError as exc:
            self.plan = None
            self.banner.show_message(str(exc), "error")
        else:
            self.banner.dismiss()
        self._show_plan()

    def swap(self, index: int) -> None:
        if self.plan is None or index < 0:
            return
        try:
            self.plan = self.kit.planner.swap(self.plan, index, self._stats())
        except ValueError as exc:
            self.banner.show_message(str(exc), "info")
            return
        self._show_plan()
        self.plan_list.setCurrentRow(index)

    def _reshuffle(self) -> None:
        self._seed_value = self._seed()
        self.replan()

    def _show_plan(self) -> None:
        self.plan_list.clear()
        plan = self.plan
        self.start_button.setEnabled(bool(plan and plan.items))
        self.swap_button.setEnabled(bool(plan and plan.items))
        if plan is None:
            self.summary.setText("No plan")
            return
        minutes = round(len(plan.items) * self.kit.config.per_question_s / 60)
        values = f" · {plan.values_name}" if plan.values_name else ""
        self.summary.setText(f"{len(plan.items)} questions, about {minutes} min · "
                             f"{plan.role_label} · {plan.level_label}{values}")
        for n, item in enumerate(plan.items, 1):
            q = item.question
            why = f"value: {item.value}" if item.value else REASONS.get(item.reason, item.reason)
            row = QListWidgetItem(f"{n}. {q.text}\n    {q.competency} · {kind_label(q.kind)} "
                                  f"· {why}")
            row.setData(Qt.ItemDataRole.UserRole, q.id)
            self.plan_list.addItem(row)
        if plan.notes:
            self.banner.show_message("\n".join(plan.notes), "info")
        self.plan_list.setCurrentRow(0)

    def config(self) -> RoundConfig:
        cfg = self.kit.config
        hard = cfg.answer.hard_stop_s if self.hard_stop_check.isChecked() else 0.0
        target = float(self.target_spin.value())
        if hard and hard <= target:
            hard = target + 2 * cfg.answer.stronger_cue_after_s
        return cfg.with_times(think_s=self.think_spin.value(), target_s=target,
                              hard_stop_s=hard, hands_free=self.hands_free_check.isChecked())

    def _start(self) -> None:
        if self.plan is not None and self.plan.items:
            self.start_requested.emit(self.plan, self.config())
