"""The interviewer's voice in a round, on the real speaker (espeak-ng through PulseAudio): a line
stopped while it is heard and one stopped before it was heard must not be taken for the end of
the next line (the round would start the clock while the question is still being read)."""

from __future__ import annotations

import pytest

from desktop_app.ui.round_flow import RoundVoice

pytestmark = pytest.mark.gui

LONG = ("Tell me about a time you had to deliver difficult news to a stakeholder, how you "
        "prepared for the conversation, and what you would do differently next time.")


class Ends:
    def __init__(self, voice: RoundVoice) -> None:
        self.started = self.finished = 0
        voice.on_started = self._started
        voice.on_finished = self._finished

    def _started(self) -> None:
        self.started += 1

    def _finished(self) -> None:
        self.finished += 1


def test_a_stopped_line_never_ends_the_next_one(live_services, make_window, qtbot):
    w = make_window(live_services, load_model=False)
    assert w.speech is not None, live_services.notices
    voice = RoundVoice(w.speech)
    ends = Ends(voice)
    voice.say(LONG)
    qtbot.waitUntil(lambda: ends.started == 1, timeout=30000)
    qtbot.wait(300)
    voice.stop()  # stopped while heard: its end arrives later and must be ignored
    voice.say("Thank you. Next question.")
    voice.stop()  # stopped before it was heard: it reports nothing at all
    voice.say("What did you learn?")
    qtbot.waitUntil(lambda: ends.finished >= 1, timeout=30000)
    qtbot.wait(1500)
    assert ends.finished == 1
    assert ends.started >= 2  # the end counted came after the last line was heard
    assert not w.speech.speaking


def test_without_speech_each_line_shows_for_its_reading_time(qtbot):
    voice = RoundVoice(None)
    ends = Ends(voice)
    voice.say("Hello there.")  # short: at least 1.5 s to read
    qtbot.wait(1000)
    assert ends.finished == 0
    qtbot.waitUntil(lambda: ends.finished == 1, timeout=3000)
    voice.say(LONG)
    voice.stop()
    qtbot.wait(2000)
    assert ends.finished == 1  # a stopped caption never ends
