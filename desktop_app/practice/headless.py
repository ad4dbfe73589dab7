"""The AnswerFlow without a window: an answer recorded elsewhere (a file) or typed, kept as an
attempt through exactly the flow the practice window drives (`rehearse practice`).

:class:`FileRecorder` is the flow's Recorder for a file: it copies the recording into the data
folder's recordings (a 0600 WAV at the file's own rate) and feeds the live transcriber at file
speed. :class:`DirectProcessing` is the flow's Processing on the calling thread: the live
transcriber bound to an :class:`~desktop_app.transcription.host.EngineHost` (the whole file
when live transcription fails), then the analyzer, storing each step through the
AttemptService and reporting it to the flow as the window's pipeline does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.domain import Transcript
from desktop_app.practice.attempts import AttemptService

if TYPE_CHECKING:
    from desktop_app.practice.flow import AnswerFlow
    from desktop_app.questions import QuestionBank
    from desktop_app.transcription.host import EngineHost

log = logging.getLogger(__name__)

BLOCK_S = 0.1  # the block the microphone delivers, fed the same way


@dataclass(frozen=True)
class FileResult:
    path: Path
    duration_s: float
    error: str | None = None


class FileRecorder:
    """Plays ``source`` into the flow as if it were being recorded now (at file speed)."""

    def __init__(self, source: Path) -> None:
        from desktop_app.audio.wavio import read_audio  # numpy/soundfile: not at start-up

        self.samples, self.rate = read_audio(Path(source))  # UnreadableAudio says why
        self.flow: AnswerFlow | None = None
        self._path: Path | None = None

    def start(self, path: Path, device: str | None) -> None:
        self._path = Path(path)
        self.flow.recording_started(self._path)

    def play(self, sink: Callable[[Any], None] | None) -> None:
        """Feed the recording, resampled to 16 kHz, in microphone-sized blocks."""
        if sink is None:
            return
        from desktop_app.audio.resample import resample

        audio = resample(self.samples, self.rate) if self.rate != 16000 else self.samples
        step = int(16000 * BLOCK_S)
        for i in range(0, audio.size, step):
            sink(audio[i:i + step])

    def stop(self) -> None:
        from desktop_app.audio.wavio import write_wav

        path = self._path
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, self.samples, self.rate)  # 0600, in the data folder
        self.flow.recording_stopped(FileResult(path, self.samples.size / self.rate))


class DirectProcessing:
    """Transcribe and score on the calling thread. ``analyzer``: an Analyzer; ``host``: an
    EngineHost with a model loaded (None: typed answers only)."""

    def __init__(self, attempts: AttemptService, bank: QuestionBank, analyzer: Any,
                 host: EngineHost | None = None) -> None:
        self.attempts, self.bank, self.analyzer, self.host = attempts, bank, analyzer, host
        self.flow: AnswerFlow | None = None
        self.error: str | None = None  # why the last attempt is not scored

    def start_live(self) -> Any:
        if self.host is None:
            return None
        from desktop_app.transcription.live import LiveTranscriber, engine_chunk_fn

        return LiveTranscriber(engine_chunk_fn(self.host.decoder()),
                               on_text=lambda t: self.flow.live_text(t))

    def cancel_live(self, live: Any) -> None:
        live.cancel()

    def finish_live(self, attempt_id: int, live: Any) -> None:
        self.flow.transcribing(attempt_id)
        try:
            transcript = live.finish()
        except Exception as exc:
            log.warning("live transcription failed (%s); transcribing the whole file", exc)
            self.submit(attempt_id)
            return
        self._transcribed(attempt_id, transcript)

    def submit(self, attempt_id: int) -> bool:
        from desktop_app.audio.wavio import read_audio_16k

        path = self.attempts.audio_file(attempt_id)
        if path is None or self.host is None:
            return self._fail(attempt_id, "This attempt has no recording to transcribe.")
        self.flow.transcribing(attempt_id)
        try:
            transcript = self.host.transcribe(read_audio_16k(path))
        except Exception as exc:
            return self._fail(attempt_id, f"Transcription failed: {exc}")
        self._transcribed(attempt_id, transcript)
        return True

    def _transcribed(self, attempt_id: int, transcript: Transcript) -> None:
        self.attempts.transcribed(attempt_id, transcript, self.host.model_name if self.host
                                  else None)
        self.flow.transcribed(attempt_id, transcript)
        self.analyse(attempt_id, transcript)

    def analyse(self, attempt_id: int, transcript: Transcript) -> None:
        attempt = self.attempts.get(attempt_id)
        question = self.bank.get(attempt.question_id) if attempt else None
        try:
            analysis = self.analyzer.analyze(transcript, question,
                                             follow_up=attempt.prompt_text if attempt else None)
        except Exception as exc:
            self._fail(attempt_id, f"Scoring failed: {exc}")
            return
        self.attempts.scored(attempt_id, analysis)
        self.flow.scored(attempt_id, transcript, analysis)

    def _fail(self, attempt_id: int, message: str) -> bool:
        self.error = message
        self.attempts.failed(attempt_id, message)
        self.flow.failed(attempt_id, message)
        return False
