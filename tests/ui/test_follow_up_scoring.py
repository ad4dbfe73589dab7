"""Issue 13 point 9 through the window's path: the pipeline passes a follow-up attempt's
prompt to the analyser, so the stored analysis judges it on what the follow-up asked."""

from __future__ import annotations

import json

import pytest

from desktop_app.domain import Attempt, Transcript
from desktop_app.ui.pipeline import Pipeline

pytestmark = pytest.mark.gui

ANSWER = ("We tracked it in the billing dashboard: failed payments went from 4.1 percent to 1.2 "
          "percent over the next six weeks, and invoice tickets dropped by half.")


def test_follow_up_attempt_is_scored_on_the_follow_up(services, qtbot) -> None:
    q = services.bank.questions[0]
    parent = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:00:00+00:00", status="scored"))
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:05:00+00:00", status="recorded",
        parent_attempt_id=parent, prompt_text="How did you measure the result?"))
    pipeline = Pipeline(services)
    try:
        with qtbot.waitSignal(pipeline.attempt_scored, timeout=30000) as blocker:
            pipeline.transcriber.transcribed.emit(aid, Transcript.from_text(ANSWER))
        assert blocker.args[0] == aid
        stored = json.loads(services.repo.get_attempt(aid).analysis_json)
        assert stored["focus"]["kind"] == "outcome"
        assert stored["scores"]["star"] is None
        assert not {"no_task", "no_situation", "no_action"} & set(stored["tip_ids"])
    finally:
        pipeline.shutdown()
