"""History: newest first, search, open (transcript + scorecard), delete with audio, recovered."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.analysis import Analyzer
from desktop_app.audio.wavio import write_wav
from desktop_app.domain import Attempt, Transcript

pytestmark = pytest.mark.gui

TEXTS = [
    "I resolved a conflict between two teams about the release date by mapping dependencies.",
    "We migrated the billing database and I owned the rollback plan; downtime fell to zero.",
    "The deadline moved so I cut scope with the product manager and shipped on time.",
]


def add(svc, i: int, text: str, *, status: str = "scored", analysed: bool = True) -> int:
    rel = f"recordings/2024010{i}-120000-q.wav"
    write_wav(svc.paths.absolute(rel), np.zeros(16000, dtype=np.float32), 16000)
    q = svc.bank.questions[i]
    attempt = Attempt(id=None, question_id=q.id, started_at=f"2024-01-0{i}T12:00:00+00:00",
                      duration_s=1.0, audio_path=rel, status=status, transcript_text=text)
    if analysed:
        analysis = Analyzer().analyze(text, q)
        attempt.analysis_json = json.dumps(analysis.to_dict())
        attempt.words_json = json.dumps(Transcript.from_text(text).to_dict())
        attempt.scores = dict(analysis.scores)
    return svc.repo.add_attempt(attempt)


def test_history_lists_newest_first_and_searches(services, make_window, qtbot):
    ids = [add(services, i + 1, t) for i, t in enumerate(TEXTS)]
    w = make_window(services, load_model=False)
    hv = w.history_view
    assert hv.row_ids() == ids[::-1]
    overall = services.repo.get_attempt(ids[2]).scores["overall"]
    assert hv.model.index(0, 3).data() == str(round(overall))
    assert hv.model.index(0, 4).data() == "scored"
    hv.search_edit.setText("billing")
    qtbot.waitUntil(lambda: hv.row_ids() == [ids[1]], timeout=3000)
    hv.search_edit.clear()
    qtbot.waitUntil(lambda: len(hv.row_ids()) == 3, timeout=3000)


def test_opening_an_attempt_shows_transcript_and_scorecard(services, make_window):
    ids = [add(services, i + 1, t) for i, t in enumerate(TEXTS)]
    w = make_window(services, load_model=False)
    hv = w.history_view
    assert hv.open_attempt(ids[0])
    assert hv.selected_id == ids[0]
    assert hv.scorecard.transcript_view.toPlainText() == TEXTS[0]
    stored = json.loads(services.repo.get_attempt(ids[0]).analysis_json)
    assert hv.scorecard.tiles["overall"].value.text() == str(round(stored["scores"]["overall"]))
    assert services.bank.questions[1].text in hv.detail_title.text()
    # what a strong answer to that question covers, beside the candidate's own STAR parts
    strong = services.bank.questions[1].strong_answer.split(";")[0].strip()
    assert strong[1:30] in hv.scorecard.strong_answer.strong_label.text()
    assert not hv.scorecard.strong_answer.isHidden()
    assert hv.delete_button.isEnabled()
    assert hv.transcribe_button.text() == "Re-transcribe"  # scored already
    assert not hv.play_button.isEnabled()  # no audio system in these Services


def test_delete_removes_row_and_audio(services, make_window):
    ids = [add(services, i + 1, t) for i, t in enumerate(TEXTS)]
    w = make_window(services, load_model=False)
    hv = w.history_view
    audio = services.paths.absolute(services.repo.get_attempt(ids[1]).audio_path)
    assert audio.exists()
    hv.open_attempt(ids[1])
    assert hv.delete_attempt(ids[1], ask=False)
    assert services.repo.get_attempt(ids[1]) is None and not audio.exists()
    assert hv.row_ids() == [ids[2], ids[0]]
    assert hv.selected_id is None


def test_recovered_attempt_can_be_transcribed(services, make_window, qtbot):
    rid = add(services, 1, "", status="recovered", analysed=False)
    w = make_window(services)  # no model installed in this data folder
    qtbot.waitUntil(lambda: w.pipeline.state == "missing", timeout=10000)
    hv = w.history_view
    hv.open_attempt(rid)
    assert "Recovered recording" in hv.scorecard.transcript_view.toPlainText()
    assert hv.transcribe_button.isEnabled()
    with qtbot.waitSignal(w.pipeline.attempt_failed, timeout=10000) as blocker:
        hv.transcribe_button.click()
    assert blocker.args[0] == rid and "No Whisper model" in blocker.args[1]
    qtbot.waitUntil(lambda: "No Whisper model" in hv.banner.text())
    kept = services.repo.get_attempt(rid)
    assert kept.status == "recovered" and services.paths.absolute(kept.audio_path).exists()


def test_after_a_delete_nothing_stays_highlighted(services, make_window):
    ids = [add(services, i + 1, t) for i, t in enumerate(TEXTS)]
    w = make_window(services, load_model=False)
    hv = w.history_view
    hv.table.selectRow(1)  # the user clicks the middle row
    assert hv.selected_id == ids[1]
    assert hv.delete_attempt(ids[1], ask=False)
    assert hv.row_ids() == [ids[2], ids[0]]
    assert hv.table.selectionModel().selectedRows() == []  # no row looks selected …
    assert hv.detail_title.text() == "Select an attempt."  # … and none is shown
    assert not hv.delete_button.isEnabled()
    hv.table.selectRow(1)  # the next click still works
    assert hv.selected_id == ids[0] and TEXTS[0] in hv.scorecard.transcript_view.toPlainText()


def add_many(svc, n: int, *, word: str = "deadline") -> list[int]:
    """``n`` scored attempts, one a minute (newest last), in one transaction."""
    from desktop_app.storage.db import write_transaction

    qid = svc.bank.questions[0].id
    with write_transaction(svc.repo.db):
        svc.repo.db.conn.executemany(
            "INSERT INTO attempts (question_id, started_at, duration_s, status, "
            "transcript_text, score_overall) VALUES (?, ?, 61, 'scored', ?, 70)",
            [(qid, f"2024-01-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00+00:00",
              f"answer {i} about the {word if i % 3 == 0 else 'release'}") for i in range(n)])
    return [r[0] for r in svc.repo.db.execute("SELECT id FROM attempts ORDER BY id")]


def test_history_loads_older_attempts_as_the_user_scrolls(services, make_window, qtbot):
    ids = add_many(services, 450)
    w = make_window(services, load_model=False)
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    assert hv.row_ids() == ids[::-1][:200]  # the newest page, not all 450
    assert hv.count_label.text() == "450 attempts · scroll down for older ones"
    bar = hv.table.verticalScrollBar()
    for _ in range(5):  # scrolling to the bottom fetches the next page each time
        bar.setValue(bar.maximum())
        qtbot.wait(20)
    qtbot.waitUntil(lambda: len(hv.row_ids()) == 450, timeout=5000)
    assert hv.row_ids() == ids[::-1]
    assert hv.count_label.text() == "450 attempts"


def test_the_oldest_attempt_can_be_opened_and_searched_for(services, make_window, qtbot):
    ids = add_many(services, 450)
    w = make_window(services, load_model=False)
    hv = w.history_view
    assert hv.open_attempt(ids[0])  # 449 newer ones in front of it
    assert hv.selected_id == ids[0]
    assert hv.table.selectionModel().selectedRows()[0].row() == 449
    assert "answer 0 about the deadline" in hv.scorecard.transcript_view.toPlainText()
    hv.search_edit.setText("deadline")
    matching = [i for n, i in enumerate(ids) if n % 3 == 0]
    qtbot.waitUntil(lambda: hv.model.search == "deadline", timeout=3000)
    assert hv.row_ids() == matching[::-1][:200]
    assert hv.count_label.text().startswith("150 attempts mention “deadline”")
    assert hv.open_attempt(ids[0])  # still listed under the search, on a later page
    assert hv.model.search == "deadline"
    assert hv.open_attempt(ids[1])  # not matching: the search is cleared to show it
    assert hv.search_edit.text() == "" and hv.selected_id == ids[1]


def test_scoring_one_attempt_updates_only_its_row(services, make_window):
    ids = add_many(services, 300)
    w = make_window(services, load_model=False)
    hv = w.history_view
    hv.open_attempt(ids[-2])
    services.repo.update_attempt(ids[-2], scores={"overall": 93.0}, status="scored")
    resets = []
    hv.model.modelReset.connect(lambda: resets.append(1))
    w.pipeline.attempt_scored.emit(ids[-2], None, None)
    assert hv.model.index(1, 3).data() == "93"
    assert resets == []  # no reload of the whole list
    assert hv.selected_id == ids[-2]
    assert hv.table.selectionModel().selectedRows()[0].row() == 1
