"""A whole mock interview through the real window: the Interview tab, the interviewer speaking
(espeak-ng through PulseAudio), answers played into the virtual microphone in espeak-ng
voices, hands-free stops on silence, live transcription and scoring with the real tiny.en, one
follow-up per answer as a linked attempt, and a stored round report whose answers are in
History. Prints the round's measured gaps."""

from __future__ import annotations

import json
import statistics

import pytest
from PySide6.QtCore import Qt

from desktop_app.storage.rounds import RoundStore

pytestmark = [pytest.mark.gui, pytest.mark.whisper]

ANSWERS = [
    "Last year our checkout service kept timing out during sales. I was the engineer on call, "
    "so I traced the slow queries, added an index and a cache, and wrote a runbook. The "
    "timeouts dropped from two hundred a day to none, and I learned to measure before I "
    "change anything.",
    "When two teams disagreed about an interface, I set up a short meeting, wrote down both "
    "options with their costs, and we chose the simpler one. We shipped a week early and both "
    "teams kept using the document.",
    "I noticed new hires took a month to make their first change, so I paired with each of "
    "them and wrote a setup guide. Within a quarter the first change took three days.",
]
FOLLOW_UPS = [
    "I would track the error rate and the time to recover every week.",
    "I would ask both teams for feedback and check the delivery dates.",
    "Next time I would start the guide earlier and ask the team to review it.",
]


def _phase(iv) -> str:
    return iv.runner.view().phase if iv.runner is not None else ""


def _wait_capturing(qtbot, iv, n: int) -> None:
    """Until the microphone captures the ``n``-th answer of the round (counting follow-ups)."""
    qtbot.waitUntil(lambda: len(iv.runner.gaps.record_to_capture) >= n, timeout=90000)


def test_three_question_round_with_follow_ups_ends_in_a_stored_report(
        live_services, make_window, qtbot, spoken_wav):
    svc = live_services
    w = make_window(svc)
    assert w.speech is not None, svc.notices
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=180000)
    w.tabs.setCurrentWidget(w.interview_view)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    iv, setup = w.interview_view, w.interview_view.setup
    setup.count_spin.setValue(3)
    setup.think_spin.setValue(2)
    assert setup.hands_free_check.isChecked()  # on by default in a round
    assert setup.plan is not None and len(setup.plan.items) == 3
    first_before = setup.plan.items[1].question.id
    setup.plan_list.setCurrentRow(1)
    setup.swap_button.click()  # swap a question before starting
    assert setup.plan.items[1].question.id != first_before
    planned = [i.question.id for i in setup.plan.items]
    setup.start_button.click()
    assert iv.stack.currentWidget() is iv.run
    run = iv.run
    for b in (run.answer_button, run.skip_button, run.pause_button, run.end_button):
        assert b.accessibleName() and "[" in b.text()  # named, with its key shown

    wavs = [spoken_wav(t, rate=16000) for t in ANSWERS]
    follow_wavs = [spoken_wav(t, rate=16000) for t in FOLLOW_UPS]
    saw_think = saw_clock = saw_considering = False
    for n in range(3):
        if n == 1:  # Space during the question or think time starts the answer at once
            qtbot.waitUntil(lambda: _phase(iv) in ("asking", "thinking"), timeout=60000)
            qtbot.keyClick(w, Qt.Key.Key_Space)
        else:
            qtbot.waitUntil(lambda: _phase(iv) == "thinking", timeout=60000)
            saw_think = saw_think or run.think_label.text().startswith("Think 0:0")
        _wait_capturing(qtbot, iv, 2 * n + 1)
        assert run.answer_label.text().startswith("Answer 0:0")
        saw_clock = True
        assert run.caption.text() == svc.bank.get(planned[n]).text  # the caption
        svc.virtual_audio.play_into_mic(wavs[n])
        if n == 2:  # Space ends this one; the others end on 4 s of silence
            qtbot.keyClick(w, Qt.Key.Key_Space)
        # the interviewer considers the answer while it is scored ("One moment…")
        qtbot.waitUntil(lambda: _phase(iv) == "scoring" or iv.runner.view().part ==
                        "follow_up", timeout=60000)
        if _phase(iv) == "scoring":
            saw_considering = True
            assert run.caption.text() == iv.kit.config.script.considering
            assert run.wait_bar.isVisible() and "considering your answer" in \
                run.phase_label.text()
        # the follow-up is asked aloud, then answered hands-free
        qtbot.waitUntil(lambda: iv.runner.view().part == "follow_up"
                        and _phase(iv) in ("thinking", "answering"), timeout=120000)
        assert run.caption.text().startswith("Follow-up: ")
        _wait_capturing(qtbot, iv, 2 * n + 2)
        svc.virtual_audio.play_into_mic(follow_wavs[n])
    assert saw_think and saw_clock and saw_considering

    qtbot.waitUntil(lambda: iv.runner.report is not None, timeout=400000)
    qtbot.waitUntil(lambda: iv.stack.currentWidget() is iv.report_view, timeout=5000)
    report = iv.runner.report
    round_id = iv.round_id
    row = RoundStore(svc.repo.db).get(round_id)
    assert row is not None and row.status == "completed" and row.report is not None
    assert row.report == json.loads(json.dumps(report.to_dict()))
    assert [i.question_id for i in report.items] == planned
    ended = []
    for item in report.items:
        assert item.answer is not None and item.follow_up and item.follow_up_answer is not None
        main = svc.repo.get_attempt(item.answer.attempt_id)
        fu = svc.repo.get_attempt(item.follow_up_answer.attempt_id)
        assert main.session_id == round_id and fu.parent_attempt_id == main.id
        assert fu.prompt_text == item.follow_up
        assert main.status == "scored" and main.transcript_text.strip()
        assert item.answer.scores.get("overall") is not None
        assert item.answer.target_s == 120 and item.answer.duration_s > 5
        ended.append(item.answer.ended_by)
    assert ended == ["silence", "silence", "user"]
    assert report.overall is not None and report.strongest and len(report.work_on) == 3
    text = iv.report_view.browser.toPlainText()
    assert "Three things to work on" in text and report.items[0].question in text
    assert "Follow-up:" in text and "of 2:00 target" in text

    # every answer is in History, and the round is listed there too
    w.history_view.refresh()
    ids = {a for i in report.items
           for a in (i.answer.attempt_id, i.follow_up_answer.attempt_id)}
    qtbot.waitUntil(lambda: ids <= set(w.history_view.row_ids()), timeout=10000)
    assert w.rounds_list.round_ids()[0] == round_id
    w.rounds_list.open_round(round_id)
    assert w.tabs.currentWidget() is w.interview_view
    out = iv.report_view.export_json(svc.paths.root / "round.json")
    assert json.loads(out.read_text())["items"][2]["follow_up"] == report.items[2].follow_up

    g = iv.runner.gaps
    limit = iv.kit.config.wait_for_scores_s
    for item, took in zip(report.items, g.answer_end_to_scored, strict=False):
        # chosen from what the answer lacked, unless its scores really took over the limit
        assert item.follow_up_source == "answer" or (
            item.follow_up_source == "timeout" and took >= limit), (item, took)
    print(f"\nround gaps (s): question said→think clock {g.question_to_think_clock}; "
          f"record→mic capturing {g.record_to_capture}; "
          f"answer end→saved {g.answer_end_to_saved}; "
          f"answer end→transcribed {g.answer_end_to_transcribed}; "
          f"answer end→scored {g.answer_end_to_scored}; "
          f"answer end→follow-up said {g.answer_end_to_follow_up_said}; "
          f"answer end→follow-up heard {g.answer_end_to_follow_up_heard}")
    print(f"medians: record→capture {statistics.median(g.record_to_capture):.2f} s, "
          f"answer end→follow-up heard "
          f"{statistics.median(g.answer_end_to_follow_up_heard):.2f} s")
    assert len(g.answer_end_to_follow_up_heard) == 3
