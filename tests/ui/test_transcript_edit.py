"""Uncertain words are marked and correctable (issue 12): the candidate fixes a misheard word,
the answer is scored again from the edited text, stored as edited, and the transcript it
replaced is kept as an earlier version (real window, real scorer, real SQLite)."""

from __future__ import annotations

import json

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import Attempt, Segment, Transcript, Word
from desktop_app.storage.transcript_versions import TranscriptVersions
from desktop_app.transcription.edit import edited_transcript

pytestmark = pytest.mark.gui

SAID = ("Last year our checkout service failed during the holiday sale. I was the engineer on "
        "call, so I took ownership of the incident. First I checked the dashboards and saw "
        "that the database connection pool was exhausted. I rolled back the latest release, "
        "and the errors stopped within ten minutes. Then I wrote a short report and we added "
        "an alert on the pool size, so since then we have had no outage during a sale.")
MISHEARD = {"checkout": ("chequeout", 0.21), "dashboards": ("dash boards", 0.32)}


def whisper_like(text: str) -> Transcript:
    """A transcript as Whisper gives it: timed words, two of them misheard and unsure."""
    words, t = [], 0.0
    for raw in text.split():
        key = raw.strip(".,").lower()
        heard, p = MISHEARD.get(key, (raw.rstrip(".,"), 0.93))
        for part in heard.split():
            part = part + raw[len(raw.rstrip(".,")):] if part == heard.split()[-1] else part
            words.append(Word(f" {part}", round(t, 2), round(t + 0.3, 2), p))
            t += 0.35
    seg = Segment(" ".join(w.text.strip() for w in words), 0.0, words[-1].end, tuple(words))
    return Transcript(text=seg.text, segments=[seg], model="tiny.en", duration=t)


def test_edit_keeps_timing_and_confirms_the_typed_words():
    old = whisper_like(SAID)
    fixed = old.text.replace("chequeout", "checkout")
    new = edited_transcript(old, fixed)
    assert new.edited and new.text == fixed and len(new.words) == len(old.words)
    by_text = {w.text.strip(): w for w in new.words}
    was = next(w for w in old.words if w.text.strip() == "chequeout")
    assert by_text["checkout"].start == was.start and by_text["checkout"].probability == 1.0
    assert by_text["dash"].probability == pytest.approx(0.32)  # untouched: still unsure
    merged = edited_transcript(new, fixed.replace("dash boards", "dashboards"))
    w = next(w for w in merged.words if w.text.strip() == "dashboards")
    assert w.probability == 1.0 and len(merged.words) == len(old.words) - 1
    assert Transcript.from_dict(merged.to_dict()).edited


def test_edited_transcript_is_rescored_stored_as_edited_and_the_old_one_kept(
    services, make_window, qtbot
):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    q = services.bank.questions[0]
    transcript = whisper_like(SAID)
    analysis = Analyzer().analyze(transcript, q)
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-02T09:00:00+00:00", duration_s=40.0,
        status="scored"))
    services.repo.update_attempt(
        aid, transcript_text=transcript.text, words_json=json.dumps(transcript.to_dict()),
        analysis_json=json.dumps(analysis.to_dict()), scores=dict(analysis.scores),
        model="tiny.en")  # fmt: skip
    pv.flow.current_attempt_id = aid
    pv.answer_area.show_scored(analysis, transcript, f"Your answer to: {q.text}", "")
    kinds = {f["kind"] for f in analysis.to_dict()["findings"]}
    assert "uncertain" in kinds  # the unsure words are marked in the transcript
    assert not pv.scorecard.edited_label.isVisible()

    dialog = pv.answer_actions.edit_transcript()
    assert dialog is not None and dialog.editor.toPlainText() == transcript.text
    dialog.editor.setPlainText(transcript.text.replace("chequeout", "checkout"))
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=60000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    stored = services.repo.get_attempt(aid)
    data = json.loads(stored.words_json)
    assert data["edited"] and "checkout" in stored.transcript_text
    assert "chequeout" not in stored.transcript_text and stored.status == "scored"
    rescored = json.loads(stored.analysis_json)
    assert "checkout" in rescored["text"]
    versions = TranscriptVersions(services.repo).of(aid)
    assert [v.transcript_text for v in versions] == [transcript.text]  # nothing lost
    kept_scores = {k: v for k, v in analysis.scores.items() if v is not None}
    assert versions[0].source == "transcribed" and versions[0].scores == kept_scores
    assert pv.scorecard.edited_label.isVisible()
    services.repo.delete_attempt(aid, services.paths.root)
    assert TranscriptVersions(services.repo).of(aid) == []


def test_edit_is_offered_only_where_it_works(services, make_window):
    """History's and Review's scorecards showed an Edit transcript… button that nothing
    handled (and Review showed it with no attempt open)."""
    w = make_window(services, load_model=False)
    w.show()
    assert w.history_view.scorecard.edit_transcript_button.isHidden()
    assert w.review_view.scorecard.edit_transcript_button.isHidden()
    assert not w.practice_view.scorecard.edit_transcript_button.isHidden()
