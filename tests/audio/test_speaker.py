"""The question really spoken (pyttsx3 + espeak-ng), heard on the virtual speaker; and playback."""

import threading
import time

import numpy as np
import pytest

from desktop_app.audio.player import Player
from tests.fixtures_audio import dominant_frequency, rms, tone

pytestmark = pytest.mark.audio
QUESTION = "Tell me about a time you disagreed with a colleague about a design."
LONG = (
    "Walk me through how you would diagnose a production incident where our API returns "
    "errors for ten percent of requests, only at peak traffic, and tell me where you would start."
)


@pytest.fixture
def speaker_parts(virtual_audio):
    import sounddevice as sd

    pyttsx3 = pytest.importorskip("pyttsx3")
    from desktop_app.audio.speaker import Speaker

    events = {"started": threading.Event(), "finished": threading.Event(), "errors": []}
    player = Player(sd)
    speaker = Speaker(
        pyttsx3.init,
        player,
        rate=175,
        on_started=events["started"].set,
        on_finished=events["finished"].set,
        on_error=events["errors"].append,
    )
    yield speaker, player, events
    speaker.shutdown()


def test_question_is_spoken_aloud(virtual_audio, speaker_parts):
    speaker, player, events = speaker_parts
    with virtual_audio.capture_output() as cap:
        speaker.say(QUESTION)
        assert events["started"].wait(15), events["errors"]
        assert speaker.is_speaking
        assert events["finished"].wait(20)
        time.sleep(0.2)
        heard = cap.stop()
    assert events["errors"] == []
    assert not speaker.is_speaking and not player.is_playing
    assert np.max(np.abs(heard)) > 0.2
    frames = heard[: heard.size // 320 * 320].reshape(-1, 320)  # 20 ms frames at 16 kHz
    voiced_s = np.sum(np.sqrt(np.mean(frames**2, axis=1)) > 0.02) * 0.02
    assert voiced_s > 1.5  # a sentence, not a click


def test_stop_mid_sentence_is_quick(virtual_audio, speaker_parts):
    speaker, player, events = speaker_parts
    with virtual_audio.capture_output() as cap:
        speaker.say(LONG)
        speaker.say("This queued question must never be heard.")
        assert events["started"].wait(15), events["errors"]
        time.sleep(1.0)
        t0 = time.monotonic()
        speaker.stop()
        assert events["finished"].wait(2)
        stop_latency = time.monotonic() - t0
        time.sleep(1.5)  # the queued question would start here if it had not been dropped
        heard = cap.stop()
    assert stop_latency < 0.5
    assert not player.is_playing and not speaker.is_speaking
    assert player.position < player.duration - 1.0  # it really was cut short
    tail = heard[-16000:]  # the last second of capture: silence
    assert rms(tail) < 0.002
    assert rms(heard) > 0.01  # but it did speak before being stopped


def test_voices_and_settings(speaker_parts):
    speaker, _, _ = speaker_parts
    voices = speaker.voices()
    assert voices and all(isinstance(v, tuple) and len(v) == 2 for v in voices)
    speaker.set_rate(220)
    speaker.set_voice(voices[0][0])


def test_player_plays_tone_and_reports_position(virtual_audio):
    import sounddevice as sd

    done = threading.Event()
    player = Player(sd)
    with virtual_audio.capture_output() as cap:
        player.play(tone(880.0, 22050, 1.0, amplitude=0.5), 22050, on_finished=done.set)
        assert player.is_playing
        time.sleep(0.5)
        assert 0.1 < player.position < 1.0
        assert done.wait(5)
        time.sleep(0.2)
        heard = cap.stop()
    assert player.position == pytest.approx(1.0, abs=0.01)
    loud = heard[np.abs(heard) > 0.05]
    assert loud.size > 0.5 * 16000
    start = int(np.argmax(np.abs(heard) > 0.05))
    assert abs(dominant_frequency(heard[start : start + 8000], 16000) - 880) < 4


def test_voices_offered_are_the_english_ones(speaker_parts):
    speaker, _, _ = speaker_parts
    english = speaker.voices()
    every = speaker.voices(english_only=False)
    assert english and len(english) < len(every)  # espeak-ng ships ~130 languages
    names = [name for _vid, name in english]
    assert all(n.lower().startswith("english") for n in names), names
    assert not any(n in ("Afrikaans", "Vietnamese (Central)") for n in names)
    assert not any("Chinese" in n for n in names)  # "latin as English" speaks Mandarin


def test_speaking_prints_nothing_on_stdout(virtual_audio, speaker_parts, capsys):
    speaker, _, events = speaker_parts
    speaker.say("Tell me about a time you changed your mind.")
    assert events["started"].wait(15), events["errors"]
    assert events["finished"].wait(20)
    out = capsys.readouterr().out
    assert "Audio saved" not in out and out == ""
    print("the rest of the program still prints")
    assert capsys.readouterr().out == "the rest of the program still prints\n"


def test_no_save_notice_leaks_when_the_cpu_is_busy(virtual_audio, speaker_parts, capsys):
    """espeak's thread prints "Audio saved to …" as it closes the file, which can land after
    runAndWait() returned; on a busy CPU it did, on the user's terminal (seen in a new-user run)."""
    import subprocess
    import sys

    speaker, _, events = speaker_parts
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        for n in range(4):
            events["started"].clear()
            events["finished"].clear()
            speaker.say(f"{n + 1}. {LONG}")
            assert events["started"].wait(20), events["errors"]
            assert events["finished"].wait(20)
        time.sleep(0.5)  # a late print would land now
    finally:
        for p in busy:
            p.kill()
            p.wait()
    out = capsys.readouterr().out
    assert "Audio saved" not in out, out
