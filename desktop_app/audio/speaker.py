"""Speak questions aloud: one pyttsx3 engine on one dedicated thread, played back by Player.

pyttsx3 is not thread-safe and ``runAndWait`` is not re-entrant, so the engine is created and used
only on the speaker thread. Each utterance is rendered to a WAV (``save_to_file``) and played with
:class:`Player`, which tells us when speech really ends and lets us stop it mid-sentence.
Callbacks run on worker threads (the UI marshals them): ``on_started()``, ``on_finished()``
(once per utterance that started, also when stopped) and ``on_error(message)``.
"""

from __future__ import annotations

import io
import logging
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from .player import Player
from .wavio import read_audio

log = logging.getLogger(__name__)


def _default_factory():
    import pyttsx3

    return pyttsx3.init()


def speaks_english(voice: Any) -> bool:
    """True for a pyttsx3 voice that can read an English question (espeak 'en-gb', NSSpeech
    'en_US', SAPI5 'en-US'; bytes like b'\\x05en-gb' from old espeak drivers; with no language,
    by its name). "Chinese (Mandarin, latin as English)" is not one."""
    languages = list(getattr(voice, "languages", None) or ())
    for lang in languages:
        if isinstance(lang, bytes):
            lang = lang.decode("utf-8", "replace")
        code = "".join(c for c in str(lang) if c.isprintable()).strip().lower()
        if code == "en" or code[:3] in ("en-", "en_"):
            return True
    # only a voice that names no language is judged by its name
    return not languages and "english" in str(getattr(voice, "name", "")).lower()


def english_voices(voices: Iterable[Any]) -> list[tuple[str, str]]:
    """(id, name) of the voices that speak English, sorted by name."""
    found = [(str(v.id), str(v.name or v.id)) for v in voices if speaks_english(v)]
    return sorted(found, key=lambda v: v[1].lower())


_WRITE_TIMEOUT_S = 10.0  # a busy CPU slows espeak's synthesis thread


class _WithoutSaveNotices(io.TextIOBase):
    """Stands in for sys.stdout: drops pyttsx3's "Audio saved to <our temp folder>…" lines
    (printed from espeak's own synthesis thread) and passes everything else through."""

    def __init__(self, target: TextIO, folder: Path) -> None:
        super().__init__()
        self._target, self._notice = target, f"Audio saved to {folder}"
        self._dropped_line = False  # print() writes the text and its newline separately
        self.saved = threading.Event()  # espeak prints the notice once the WAV is complete

    def write(self, text: str) -> int:
        dropped, self._dropped_line = self._dropped_line, False
        if text.startswith(self._notice):
            self._dropped_line = not text.endswith("\n")
            self.saved.set()
            return len(text)
        if dropped and text == "\n":
            return len(text)
        return self._target.write(text)

    def flush(self) -> None:
        self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


@contextmanager
def _quiet_saves(folder: Path) -> Iterator[_WithoutSaveNotices | None]:
    """Keep pyttsx3's "Audio saved to /tmp/…" (one per utterance) off the user's terminal."""
    real = sys.stdout
    quiet = _WithoutSaveNotices(real, folder) if real is not None else None
    if quiet is not None:
        sys.stdout = quiet
    try:
        yield quiet
    finally:
        if quiet is not None and sys.stdout is quiet:
            sys.stdout = real


def _wait_until_written(wav: Path, quiet: _WithoutSaveNotices | None, announces: bool) -> None:
    """Return once the driver has finished ``wav``. espeak writes it from its own thread after
    ``runAndWait`` returned, creating the file before the samples are in; its notice comes
    after the file is closed, so wait for that (and keep stdout filtered until then)."""
    if announces and quiet is not None:
        quiet.saved.wait(_WRITE_TIMEOUT_S)
        return
    deadline = time.monotonic() + _WRITE_TIMEOUT_S
    while not wav.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


class Speaker:
    """Text-to-speech with stop/skip; ``say`` returns at once."""

    def __init__(
        self,
        engine_factory: Callable[[], Any] | None,
        player: Player,
        *,
        voice: str | None = None,
        rate: int = 170,
        on_started: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._factory = engine_factory or _default_factory
        self._player = player
        self._voice, self._rate = voice, int(rate)
        self.on_started, self.on_finished, self.on_error = on_started, on_finished, on_error
        self._jobs: queue.Queue = queue.Queue()
        self._generation = 0  # bumped by stop(): older queued jobs are dropped
        self._speaking = threading.Event()
        self._tmp = Path(tempfile.mkdtemp(prefix="rehearse-tts-"))
        self._engine = None
        self._engine_error: str | None = None
        self._applied: tuple[str | None, int] | None = None
        self._voice_list: list[Any] | None = None
        self._count = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="rehearse-tts", daemon=True)
        self._thread.start()

    # -- public --------------------------------------------------------------------------------
    @property
    def player(self) -> Player:
        """The Player the questions are spoken through."""
        return self._player

    @property
    def is_speaking(self) -> bool:
        return self._speaking.is_set()

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Queue ``text`` to be spoken after anything already queued (or instead, if interrupt)."""
        if self._closed:
            raise RuntimeError("Speaker has been shut down")
        if interrupt:
            self.stop()
        if text and text.strip():
            self._jobs.put(("say", text.strip(), self._generation, None))

    def stop(self) -> None:
        """Stop speaking now and drop queued utterances."""
        self._generation += 1
        if self._speaking.is_set():  # the player may be shared: only stop our own speech
            self._player.stop()

    def voices(self, timeout: float = 10.0, *, english_only: bool = True) -> list[tuple[str, str]]:
        """Installed voices as (id, name) — only those that speak English unless
        ``english_only`` is False (the questions are English); [] if there is no engine.
        Listed once on the speaker thread, then answered at once."""
        if self._voice_list is None:
            self._call(self._list_voices, timeout, None)
        found = self._voice_list or []
        if english_only:
            return english_voices(found)
        return [(str(v.id), str(v.name or v.id)) for v in found]

    def _list_voices(self, engine: Any) -> None:
        self._voice_list = list(engine.getProperty("voices"))

    def set_voice(self, voice_id: str | None) -> None:
        self._voice = voice_id

    def set_rate(self, wpm: int) -> None:
        self._rate = int(wpm)

    def set_output_device(self, device: str | int | None) -> None:
        """Speak on another output device from the next utterance on."""
        self._player.device = device

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop, end the speaker thread and remove temporary files."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._jobs.put(("quit", None, None, None))
        self._thread.join(timeout)
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- speaker thread ------------------------------------------------------------------------
    def _call(self, fn: Callable[[Any], Any], timeout: float, default: Any) -> Any:
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put(("call", fn, None, (box, done)))
        if not done.wait(timeout):
            return default
        return box.get("value", default)

    def _emit(self, cb: Callable | None, *args: Any) -> None:
        if cb is not None:
            try:
                cb(*args)
            except Exception:  # noqa: BLE001
                log.exception("speaker callback failed")

    def _engine_or_none(self):
        if self._engine is None and self._engine_error is None:
            try:
                self._engine = self._factory()
            except Exception as exc:  # noqa: BLE001 - missing espeak-ng, no driver...
                self._engine_error = f"Text-to-speech is not available: {exc}"
                log.warning(self._engine_error)
        return self._engine

    def _apply_settings(self, engine: Any) -> None:
        wanted = (self._voice, self._rate)
        if wanted == self._applied:
            return
        if self._voice:
            engine.setProperty("voice", self._voice)
        engine.setProperty("rate", self._rate)
        self._applied = wanted

    def _run(self) -> None:
        engine = self._engine_or_none()
        if engine is not None:  # list the voices now, so Settings opens without waiting
            try:
                self._list_voices(engine)
            except Exception:  # noqa: BLE001
                log.exception("listing TTS voices failed")
        while True:
            kind, payload, generation, extra = self._jobs.get()
            if kind == "quit":
                break
            if kind == "call":
                box, done = extra
                engine = self._engine_or_none()
                try:
                    if engine is not None:
                        box["value"] = payload(engine)
                except Exception:  # noqa: BLE001
                    log.exception("TTS engine query failed")
                finally:
                    done.set()
                continue
            if generation != self._generation:
                continue  # stopped before its turn
            self._speak(payload, generation)
        # No engine.stop() here: pyttsx3.init() caches engines per driver, and a stop flag left
        # set on the cached engine would cancel the next owner's first utterance.
        self._engine = None

    def _speak(self, text: str, generation: int) -> None:
        engine = self._engine_or_none()
        if engine is None:
            self._emit(self.on_error, self._engine_error)
            return
        self._count += 1
        wav = self._tmp / f"utterance-{self._count}.wav"
        try:
            self._apply_settings(engine)
            with _quiet_saves(self._tmp) as quiet:
                engine.save_to_file(text, str(wav))
                engine.runAndWait()
                _wait_until_written(wav, quiet, getattr(engine, "driver_name", "") == "espeak")
            samples, rate = read_audio(wav)
        except Exception as exc:  # noqa: BLE001
            self._emit(self.on_error, f"Could not speak the question: {exc}")
            return
        finally:
            wav.unlink(missing_ok=True)
        if generation != self._generation:
            return  # stop() came while rendering
        ended = threading.Event()
        self._speaking.set()
        try:
            self._player.play(samples, rate, on_finished=ended.set)
        except Exception as exc:  # noqa: BLE001 - no speaker, device error
            self._speaking.clear()
            self._emit(self.on_error, f"Could not play the question: {exc}")
            return
        if generation != self._generation:  # stop() raced with play()
            self._player.stop()
        self._emit(self.on_started)
        ended.wait()
        self._speaking.clear()
        self._emit(self.on_finished)
