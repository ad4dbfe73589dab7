"""Review: the audio synced to the transcript, on the real stream (PulseAudio virtual output).

A real spoken answer (espeak-ng), transcribed by real tiny.en for its word times and scored by
the real Analyzer, is stored as an attempt; the review view plays it through the real Player.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_app.analysis import Analyzer
from desktop_app.app import build_services
from desktop_app.audio.player import Player
from desktop_app.audio.resample import resample, to_mono
from desktop_app.audio.wavio import read_audio
from desktop_app.domain import Attempt
from desktop_app.ui.review_view import FINDING_TAIL_S, ReviewView
from desktop_app.ui.scorecard import SPAN_ROLE
from tests.fixtures_audio import make_spoken_wav

pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.whisper]

TEXT = ("Last spring our checkout service failed for ten percent of customers. I was the "
        "engineer on call, so it was my job to find the cause. I added tracing to the payment "
        "calls and raised the connection pool limit. As a result, errors fell to almost zero "
        "within two days.")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory, tiny_engine):
    """(wav path, transcript) of the answer, transcribed once for the module."""
    wav = make_spoken_wav(TEXT, tmp_path_factory.mktemp("review") / "answer.wav")
    samples, rate = read_audio(wav)
    transcript = tiny_engine.transcribe(resample(to_mono(samples), rate, 16000))
    assert len(transcript.words) > 30
    return wav, transcript


@pytest.fixture
def audio_services(data_paths, virtual_audio):
    svc = build_services(data_paths)
    assert svc.sd is not None, svc.notices
    yield svc
    svc.repo.close()


def store(svc, wav, transcript, *, audio: bool = True) -> int:
    rel = "recordings/answer.wav"
    if audio:
        shutil.copy(wav, svc.paths.absolute(rel))
    q = svc.bank.questions[0]
    analysis = Analyzer().analyze(transcript, q)
    return svc.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2026-11-20T10:00:00+00:00",
        duration_s=transcript.duration, audio_path=rel, status="scored", model="tiny.en",
        transcript_text=transcript.text, words_json=json.dumps(transcript.to_dict()),
        analysis_json=json.dumps(analysis.to_dict()), scores=dict(analysis.scores)))


@pytest.fixture
def review(qtbot, audio_services):
    player = Player(audio_services.sd)
    view = ReviewView(audio_services, player)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.stop()
    assert player.close(timeout=5.0)


def test_clicking_a_word_plays_from_that_word_on_the_real_stream(qtbot, review, spoken,
                                                                  audio_services):
    aid = store(audio_services, *spoken)
    with qtbot.waitSignal(review.audio_ready, timeout=10000):
        assert review.open_attempt(aid)
    k = len(review.spans) // 2
    word_start = review.spans[k][2]
    rect = review.word_rect(k)
    qtbot.mouseClick(review.transcript_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert review.transport.playing
    player = review.player
    assert abs(player.position - word_start) < 0.01  # from the stream: its frame pointer
    assert review.current_word == k  # the clicked word is highlighted at once
    # the real stream moves on from there (the null sink may hold a new stream ~2 s)
    qtbot.waitUntil(lambda: player.position > word_start + 0.4, timeout=8000)
    assert player.position < word_start + 8.0


def test_the_highlighted_word_follows_playback(qtbot, review, spoken, audio_services):
    aid = store(audio_services, *spoken)
    with qtbot.waitSignal(review.audio_ready, timeout=10000):
        review.open_attempt(aid)
    seen: list[tuple[int, float]] = []
    review.word_changed.connect(lambda i: seen.append((i, review.transport.position)))
    review.toggle_play()  # Space / the Play button
    qtbot.waitUntil(lambda: len({i for i, _ in seen if i >= 0}) >= 8, timeout=15000)
    review.pause()
    words = [i for i, _ in seen if i >= 0]
    assert words == sorted(words), "the highlight only moves forward while playing"
    for i, pos in seen:
        if i >= 0:  # the highlighted word is the one whose time holds the position
            start = review.spans[i][2]
            nxt = review.spans[i + 1][2] if i + 1 < len(review.spans) else 1e9
            assert start - 0.01 <= pos < nxt + 0.1, (i, pos, start, nxt)
    selections = review.transcript_view.extraSelections()
    cs, ce, _s, _e = review.spans[review.current_word]
    assert (selections[0].cursor.selectionStart(), selections[0].cursor.selectionEnd()) == (cs, ce)


def test_space_and_arrows_seek_while_paused(qtbot, review, spoken, audio_services):
    aid = store(audio_services, *spoken)
    with qtbot.waitSignal(review.audio_ready, timeout=10000):
        review.open_attempt(aid)
    review.transcript_view.setFocus()
    qtbot.keyClick(review.transcript_view, Qt.Key.Key_Right)
    assert review.transport.position == pytest.approx(5.0)
    qtbot.keyClick(review.transcript_view, Qt.Key.Key_Left)
    qtbot.keyClick(review.transcript_view, Qt.Key.Key_Left)
    assert review.transport.position == 0.0
    assert review.seek_bar.parts, "the STAR parts are drawn along the seek bar"
    labels = {p[2] for p in review.seek_bar.parts}
    assert {"S", "A", "R"} <= labels


def test_a_missing_or_unreadable_recording_says_so_and_the_transcript_stays(
        qtbot, review, spoken, audio_services):
    aid = store(audio_services, *spoken, audio=False)
    review.open_attempt(aid)
    assert "recording is missing" in review.audio_label.text()
    assert not review.play_button.isEnabled()
    assert "checkout service" in review.transcript_view.toPlainText()
    audio_services.paths.absolute("recordings/answer.wav").write_bytes(b"RIFF" + b"\0" * 40)
    review.open_attempt(aid)
    qtbot.waitUntil(lambda: "Could not read the recording" in review.audio_label.text(),
                    timeout=5000)
    assert "checkout service" in review.transcript_view.toPlainText()
    assert not review.play_button.isEnabled()
    assert np.isfinite(review.seek_bar.duration)


def test_clicking_a_finding_plays_its_words_then_pauses(qtbot, review, spoken, audio_services):
    aid = store(audio_services, *spoken)
    with qtbot.waitSignal(review.audio_ready, timeout=10000):
        review.open_attempt(aid)
    findings = review.scorecard.findings_list
    spans = [findings.item(i).data(SPAN_ROLE) for i in range(findings.count())]
    row = next(i for i, (cs, ce, when) in enumerate(spans) if ce > cs and when >= 0)
    cs, ce, _when = spans[row]
    inside = [s for s in review.spans if s[1] > cs and s[0] < ce]
    review.scorecard.activate_finding(row)
    assert review.transport.playing
    assert abs(review.player.position - inside[0][2]) < 0.01  # from its first word
    qtbot.waitUntil(lambda: not review.transport.playing, timeout=15000)
    end = inside[-1][3] + FINDING_TAIL_S
    assert end - 0.05 <= review.transport.position <= end + 0.25  # paused after its words


def test_the_playback_bar_alone_reports_the_streams_position(qtbot, audio_services, spoken):
    from desktop_app.audio.transport import Transport
    from desktop_app.ui.review_playback import PlaybackBar

    wav, _transcript = spoken
    player = Player(audio_services.sd)
    bar = PlaybackBar()
    qtbot.addWidget(bar)
    bar.show()
    try:
        assert not bar.play_button.isEnabled() and not bar.seek_bar.isEnabled()
        bar.set_transport(Transport.from_file(player, wav))
        assert bar.play_button.isEnabled() and bar.time_label.text().startswith("0:00 / ")
        seen: list[float] = []
        bar.position_changed.connect(seen.append)
        bar.skip(5.0)
        assert seen[-1] == pytest.approx(5.0) and bar.time_label.text().startswith("0:05 / ")
        bar.play(1.0, stop_at=2.0)  # a finding: plays its stretch, then pauses
        assert bar.transport.playing and bar.play_button.text() == "Pause"
        qtbot.waitUntil(lambda: not bar.transport.playing, timeout=15000)
        assert 1.95 <= bar.transport.position <= 2.3 and bar.play_button.text() == "Play"
        bar.set_transport(None)
        assert not bar.seek_bar.isEnabled()
    finally:
        bar.stop()
        assert player.close(timeout=5.0)
