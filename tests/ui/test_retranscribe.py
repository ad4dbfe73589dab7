"""Re-transcribing in History never overwrites a result without asking (issue 13, point 2).

Real tiny.en through the window's workers, a real espeak-ng recording, a real SQLite file: the
stored transcript and scores stay until the user keeps the new ones; "keep the previous one"
leaves the row byte-identical; "keep the new one" stores the new transcript and scores.
"""

from __future__ import annotations

import json

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import Attempt, Transcript
from tests.ui.test_pipeline_whisper import install

pytestmark = [pytest.mark.gui, pytest.mark.whisper]

ANSWER = ("Last spring our checkout service failed for ten percent of users at peak. "
          "I was on call, so I added tracing and found that the connection pool was exhausted. "
          "I raised the limit and moved slow reports to a replica. As a result, errors dropped "
          "to almost zero within two days.")
STORED_FIELDS = ("transcript_text", "words_json", "analysis_json", "scores", "status", "model")


def stored(svc, attempt_id: int) -> dict:
    a = svc.repo.get_attempt(attempt_id)
    return {k: getattr(a, k) for k in STORED_FIELDS}


@pytest.fixture
def scored_attempt(services, tiny_model, spoken_wav):
    """A scored attempt whose stored transcript is the answer's exact text (a good result)."""
    install(tiny_model, services)
    wav = spoken_wav(ANSWER, services.paths.recordings / "20240101-120000-q.wav", rate=16000)
    q = services.bank.questions[0]
    analysis = Analyzer().analyze(ANSWER, q)
    return services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:00:00+00:00", duration_s=15.0,
        audio_path=services.paths.relative(wav), status="scored", model="typed",
        transcript_text=ANSWER, words_json=json.dumps(Transcript.from_text(ANSWER).to_dict()),
        analysis_json=json.dumps(analysis.to_dict()), scores=dict(analysis.scores)))


def retranscribe(qtbot, w, hv, aid) -> None:
    assert hv.transcribe_button.text() == "Re-transcribe"
    hv.transcribe_button.click()
    qtbot.waitUntil(lambda: not w.pipeline.is_busy(aid), timeout=120000)


def test_retranscribing_keeps_the_previous_result_until_the_user_chooses(
        services, make_window, qtbot, scored_attempt):
    aid = scored_attempt
    before = stored(services, aid)
    w = make_window(services)
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=120000)
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    assert hv.open_attempt(aid)

    retranscribe(qtbot, w, hv, aid)
    # the new result is held, not written: the row and the scorecard still show the old one
    assert stored(services, aid) == before
    assert hv.scorecard.transcript_view.toPlainText() == ANSWER
    bar = hv.retranscribe_bar
    qtbot.waitUntil(bar.keep_new_button.isVisible, timeout=5000)
    assert "A new transcript is ready" in bar.label.text()
    assert "Nothing is replaced until you choose" in bar.label.text()
    new_transcript, _new_analysis = w.pipeline.pending(aid)
    assert new_transcript.model == "tiny.en" and new_transcript.text.strip()

    bar.show_new_button.click()  # a look at the new one, still nothing stored
    assert hv.scorecard.transcript_view.toPlainText() == new_transcript.text
    assert stored(services, aid) == before
    bar.show_new_button.click()
    assert hv.scorecard.transcript_view.toPlainText() == ANSWER

    bar.keep_previous_button.click()
    assert stored(services, aid) == before
    assert w.pipeline.pending(aid) is None and bar.isHidden()
    assert hv.scorecard.transcript_view.toPlainText() == ANSWER

    # the next time, the user keeps the new one: it is stored, scores and all
    retranscribe(qtbot, w, hv, aid)
    qtbot.waitUntil(bar.keep_new_button.isVisible, timeout=5000)
    new_transcript, new_analysis = w.pipeline.pending(aid)
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=5000):
        bar.keep_new_button.click()
    after = stored(services, aid)
    assert after["transcript_text"] == new_transcript.text and after["model"] == "tiny.en"
    assert after["status"] == "scored"
    assert json.loads(after["analysis_json"])["scores"] == new_analysis.to_dict()["scores"]
    assert json.loads(after["words_json"])["words"]  # the new one has word timings
    assert bar.isHidden() and hv.scorecard.transcript_view.toPlainText() == new_transcript.text
    # keeping the new one never loses the old one: it is an earlier version (m009)
    from desktop_app.storage.transcript_versions import TranscriptVersions

    assert [v.transcript_text for v in TranscriptVersions(services.repo).of(aid)] == [ANSWER]
