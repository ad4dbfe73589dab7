"""The live transcriber: the worker thread and the API the recorder and the window use.

The recorder thread calls :meth:`LiveTranscriber.feed` with 16 kHz mono float32 blocks (cheap:
append and signal). A background worker appends them to the :class:`.stream.AudioStream`, lets the
:class:`.policy.ChunkPolicy` commit every chunk that is due and, when it is idle, the
:class:`.chain.SpeculativeChain` transcribe the tail speculatively. :meth:`finish` drains
everything — nothing is ever dropped, however far behind the worker is — and returns the joined
transcript. The transcribe callable may block (e.g. until the model has loaded): audio just queues.
At :meth:`finish` the chain is reused for the speech it heard — no Whisper call after "stop"
unless speech came after it, and then only for that speech — and a pass still running that the
chain does not need is not waited for. Committed chunks are cut exactly as without speculation.
Speculation needs a transcribe callable with ``preview`` and ``accept`` (see
:func:`.chunk_fn.engine_chunk_fn`); plain functions are never called speculatively.
No Qt here; callbacks run on the worker thread.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.cleanup import Cleaner
from desktop_app.transcription.live.chain import SpeculativeChain
from desktop_app.transcription.live.config import (
    ChunkInfo,
    LiveConfig,
    LiveTranscriptionError,
    TranscribeFn,
)
from desktop_app.transcription.live.load import LoadMeter
from desktop_app.transcription.live.policy import ChunkPolicy
from desktop_app.transcription.live.refine import Refiner
from desktop_app.transcription.live.stream import AudioStream
from desktop_app.transcription.vad import SAMPLE_RATE

log = logging.getLogger(__name__)


class LiveTranscriber:
    """Cuts a live stream at pauses and transcribes the chunks on a background thread."""

    def __init__(
        self,
        transcribe: TranscribeFn,
        *,
        config: LiveConfig | None = None,
        on_text: Callable[[Transcript], None] | None = None,
        on_state: Callable[[str], None] | None = None,
        on_lag: Callable[[float], None] | None = None,
        meter: LoadMeter | None = None,
    ) -> None:
        """``on_lag(seconds)``: how far the transcript is behind the speech, called (on the
        recorder or the worker thread) when it passes ``catch_up_s`` and as it changes, and
        with 0 once caught up. ``meter`` times the Whisper calls (default: a LoadMeter)."""
        self.config = c = config or LiveConfig.load()
        self.meter = meter or LoadMeter(c)
        self.cleaner = Cleaner(
            word_tolerance_s=c.word_tolerance_s, no_speech_prob=c.no_speech_prob,
            low_word_probability=c.low_word_probability, min_speech_share=c.min_speech_share,
        )  # fmt: skip
        self._on_text = on_text
        self._on_state = on_state
        self._on_lag = on_lag
        self._lag_shown = 0  # whole seconds last reported through on_lag (0: not behind)
        self._lag_lock = threading.Lock()
        self._cond = threading.Condition()
        self._incoming: list[np.ndarray] = []
        self._received = 0  # samples fed
        self._finishing = self._cancelled = False
        self._state = ""
        self._error: BaseException | None = None
        self._idle = False
        self._stopped = False  # the worker has returned (done, failed or cancelled)
        self._lock = threading.Lock()  # guards the committed segments/chunks and chain pieces
        self._stream = AudioStream(c)  # worker-owned from here on
        self._chain = SpeculativeChain(
            self._stream, transcribe, self.cleaner, self.meter, lock=self._lock,
            on_done=self._wake,
            on_change=lambda: self._emit_text(self.preview),
        )  # fmt: skip
        self._refine_pool = ThreadPoolExecutor(1, thread_name_prefix="live-refine")
        self.refiner = Refiner(transcribe, c, self.cleaner, self.meter, self._run_refine)
        self._policy = ChunkPolicy(
            self._stream, self._chain, transcribe, self.cleaner, self.meter, self.refiner,
            lock=self._lock,
            set_state=self._set_state, on_committed=lambda: self._emit_text(self.transcript),
            cancelled=lambda: self._cancelled,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._run, name="live-transcriber", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- recorder thread
    def feed(self, chunk: np.ndarray) -> None:
        """Queue a block of 16 kHz mono float32 audio (call from the recorder thread)."""
        a = np.asarray(chunk)
        if a.ndim == 2 and 1 in a.shape:
            a = a.reshape(-1)
        if a.ndim != 1:
            raise ValueError(f"live transcription needs mono audio, got shape {a.shape}")
        a = a.astype(np.float32, copy=True)
        with self._cond:
            if self._cancelled:
                return
            if self._finishing:
                raise RuntimeError("LiveTranscriber.feed() called after finish()")
            self._incoming.append(a)
            self._received += a.size
            self._cond.notify()
        self._report_lag()

    # ----------------------------------------------------------------- controller
    def finish(self, timeout: float | None = None) -> Transcript:
        """Transcribe everything still pending and return the whole transcript (blocks).

        Raises TimeoutError if ``timeout`` passes first (the work carries on; call again),
        LiveTranscriptionError if a chunk failed to transcribe, RuntimeError after cancel().
        """
        with self._cond:
            if self._cancelled:
                raise RuntimeError("LiveTranscriber.finish() called after cancel()")
            self._finishing = True
            self._cond.notify()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"live transcription still running after {timeout} s")
        if self._error is not None:
            raise LiveTranscriptionError(
                f"Live transcription failed: {self._error}"
            ) from self._error
        transcript = self.transcript
        transcript.no_speech = not transcript.text  # nothing heard: say so, invent nothing
        return transcript

    def cancel(self) -> None:
        """Stop and forget queued audio (returns at once; a chunk in Whisper finishes quietly)."""
        with self._cond:
            self._cancelled = True
            self._incoming.clear()
            self._cond.notify()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the worker has handled all fed audio and waits for more, or has stopped
        (finished, failed or cancelled: see :meth:`finish`)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: (self._idle and not self._incoming) or self._stopped, timeout=timeout
            )

    # ----------------------------------------------------------------- what it has so far
    @property
    def transcript(self) -> Transcript:
        """The joined transcript so far (segments in order, word times on the recording)."""
        with self._lock:
            segments = list(self._policy.segments)
        return self._joined(segments)

    @property
    def preview(self) -> Transcript:
        """The transcript so far plus the speculative (uncommitted) tail, if one is current."""
        with self._lock:
            segments = list(self._policy.segments)
            for piece in self._chain.pieces:
                segments.extend(piece.segments)
        return self._joined(segments)

    def _joined(self, segments: list[Segment]) -> Transcript:
        text = re.sub(r"\s+", " ", " ".join(s.text.strip() for s in segments)).strip()
        return Transcript(
            text=text,
            segments=segments,
            language=self._policy.language,
            model=self._policy.model,
            duration=self._received / SAMPLE_RATE,
        )

    @property
    def chunks(self) -> list[ChunkInfo]:
        with self._lock:
            return list(self._policy.chunks)

    @property
    def state(self) -> str:
        return self._state

    @property
    def pending_s(self) -> float:
        """Seconds of audio received but not yet transcribed (or skipped)."""
        return max(0, self._received - self._stream.p0) / SAMPLE_RATE

    @property
    def behind_s(self) -> float:
        """Seconds of speech past the point where the worker should have committed a chunk
        (0 unless it has been transcribing chunks since it last had nothing due)."""
        if not self._policy.working or self._stopped:
            return 0.0
        done_to = max(self._stream.p0, self._policy.busy_to)
        return self.meter.behind_s(max(0, self._received - done_to) / SAMPLE_RATE)

    @property
    def spec_passes(self) -> int:
        """Speculative Whisper calls made so far."""
        return self._chain.passes

    @property
    def spec_seconds(self) -> float:
        """Time the speculative passes took."""
        return self._chain.seconds

    # ----------------------------------------------------------------- worker thread
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            if self._on_state is not None:
                try:
                    self._on_state(state)
                except Exception:  # a UI callback must not kill the worker
                    log.exception("on_state callback failed")

    def _emit_text(self, transcript: Transcript) -> None:
        if self._on_text is not None:
            try:
                self._on_text(transcript)
            except Exception:
                log.exception("on_text callback failed")

    def _report_lag(self) -> None:
        if self._on_lag is None:
            return
        behind = self.behind_s
        shown = int(behind) if behind >= self.config.catch_up_s else 0
        with self._lag_lock:
            if shown == self._lag_shown:
                return
            self._lag_shown = shown
        try:
            self._on_lag(float(shown))
        except Exception:
            log.exception("on_lag callback failed")

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _run(self) -> None:
        self._set_state("listening")
        chain, refiner = self._chain, self.refiner
        try:
            while True:
                with self._cond:
                    while not (
                        self._incoming or self._finishing or self._cancelled or chain.job_done
                        or refiner.job_done
                    ):
                        self._idle = chain.job is None and refiner.job is None
                        self._cond.notify_all()
                        self._cond.wait()
                    self._idle = False
                    blocks, self._incoming = self._incoming, []
                    final, cancelled = self._finishing, self._cancelled
                if cancelled:
                    return
                if blocks:
                    self._stream.append(blocks)
                try:
                    if chain.job_done:
                        chain.integrate()
                    if refiner.job_done:
                        self._policy.take_refined()
                    self._policy.process(final)
                    if final and refiner.job_done:  # the best version finished at stop wins
                        self._policy.take_refined()
                    if not final and chain.job is None and self._quiet():
                        self._policy.speculate()
                    if not final and self._quiet():
                        self._policy.refine()
                except Exception as exc:  # noqa: BLE001 - reported through finish()
                    log.warning("live transcription failed: %s", exc)
                    self._error = exc
                    return
                if final:
                    self._set_state("done")
                    return
                self._policy.working = False  # all due work done: keeping up
                self._report_lag()
        finally:
            chain.shutdown()
            self._refine_pool.shutdown(wait=False, cancel_futures=True)
            with self._cond:
                self._stopped = True
                self._cond.notify_all()
            self._report_lag()

    def _run_refine(self, fn: Callable[[], tuple[Transcript, float]]) -> Future:
        """Run a re-decode on its own thread (speculative passes may start meanwhile and
        interrupt it); wake the worker when it ends."""
        future = self._refine_pool.submit(fn)
        future.add_done_callback(lambda _f: self._wake())
        return future

    def _quiet(self) -> bool:
        with self._cond:
            return not (self._incoming or self._finishing or self._cancelled)
