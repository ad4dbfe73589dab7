"""Transcript versions through the attempt service, on a real SQLite file (no Qt): every
replacement keeps the one in use, and any version can be put back without losing another."""

from __future__ import annotations

import sqlite3

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import AttemptStatus
from desktop_app.paths import AppPaths
from desktop_app.practice.attempts import AttemptService
from desktop_app.storage.repository import Repository
from desktop_app.transcription.edit import edited_transcript
from tests.analysis.samples import STRONG, timed_transcript

FIRST = "I fixed the flaky build. It worked and the team shipped on time."


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def folder(tmp_path):
    return AppPaths(tmp_path / "data").ensure()


@pytest.fixture
def service(folder):
    repo = Repository.open(folder.database)
    yield AttemptService(repo, folder)
    repo.close()


def scored_attempt(service: AttemptService, analyzer: Analyzer) -> int:
    audio = service.folder.recordings / "a.wav"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"RIFF")
    aid = service.begin("conflict-1", audio)
    service.recorded(aid, audio, 30.0)
    first = timed_transcript(FIRST)
    service.transcribed(aid, first, model="tiny.en")
    service.scored(aid, analyzer.analyze(first))
    return aid


def test_each_replacement_is_kept_with_where_it_came_from(service, analyzer):
    aid = scored_attempt(service, analyzer)
    again = timed_transcript(STRONG)
    service.rescored(aid, again, analyzer.analyze(again), model="base")
    current = service.load(aid).transcript
    fixed = edited_transcript(current, current.text.replace("I", "We", 1))
    service.keep_version(aid)  # as the window does before an edit is stored
    service.transcribed(aid, fixed, model="base")
    service.scored(aid, analyzer.analyze(fixed))
    service.keep_version(aid)
    versions = service.versions.of(aid)
    assert [v.source for v in versions] == ["transcribed", "retranscribed", "edited"]
    assert [v.model for v in versions] == ["tiny.en", "base", "base"]
    assert versions[0].transcript_text == FIRST and versions[1].transcript_text == STRONG
    assert service.versions.count(aid) == 3 and service.versions.count(aid + 1) == 0


def test_restoring_a_version_keeps_the_one_in_use_and_survives_reopening(folder, analyzer):
    repo = Repository.open(folder.database)
    service = AttemptService(repo, folder)
    aid = scored_attempt(service, analyzer)
    first_scores = service.get(aid).scores
    again = timed_transcript(STRONG)
    service.rescored(aid, again, analyzer.analyze(again), model="base")
    (first,) = service.versions.of(aid)

    stored = service.restore_version(aid, first.id)

    assert stored.transcript.text == FIRST and stored.attempt.model == "tiny.en"
    assert stored.attempt.status == AttemptStatus.SCORED
    assert stored.attempt.scores == first_scores and stored.analysis is not None
    assert stored.transcript.words == timed_transcript(FIRST).words  # timings came back too
    (kept,) = service.versions.of(aid)  # the re-transcription is now the earlier version
    assert kept.transcript_text == STRONG and kept.source == "retranscribed"
    repo.close()

    # another connection (the next launch) reads the same: it was committed
    with sqlite3.connect(folder.database) as raw:
        text, status = raw.execute("SELECT transcript_text, status FROM attempts WHERE id = ?",
                                   [aid]).fetchone()
        rows = raw.execute("SELECT transcript_text FROM transcript_versions").fetchall()
    assert (text, status) == (FIRST, "scored") and rows == [(STRONG,)]

    # and back again: the two swap, no third copy appears
    repo = Repository.open(folder.database)
    service = AttemptService(repo, folder)
    service.restore_version(aid, kept.id)
    assert service.load(aid).transcript.text == STRONG
    assert [v.transcript_text for v in service.versions.of(aid)] == [FIRST]
    assert service.load(aid).transcript.to_dict()["words"] == again.to_dict()["words"]
    repo.close()


def test_a_version_of_another_attempt_is_refused_and_nothing_changes(service, analyzer):
    one, two = scored_attempt(service, analyzer), scored_attempt(service, analyzer)
    again = timed_transcript(STRONG)
    service.rescored(one, again, analyzer.analyze(again))
    (version,) = service.versions.of(one)
    with pytest.raises(LookupError):
        service.restore_version(two, version.id)
    with pytest.raises(LookupError):
        service.restore_version(one, version.id + 100)
    assert service.load(two).transcript.text == FIRST and service.versions.of(two) == []
    assert len(service.versions.of(one)) == 1


def test_a_failed_restore_rolls_back_as_a_whole(service, analyzer, folder):
    """The copy of the transcript in use and the swap are one transaction: a failure in the
    middle leaves neither a duplicate version nor a half-written attempt."""
    aid = scored_attempt(service, analyzer)
    again = timed_transcript(STRONG)
    service.rescored(aid, again, analyzer.analyze(again))
    (version,) = service.versions.of(aid)
    service.repo.db.execute(  # the version cannot be deleted: the last step fails
        "CREATE TRIGGER keep BEFORE DELETE ON transcript_versions "
        "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(Exception, match="disk says no"):
        service.restore_version(aid, version.id)
    assert service.load(aid).transcript.text == STRONG
    assert [v.id for v in service.versions.of(aid)] == [version.id]
