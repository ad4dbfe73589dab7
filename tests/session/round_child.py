"""A round run in a separate process that dies mid-round (SIGKILL), for the recovery test:
``python -m tests.session.round_child DB_PATH``. Answers are typed text scored by the real
Analyzer and stored as the practice core stores them (attempts with the round's session id)."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timezone

from desktop_app.analysis.analyzer import Analysis, Analyzer
from desktop_app.domain import Attempt
from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.kit import InterviewKit
from desktop_app.session.plan import PlanRequest
from desktop_app.session.report import StoredAttempts
from desktop_app.storage.repository import Repository

ANSWER = ("Last spring our release pipeline failed twice a week. I owned it, so my task was to "
          "make it reliable before the launch. I added retries, split the build into four "
          "stages and wrote alerts for each one. As a result failures dropped from eight a "
          "month to zero and we shipped the launch on time.")
FOLLOW_UP = "I measured it with the failure dashboard: eight failures a month went to zero."


class Clock:
    t = 0.0

    def __call__(self) -> float:
        return self.t


def main(db_path: str) -> None:
    repo = Repository.open(db_path)
    kit = InterviewKit.load(None)
    plan = kit.planner.plan(PlanRequest(role="general", questions=3, seed=11))
    keeper = RoundKeeper(repo, StoredAttempts(repo), kit.config)
    clock = Clock()
    round_id, m = keeper.start(plan, clock)
    analyzer = Analyzer()

    def send(event) -> list[io.Action]:
        out = m.handle(event)
        keeper.apply(round_id, m, out)
        return out

    def say_done(out) -> list[io.Action]:
        return send(io.SpeechFinished(next(a for a in out if isinstance(a, io.Say)).say_id))

    def answer(rec: io.StartRecording, text: str) -> tuple[int, Analysis]:
        a = analyzer.analyze(text, rec.question, follow_up=rec.follow_up)
        stamp = datetime.now(timezone.utc).isoformat()
        return repo.add_attempt(Attempt(
            None, rec.question.id, stamp, ended_at=stamp, duration_s=40.0, status="scored",
            transcript_text=text, analysis_json=a.to_dict(), scores=a.scores,
            session_id=round_id, parent_attempt_id=rec.parent_attempt_id,
            prompt_text=rec.follow_up)), a

    say_done(say_done(send(io.Begin())))  # greeting, question 1
    rec = next(a for a in send(io.StartAnswer()) if isinstance(a, io.StartRecording))
    clock.t += 40
    send(io.StopAnswer())
    first, analysis = answer(rec, ANSWER)
    send(io.AnswerSaved(first, 40.0))
    say_done(send(io.AnswerScored(first, analysis.scores["overall"], analysis.follow_up)))
    rec = next(a for a in send(io.StartAnswer()) if isinstance(a, io.StartRecording))
    send(io.StopAnswer())
    second, _ = answer(rec, FOLLOW_UP)
    out = send(io.AnswerSaved(second, 12.0))
    say_done(out)  # question 2 asked
    send(io.StartAnswer())
    clock.t += 25
    send(io.Tick())
    print(f"{round_id} {first} {second}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the app dies while question 2 is being answered


if __name__ == "__main__":
    main(sys.argv[1])
