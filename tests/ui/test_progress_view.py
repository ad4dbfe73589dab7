"""The Progress view on real SQLite histories made through the storage API: 0, 1 and 1,000
attempts; filters change what the charts hold; one click starts a suggested question."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.reports.charts import trend
from desktop_app.ui.progress_view import ProgressView
from tests.history_factory import analysis_pool, make_history

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def pool():
    from desktop_app.paths import prompts_dir
    from desktop_app.questions import QuestionBank

    return analysis_pool(QuestionBank.load([prompts_dir()]).questions)


@pytest.fixture(scope="module")
def drawer():
    """One chart process for the module's views, as the window keeps one for its life."""
    from desktop_app.reports.chart_process import ChartProcess

    process = ChartProcess()
    yield process
    process.close()


@pytest.fixture
def opened(qtbot, drawer):
    def open_view(services) -> ProgressView:
        view = ProgressView(services, charts=drawer)
        qtbot.addWidget(view)
        view.resize(1100, 800)
        with qtbot.waitSignal(view.charts_ready, timeout=60000):
            view.show()
        return view

    return open_view


def pixels(view: ProgressView, name: str) -> np.ndarray:
    image = view.chart_labels[name].pixmap().toImage()
    ptr = image.constBits()
    return np.frombuffer(ptr, np.uint8, image.sizeInBytes()).copy()


def test_no_attempts_shows_how_to_start(qtbot, opened, services):
    view = opened(services)
    assert view.stack.currentWidget() is view.empty_page
    assert "Record" in view.empty_text.text() and "Practice" in view.empty_text.text()
    with qtbot.waitSignal(view.practise_requested) as go:
        view.empty_button.click()
    assert go.args == [""]


def test_one_attempt_is_a_point_not_a_broken_chart(qtbot, opened, services, pool):
    [aid] = make_history(services.repo, services.bank.questions, 1, pool=pool)
    view = opened(services)
    assert view.stack.currentWidget() is view.content_page
    r = view.report
    assert r.summary.attempts == 1 and trend(r, "overall").ids == [aid]
    assert "1 attempts" not in view.summary_label.text()
    for name in ("scores", "delivery", "weeks"):
        assert not view.chart_labels[name].pixmap().isNull()
    practised = {row.competency for row in r.coverage if row.attempts}
    never = [row for row in r.coverage if not row.attempts]
    assert len(practised) == 1 and never, "never-practised competencies are listed too"
    assert view.coverage.rowCount() == len(r.coverage)
    names = [view.coverage.item(i, 0).text() for i in range(view.coverage.rowCount())]
    assert names == sorted(names), "competencies A to Z (Qt sorts descending by default)"


def test_a_thousand_attempts_and_filters_change_what_the_charts_hold(qtbot, opened, services, pool):
    make_history(services.repo, services.bank.questions, 1000, weeks=10, pool=pool)
    view = opened(services)
    everything = view.report
    assert everything.summary.attempts == 1000
    overall = trend(everything, "overall")
    assert sum(overall.counts) == 1000 and len(overall.values) <= 400  # averaged points
    assert overall.rolling[-1] > overall.rolling[0], "the factory's candidate improves"
    before = pixels(view, "scores")

    competency = next(row.competency for row in everything.coverage if row.attempts)
    i = view.competency_combo.findData(competency)
    with qtbot.waitSignal(view.charts_ready, timeout=60000):
        view.competency_combo.setCurrentIndex(i)
    narrowed = view.report
    assert narrowed.filter.competencies == (competency,)
    expected = sum(row.attempts for row in everything.coverage if row.competency == competency)
    assert sum(trend(narrowed, "overall").counts) == expected < 1000
    assert [row.competency for row in narrowed.coverage] == [competency]
    assert not np.array_equal(before, pixels(view, "scores")), "the chart is redrawn"

    with qtbot.waitSignal(view.charts_ready, timeout=60000):
        view.period_combo.setCurrentIndex(0)  # last 4 weeks
    recent = view.report
    since = recent.filter.since
    assert since is not None
    assert all(p.at.astimezone().date() >= since for p in recent.series)
    assert recent.summary.attempts < narrowed.summary.attempts

    with qtbot.waitSignal(view.practise_requested) as go:
        view.next_buttons[0].click()
    assert go.args[0] == view.suggestions[0].question.id


def test_charts_are_drawn_by_a_child_process_that_comes_back_if_killed(qtbot, services, pool):
    """matplotlib runs in a process of its own (drawn on a thread of the window's process it
    held the GIL and froze the window: bench/progress.py). Killed, the next draw starts a new
    one; the charts are never missing."""
    import multiprocessing
    import os
    import signal

    from desktop_app.reports.chart_process import ChartProcess

    make_history(services.repo, services.bank.questions, 30, weeks=3, pool=pool)
    own = ChartProcess()
    try:
        view = ProgressView(services, charts=own)
        qtbot.addWidget(view)
        view.resize(1100, 800)
        assert not own.running  # nothing is spawned until a chart is drawn
        with qtbot.waitSignal(view.charts_ready, timeout=60000):
            view.show()
        assert own.running
        children = multiprocessing.active_children()
        assert children and all(c.pid != os.getpid() for c in children)
        first = pixels(view, "scores")
        for child in children:
            os.kill(child.pid, signal.SIGKILL)
            child.join(10)
        with qtbot.waitSignal(view.charts_ready, timeout=60000):
            view.refresh(force=True)
        assert np.array_equal(first, pixels(view, "scores")), "the same chart, drawn again"
        assert own.running and multiprocessing.active_children()
    finally:
        own.close()
