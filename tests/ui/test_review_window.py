"""Review, Compare and File → Export… in the window, on a real history (SQLite through the
storage API; Qt offscreen). The folder opener is the window's collaborator: the test's records
what it was asked to open instead of starting a file manager."""

from __future__ import annotations

import csv
import io

import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.main_window import MainWindow
from tests.fixtures_disk import read_only_mount  # noqa: F401 (fixture)
from tests.history_factory import make_history

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, services):
    opened: list = []
    w = MainWindow(services, load_model_on_show=False, open_folder=opened.append)
    w.opened = opened
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def ids(services):
    return make_history(services.repo, services.bank.questions, 24, weeks=3)


def test_review_opens_from_history_by_button_and_by_double_click(qtbot, window, ids):
    hv, rv = window.history_view, window.review_view
    hv.refresh()
    assert hv.open_attempt(ids[5])
    hv.review_button.click()
    assert window.tabs.currentWidget() is rv and rv.record.id == ids[5]
    assert rv.record.question_text in rv.title.text()
    assert "no recording" in rv.audio_label.text() and not rv.play_button.isEnabled()
    assert rv.scorecard.transcript_view.toPlainText().split()[:3] == \
        rv.record.transcript.text.split()[:3]

    window.tabs.setCurrentWidget(hv)
    index = hv.model.index(hv.model.row_of(ids[9]), 1)
    hv.table.scrollTo(index)
    rect = hv.table.visualRect(index)
    qtbot.mouseClick(hv.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert hv.selected_id == ids[9]
    qtbot.mouseDClick(hv.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentWidget() is rv and rv.record.id == ids[9]


def test_the_note_is_saved_through_the_review_and_exported(qtbot, window, ids, tmp_path):
    rv = window.review_view
    window.review(ids[2])
    rv.note_editor.edit.setPlainText("Open with the outage numbers.")
    rv.note_editor.save_now()
    assert rv.note_editor.state_label.text() == "Saved."
    assert window.services.repo.get_attempt(ids[2]).note == "Open with the outage numbers."
    dialog = window.open_export()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    dialog.path_edit.setText(str(tmp_path / "notes.csv"))
    with qtbot.waitSignal(dialog.finished_export, timeout=30000):
        dialog.export_button.click()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "notes.csv").read_text("utf-8-sig"))))
    assert {r["id"]: r["note"] for r in rows}[str(ids[2])] == "Open with the outage numbers."


def test_compare_retakes_from_the_review(qtbot, window, services, ids):
    by_question: dict[str, list[int]] = {}
    for i in ids:
        by_question.setdefault(services.repo.get_attempt(i).question_id, []).append(i)
    qid, mine = max(by_question.items(), key=lambda kv: len(kv[1]))
    assert len(mine) >= 2
    window.review(mine[-1])
    window.review_view.compare_button.click()
    view = window.compare_dialog.view
    assert window.compare_dialog.isVisible()
    assert sorted(r.id for r in view.retakes) == sorted(mine)
    assert view.picked == (view.retakes[-2].id, view.retakes[-1].id)
    view.first_button.click()
    a, b = view.retakes[0], view.retakes[-1]
    assert view.picked == (a.id, b.id)
    change = b.scores["overall"] - a.scores["overall"]
    text = view.change_labels["overall"].text()
    assert text.startswith("↑" if change > 0.5 else "↓" if change < -0.5 else "=")
    assert "STAR parts" in view.star_label.text()
    assert view.left_view.toPlainText() and view.right_view.toPlainText()
    assert view.marks.first == a.id and view.marks.latest == b.id
    best = max(view.retakes, key=lambda r: (r.scores["overall"], r.started_at))
    assert view.marks.best == best.id


def test_file_export_writes_a_pdf_with_progress_and_opens_its_folder(qtbot, window, ids,
                                                                      tmp_path):
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog.isVisible()
    # "All time" shows no dates (none apply); a preset shows the ones it means
    assert dialog.preset_combo.currentText() == "All time" and dialog.since_edit.isHidden()
    dialog.preset_combo.setCurrentIndex(0)
    assert dialog.since_edit.isVisible() and not dialog.since_edit.isEnabled()
    assert dialog.since_edit.date().daysTo(dialog.until_edit.date()) == 27
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findText("All time"))
    steps: list[int] = []
    dialog.progress_bar.valueChanged.connect(steps.append)
    dialog.pages_check.setChecked(True)
    # one competency only
    for i in range(dialog.competency_list.count()):
        dialog.competency_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    wanted = window.services.repo.get_attempt(ids[0]).question_id
    competency = window.services.bank.get(wanted).competency
    dialog.competency_list.findItems(competency, Qt.MatchFlag.MatchExactly)[0].setCheckState(
        Qt.CheckState.Checked)
    target = tmp_path / "progress.pdf"
    dialog.path_edit.setText(str(target))
    request = dialog.request()
    assert request.filter.competencies == (competency,) and request.attempt_pages
    with qtbot.waitSignal(dialog.finished_export, timeout=60000):
        dialog.export_button.click()
    assert target.read_bytes()[:5] == b"%PDF-"
    # its charts came from the window's chart process, not from a thread holding the GIL
    assert dialog.charts is window.progress_view.charts and dialog.charts.running
    assert window.opened == [tmp_path]
    assert steps and steps[-1] == 100 and len(set(steps)) >= 3, "progress was shown"
    assert str(target) in dialog.status_label.text()


def test_an_unwritable_folder_is_said_in_the_dialog_which_keeps_the_choices(
        qtbot, window, ids, tmp_path, read_only_mount):  # noqa: F811
    src = tmp_path / "src"
    src.mkdir()
    ro = read_only_mount(src)
    dialog = window.open_export()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("json"))
    dialog.path_edit.setText(str(ro / "everything.json"))
    with qtbot.waitSignal(dialog.export_failed, timeout=30000) as failed:
        dialog.export_button.click()
    assert "may not write in" in failed.args[0]
    assert dialog.status_label.text() == failed.args[0] and dialog.isVisible()
    assert dialog.path_edit.text() == str(ro / "everything.json")
    assert dialog.export_button.isEnabled() and window.opened == []
    assert list(src.iterdir()) == []


def test_export_this_attempt_writes_the_bundle_and_opens_its_folder(qtbot, window, ids,
                                                                    tmp_path):
    window.review(ids[1])
    target = tmp_path / "one.zip"
    with qtbot.waitSignal(window.bundles.done, timeout=30000) as done:
        assert window.export_attempt(ids[1], target)
    assert done.args[0] == str(target) and target.stat().st_size > 1000
    assert window.opened == [tmp_path]
    assert "Wrote" in window.statusBar().currentMessage()
