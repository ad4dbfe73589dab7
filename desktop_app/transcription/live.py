"""Transcribe an answer while it is being spoken, so that after "stop" only the tail remains.

The recorder thread calls :meth:`LiveTranscriber.feed` with 16 kHz mono float32 blocks (cheap:
append and signal). A background worker measures each 30 ms frame for the voice-activity
detector, cuts the pending audio at a pause near ``target_s`` (never mid-word), skips chunks without
speech (Whisper invents "Thank you." on silence), transcribes each chunk with its start on the
recording's timeline as ``time_offset`` and keeps a running transcript. :meth:`finish` drains
everything — nothing is ever dropped, however far behind the worker is — and returns the joined
transcript. The transcribe callable may block (e.g. until the model has loaded): audio just queues.

Speculative tail: when the worker is idle and the untranscribed tail ends in a pause after new
speech (people pause before pressing Stop), the tail is transcribed in the background without
committing it, as a chain of pieces: the first pass covers the tail from the last cut; when more
speech follows, only the new speech is transcribed (a short, cheap pass, prompted with the text
before it), and when the worker is free again the chain is transcribed once more as a whole.
At :meth:`finish` the chain is reused for the speech it heard — no Whisper call after "stop"
unless speech came after it, and then only for that speech — and a pass still running that the
chain does not need is not waited for. Committed chunks are cut exactly as without speculation.
It needs a transcribe callable with ``preview`` and ``accept`` (see :func:`engine_chunk_fn`);
plain functions are never called speculatively; passes run on a helper thread, one at a time.
No Qt here; callbacks run on the worker thread.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.cleanup import Cleaner
from desktop_app.transcription.decoding import read_toml
from desktop_app.transcription.vad import (
    FRAME_LEN,
    FRAME_S,
    SAMPLE_RATE,
    FrameFeatures,
    VadConfig,
    VoiceActivityDetector,
    empty_features,
    find_cut,
    frame_features,
)

log = logging.getLogger(__name__)

TranscribeFn = Callable[[np.ndarray, float], Transcript]


class LiveTranscriptionError(RuntimeError):
    """Transcribing a chunk failed; the recording itself is unaffected (transcribe the file)."""


@dataclass(frozen=True)
class LiveConfig:
    """Chunking and filtering thresholds (assets/live.toml notes where each comes from)."""

    target_s: float = 20.0
    max_s: float = 28.0
    min_s: float = 8.0
    lookahead_s: float = 2.0
    min_pause_s: float = 0.12
    long_pause_s: float = 1.5
    distance_weight: float = 0.25
    min_speech_s: float = 0.25
    trim_pad_s: float = 0.25
    word_tolerance_s: float = 0.3
    no_speech_prob: float = 0.6
    low_word_probability: float = 0.5
    min_speech_share: float = 0.5
    spec_pause_s: float = 0.3  # speculate on the tail once it ends in this much quiet (0 = off)
    vad: VadConfig = field(default_factory=VadConfig)

    @classmethod
    def load(cls, path: Path | None = None) -> LiveConfig:
        """Read a live.toml (default: the bundled assets/live.toml); raises ValueError if bad."""
        path, data = read_toml(path, "live.toml", "live transcription settings")
        flat: dict[str, Any] = {
            **data.get("chunks", {}),
            **data.get("filter", {}),
            **data.get("speculation", {}),
        }
        known = {f.name for f in fields(cls)} - {"vad"}
        unknown = sorted(set(flat) - known)
        if unknown:
            raise ValueError(f"{path}: unknown setting(s): {', '.join(unknown)}")
        try:
            vad = VadConfig.from_dict(data.get("vad", {}))
            cfg = cls(**{k: float(v) for k, v in flat.items()}, vad=vad)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        if not 0 < cfg.min_s <= cfg.target_s < cfg.max_s <= 30.0:
            raise ValueError(f"{path}: need 0 < min_s <= target_s < max_s <= 30 (Whisper's window)")
        if 0 < cfg.spec_pause_s <= cfg.trim_pad_s:
            raise ValueError(f"{path}: spec_pause_s must be 0 (off) or more than trim_pad_s")
        return cfg


@dataclass(frozen=True)
class ChunkInfo:
    """One piece of the recording the worker handled (times in seconds on the recording)."""

    start_s: float  # the span cut from the stream
    end_s: float
    audio_start_s: float  # the part sent to Whisper (trimmed to the speech); equal if skipped
    audio_end_s: float
    skipped: bool  # no speech: not sent to Whisper
    words: int = 0
    dropped_segments: int = 0
    seconds: float = 0.0  # time spent transcribing
    reused: bool = False  # a speculative pass's result was used: no Whisper call for it


@dataclass(frozen=True)
class _Span:
    """Where a speculative pass listens (sample indices on the recording)."""

    start: int  # where its span begins: _p0, or the cut after the piece before it
    a: int  # audio sent to Whisper: [a, b)
    b: int
    v0: int  # the detected speech inside: [v0, v1)
    v1: int
    cut: int  # where its span ends: a frame boundary in the pause after v1 (may be before b)


@dataclass(frozen=True)
class _Spec(_Span):
    """An uncommitted transcription of the span [start, cut): one piece of the chain."""

    result: Transcript
    segments: tuple[Segment, ...]  # cleaned, for the preview
    seconds: float


@dataclass(frozen=True)
class _Job:
    """A speculative pass on the helper thread, replacing ``replaces`` pieces."""

    span: _Span
    replaces: int  # chain pieces it stands for (0: it extends the chain)
    region: np.ndarray  # speech decisions from ``span.start`` on, for cleaning its result
    future: Future


class LiveTranscriber:
    """Cuts a live stream at pauses and transcribes the chunks on a background thread."""

    def __init__(
        self,
        transcribe: TranscribeFn,
        *,
        config: LiveConfig | None = None,
        on_text: Callable[[Transcript], None] | None = None,
        on_state: Callable[[str], None] | None = None,
    ) -> None:
        self._transcribe = transcribe
        self.config = config or LiveConfig.load()
        self._vad = VoiceActivityDetector(self.config.vad)
        c = self.config
        self.cleaner = Cleaner(
            word_tolerance_s=c.word_tolerance_s, no_speech_prob=c.no_speech_prob,
            low_word_probability=c.low_word_probability, min_speech_share=c.min_speech_share,
        )  # fmt: skip
        self._on_text = on_text
        self._on_state = on_state
        self._cond = threading.Condition()
        self._incoming: list[np.ndarray] = []
        self._received = 0  # samples fed
        self._finishing = self._cancelled = False
        self._state = ""
        self._error: BaseException | None = None
        # worker-owned
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # absolute sample index of _buf[0]
        self._total = 0  # samples appended to _buf so far
        self._feats = empty_features()
        self._feat_start = 0  # absolute frame index of _feats[0]
        self._p0 = 0  # first sample not yet transcribed or skipped (frame-aligned)
        self._segments: list[Segment] = []
        self._lang, self._model = "en", ""
        self._chunks: list[ChunkInfo] = []
        self._pieces: list[_Spec] = []  # the speculative chain from _p0 on
        self._job: _Job | None = None  # the speculative pass running on the helper thread
        self._helper: ThreadPoolExecutor | None = None
        self._idle = False
        self._stopped = False  # the worker has returned (done, failed or cancelled)
        self.spec_passes = 0  # speculative Whisper calls made
        self.spec_seconds = 0.0  # and the time they took
        self._lock = threading.Lock()  # guards _segments/_chunks/_pieces snapshots
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

    @property
    def transcript(self) -> Transcript:
        """The joined transcript so far (segments in order, word times on the recording)."""
        with self._lock:
            segments = list(self._segments)
        return self._joined(segments)

    @property
    def preview(self) -> Transcript:
        """The transcript so far plus the speculative (uncommitted) tail, if one is current."""
        with self._lock:
            segments = list(self._segments)
            for piece in self._pieces:
                segments.extend(piece.segments)
        return self._joined(segments)

    def _joined(self, segments: list[Segment]) -> Transcript:
        text = re.sub(r"\s+", " ", " ".join(s.text.strip() for s in segments)).strip()
        return Transcript(
            text=text,
            segments=segments,
            language=self._lang,
            model=self._model,
            duration=self._received / SAMPLE_RATE,
        )

    @property
    def chunks(self) -> list[ChunkInfo]:
        with self._lock:
            return list(self._chunks)

    @property
    def state(self) -> str:
        return self._state

    @property
    def pending_s(self) -> float:
        """Seconds of audio received but not yet transcribed (or skipped)."""
        return max(0, self._received - self._p0) / SAMPLE_RATE

    # ----------------------------------------------------------------- worker thread
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            if self._on_state is not None:
                try:
                    self._on_state(state)
                except Exception:  # a UI callback must not kill the worker
                    log.exception("on_state callback failed")

    def _run(self) -> None:
        self._set_state("listening")
        try:
            while True:
                with self._cond:
                    while not (
                        self._incoming
                        or self._finishing
                        or self._cancelled
                        or (self._job is not None and self._job.future.done())
                    ):
                        self._idle = self._job is None
                        self._cond.notify_all()
                        self._cond.wait()
                    self._idle = False
                    blocks, self._incoming = self._incoming, []
                    final, cancelled = self._finishing, self._cancelled
                if cancelled:
                    return
                if blocks:
                    self._append(blocks)
                try:
                    if self._job is not None and self._job.future.done():
                        self._integrate()
                    self._process(final)
                    if not final and self._job is None and self._quiet():
                        self._speculate()
                except Exception as exc:  # noqa: BLE001 - reported through finish()
                    log.warning("live transcription failed: %s", exc)
                    self._error = exc
                    return
                if final:
                    self._set_state("done")
                    return
        finally:
            if self._helper is not None:  # a pass still running is not waited for
                self._helper.shutdown(wait=False)
            with self._cond:
                self._stopped = True
                self._cond.notify_all()

    def _append(self, blocks: list[np.ndarray]) -> None:
        new = np.concatenate(blocks)
        self._buf = np.concatenate([self._buf, new]) if self._buf.size else new
        self._total += new.size
        done = self._feat_start + len(self._feats)  # frames measured so far
        first = done * FRAME_LEN - self._buf_start
        feats = frame_features(self._buf[first:])
        if len(feats):
            self._feats = FrameFeatures.concat([self._feats, feats])

    def _decisions(self) -> np.ndarray:
        """Speech decisions for each complete frame from _p0 on (earlier frames give context)."""
        p0f = self._p0 // FRAME_LEN
        ctx = min(p0f - self._feat_start, int(self.config.vad.floor_window_s / 2 / FRAME_S))
        lo = p0f - ctx - self._feat_start
        return self._vad.classify(self._feats.slice(lo, len(self._feats)))[ctx:]

    def _process(self, final: bool) -> None:
        c = self.config
        while not self._cancelled:
            pending_s = (self._total - self._p0) / SAMPLE_RATE
            if pending_s <= 0:
                return
            if final and pending_s <= c.max_s:
                self._finish_tail(self._decisions())
                return
            if not final and pending_s < c.target_s + c.lookahead_s:
                self._set_state("transcribing" if self._job is not None else "listening")
                return
            speech = self._decisions()
            if not final and pending_s < c.max_s and self._new_speech(speech) is not None:
                self._speculate(speech)  # the new speech first: the chain may cover a chunk
                return
            if not self._free_pieces(speech) and self._job is not None:
                self._await_job()  # it may give one (and Whisper takes one call at a time)
                speech = self._decisions()
            free = self._free_pieces(speech)
            if free:  # speculative pieces heard a chunk's worth: commit them as they are
                for piece in free:
                    self._commit(piece.cut, speech, piece)
                    speech = self._decisions()
                continue
            cut = find_cut(
                speech,
                c.target_s,
                earliest_s=c.min_s,
                latest_s=c.max_s,
                min_pause_s=c.min_pause_s,
                long_pause_s=c.long_pause_s,
                distance_weight=c.distance_weight,
                energy_db=self._feats.energy_db[self._p0 // FRAME_LEN - self._feat_start :],
                force=final or pending_s >= c.max_s,
            )
            if cut is None:
                self._set_state("transcribing" if self._job is not None else "listening")
                return
            end = self._p0 + max(1, int(round(cut / FRAME_S))) * FRAME_LEN
            self._chunk(end, speech, final=final)

    def _quiet(self) -> bool:
        with self._cond:
            return not (self._incoming or self._finishing or self._cancelled)

    def _speech_span(
        self, start: int, end: int, speech: np.ndarray, origin: int | None = None
    ) -> tuple[int, int, int, int] | None:
        """(a, b, v0, v1): audio to send [a, b) and detected speech [v0, v1) in [start, end).

        ``speech`` holds the decisions from ``origin`` on (default: from ``start``)."""
        c = self.config
        origin = start if origin is None else origin
        f0 = (start - origin) // FRAME_LEN
        f1 = min(speech.size, (end - origin) // FRAME_LEN)
        voiced = np.flatnonzero(speech[f0:f1]) + f0 if f1 > f0 else np.zeros(0, dtype=int)
        if voiced.size * FRAME_S < c.min_speech_s:
            return None
        pad = int(round(c.trim_pad_s * SAMPLE_RATE))
        v0 = origin + int(voiced[0]) * FRAME_LEN
        v1 = origin + (int(voiced[-1]) + 1) * FRAME_LEN
        return max(start, v0 - pad), min(end, v1 + pad), v0, v1

    # ----------------------------------------------------------------- speculation
    def _speculate(self, speech: np.ndarray | None = None) -> None:
        """Start a speculative pass on the helper thread if the tail calls for one.

        New speech ending in a pause after the chain: transcribe just that (the whole tail when
        the chain is empty). No new speech but several pieces: transcribe them again as one.
        """
        if (self._total - self._p0) / SAMPLE_RATE > self.config.max_s:
            return
        speech = self._decisions() if speech is None else speech
        job = self._new_speech(speech)
        pieces = self._pieces
        if job is not None:
            start, a, b, v0, v1 = job
            # the span ends mid-pause (the pause is at least spec_pause_s): a frame boundary
            mid = v1 + int(self.config.spec_pause_s / 2 * SAMPLE_RATE)
            cut = start + -(-(mid - start) // FRAME_LEN) * FRAME_LEN
            after = " ".join(p.result.text.strip() for p in pieces) if pieces else None
            self._submit(_Span(start, a, b, v0, v1, cut), 0, speech, after)
        elif len(pieces) > 1:  # their span is all in the past: no need to wait for a pause
            first, last = pieces[0], pieces[-1]
            span = _Span(self._p0, first.a, last.b, first.v0, last.v1, last.cut)
            self._submit(span, len(pieces), speech, None)

    def _new_speech(self, speech: np.ndarray) -> tuple[int, int, int, int, int] | None:
        """(start, a, b, v0, v1) of speech after the chain that ends in a pause, if speculation
        is on and no pass is running (it drops chain pieces the VAD no longer agrees with)."""
        c = self.config
        preview = getattr(self._transcribe, "preview", None)
        accept = getattr(self._transcribe, "accept", None)
        if c.spec_pause_s <= 0 or not (callable(preview) and callable(accept)):
            return None
        if self._job is not None or self._total <= self._p0:
            return None
        self._drop_stale_pieces(speech)
        origin = self._pieces[-1].cut if self._pieces else self._p0
        span = self._speech_span(origin, self._total, speech, self._p0)
        if span is None or span[1] >= self._total:
            return None
        if (self._total - span[3]) / SAMPLE_RATE < c.spec_pause_s:
            return None  # still talking (or the pause is shorter than the trim pad)
        return (origin, *span)

    def _drop_stale_pieces(self, speech: np.ndarray) -> None:
        """Forget pieces whose span no longer holds only the speech they heard (the VAD's view
        of earlier frames can change as the noise floor adapts)."""
        keep, start = 0, self._p0
        for piece in self._pieces:
            if piece.start != start or not self._heard_all(piece, piece.cut, speech):
                break
            keep, start = keep + 1, piece.cut
        if keep < len(self._pieces):
            with self._lock:
                del self._pieces[keep:]

    def _heard_all(self, piece: _Spec, end: int, speech: np.ndarray) -> bool:
        """Did ``piece`` hear all the speech in [piece.start, end), with none at ``end`` nor
        in the audio it heard past ``end``?"""
        span = self._speech_span(piece.start, end, speech, self._p0)
        if span is None or not (piece.a <= span[2] and span[3] <= piece.b):
            return False
        at = (end - self._p0) // FRAME_LEN
        heard_to = -(-(piece.b - self._p0) // FRAME_LEN)
        return at >= speech.size or not speech[max(0, at - 1) : max(at + 1, heard_to)].any()

    def _submit(
        self, span: _Span, replaces: int, speech: np.ndarray, after: str | None
    ) -> None:
        preview = self._transcribe.preview  # type: ignore[attr-defined]
        start, a, b = span.start, span.a, span.b
        audio = np.ascontiguousarray(self._buf[a - self._buf_start : b - self._buf_start])
        kwargs = {} if after is None else {"after": after}

        def run() -> tuple[Transcript, float]:
            began = time.perf_counter()
            result = preview(audio, a / SAMPLE_RATE, **kwargs)
            return result, time.perf_counter() - began

        if self._helper is None:
            self._helper = ThreadPoolExecutor(1, thread_name_prefix="live-speculative")
        region = speech[(start - self._p0) // FRAME_LEN :].copy()
        self._set_state("transcribing")
        future = self._helper.submit(run)
        self._job = _Job(span, replaces, region, future)
        future.add_done_callback(self._wake)

    def _wake(self, _future: Future) -> None:
        with self._cond:
            self._cond.notify_all()

    def _integrate(self) -> None:
        """Take the finished speculative pass into the chain (if the chain still fits it)."""
        job, self._job = self._job, None
        assert job is not None
        result, took = job.future.result()  # a failed pass raises: reported through finish()
        self.spec_passes += 1
        self.spec_seconds += took
        pieces, span = self._pieces, job.span
        if job.replaces:
            fits = len(pieces) >= job.replaces and pieces[0].start == span.start == self._p0
            fits = fits and pieces[job.replaces - 1].b == span.b
        else:
            fits = span.start == (pieces[-1].cut if pieces else self._p0)
        if not fits:
            return
        region = job.region[: (span.cut - span.start) // FRAME_LEN]
        kept, _dropped = self._clean(result, region, span.start)
        piece = _Spec(**vars(span), result=result, segments=tuple(kept), seconds=took)
        with self._lock:
            if job.replaces:
                self._pieces[: job.replaces] = [piece]
            else:
                self._pieces.append(piece)
        if self._on_text is not None:
            try:
                self._on_text(self.preview)
            except Exception:
                log.exception("on_text callback failed")

    def _await_job(self) -> None:
        """Wait for the speculative pass in flight (before a Whisper call of our own)."""
        if self._job is not None:
            try:
                self._job.future.exception()  # waits
            finally:
                self._integrate()

    # ----------------------------------------------------------------- committing
    def _finish_tail(self, speech: np.ndarray) -> None:
        """At "stop": commit the tail, reusing the speculative chain for the speech it heard.

        A pass still running is waited for only if the chain does not cover all the speech."""
        end = self._total
        if self._job is not None and not self._chain_covers(end, speech):
            self._await_job()
            speech = self._decisions()
        self._drop_stale_pieces(speech)
        pieces = list(self._pieces)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            if last and self._heard_all(piece, end, speech):
                self._commit(end, speech, piece)
                return
            if piece.cut >= end or not self._heard_all(piece, piece.cut, speech):
                break
            self._commit(piece.cut, speech, piece)
            speech = self._decisions()
        self._chunk(end, speech, final=True)

    def _free_pieces(self, speech: np.ndarray) -> list[_Spec]:
        """Speculative pieces from _p0 on that can be committed as they are: the first piece if
        it ends between min_s and max_s on, else the fewest that reach min_s (within max_s);
        each heard all the speech in its span and ends in a pause."""
        c, start, chosen = self.config, self._p0, []
        for piece in self._pieces:
            length = (piece.cut - self._p0) / SAMPLE_RATE
            if piece.start != start or length > c.max_s:
                break
            if not self._heard_all(piece, piece.cut, speech):
                break
            chosen.append(piece)
            if length >= c.min_s:
                return chosen
            start = piece.cut
        return []

    def _chain_covers(self, end: int, speech: np.ndarray) -> bool:
        pieces = self._pieces
        if not pieces or pieces[0].start != self._p0:
            return False
        for i, piece in enumerate(pieces):
            stop = end if i == len(pieces) - 1 else piece.cut
            if piece.start != (pieces[i - 1].cut if i else self._p0):
                return False
            if not self._heard_all(piece, stop, speech):
                return False
        return True

    def _chunk(self, end: int, speech: np.ndarray, *, final: bool) -> None:
        """Transcribe (or skip) [_p0, end) and advance _p0 to end."""
        c = self.config
        start = self._p0
        region = speech[: min(speech.size, (end - start) // FRAME_LEN)]
        span = self._speech_span(start, end, region)
        if span is None:
            t0, t1 = start / SAMPLE_RATE, end / SAMPLE_RATE
            self._record(ChunkInfo(t0, t1, t0, t1, skipped=True))
            self._advance(end)
            return
        if self._job is not None:  # one Whisper call at a time; the pass may even cover this
            self._await_job()
            speech = self._decisions()
            region = speech[: min(speech.size, (end - start) // FRAME_LEN)]
        pieces = self._pieces
        if len(pieces) == 1 and self._heard_all(pieces[0], end, speech):
            self._commit(end, speech, pieces[0])
            return
        a, b, _v0, _v1 = span
        backlog = (self._total - end) / SAMPLE_RATE
        behind = backlog > c.max_s or (final and backlog > 0)
        self._set_state("catching up" if behind else "transcribing")
        audio = self._buf[a - self._buf_start : b - self._buf_start]
        began = time.perf_counter()
        result = self._transcribe(np.ascontiguousarray(audio), a / SAMPLE_RATE)
        self._add(end, region, result, a, b, time.perf_counter() - began, reused=False)

    def _commit(self, end: int, speech: np.ndarray, piece: _Spec) -> None:
        """Commit [_p0, end) with the speculative ``piece`` that heard it (no Whisper call)."""
        accept = getattr(self._transcribe, "accept", None)
        if callable(accept):
            accept(piece.result)
        region = speech[: min(speech.size, (end - self._p0) // FRAME_LEN)]
        self._add(end, region, piece.result, piece.a, piece.b, 0.0, reused=True)

    def _add(
        self, end: int, region: np.ndarray, result: Transcript, a: int, b: int,
        took: float, *, reused: bool,
    ) -> None:
        start = self._p0
        kept, dropped = self._clean(result, region, start)
        with self._lock:
            self._segments.extend(kept)
            self._lang = result.language or self._lang
            self._model = result.model or self._model
            self._chunks.append(
                ChunkInfo(
                    start / SAMPLE_RATE,
                    end / SAMPLE_RATE,
                    a / SAMPLE_RATE,
                    b / SAMPLE_RATE,
                    skipped=False,
                    words=sum(len(s.words) for s in kept),
                    dropped_segments=dropped,
                    seconds=took,
                    reused=reused,
                )
            )
        if kept and self._on_text is not None:
            try:
                self._on_text(self.transcript)
            except Exception:
                log.exception("on_text callback failed")
        self._advance(end)

    def _advance(self, end: int) -> None:
        """_p0 moves to ``end``: pieces before it are used up or stale."""
        self._p0 = end
        with self._lock:
            while self._pieces and self._pieces[0].start < end:
                self._pieces.pop(0)
            if self._pieces and self._pieces[0].start != end:
                self._pieces.clear()
        self._forget_before(end)

    def _record(self, info: ChunkInfo) -> None:
        with self._lock:
            self._chunks.append(info)

    def _forget_before(self, sample: int) -> None:
        """Free audio and features no later chunk needs (features keep the floor's context)."""
        drop = sample - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:].copy()
            self._buf_start = sample
        keep_from = sample // FRAME_LEN - int(self.config.vad.floor_window_s / 2 / FRAME_S)
        cut = keep_from - self._feat_start
        if cut > 0:
            self._feats = self._feats.slice(cut, len(self._feats))
            self._feat_start = keep_from

    def _clean(
        self, result: Transcript, region: np.ndarray, start: int
    ) -> tuple[list[Segment], int]:
        """Drop what Whisper heard in non-speech (see :mod:`.cleanup`); clamp word times."""
        return self.cleaner.clean(result.segments, region, start / SAMPLE_RATE)


class EngineChunkFn:
    """A LiveTranscriber ``transcribe`` callable bound to ``engine.decode`` for ONE answer.

    ``fn(audio, offset)`` transcribes a chunk and carries its text over as the next chunk's
    prompt; ``preview`` transcribes with the prompt the next chunk would get without carrying
    anything over (a speculative pass; ``after`` is uncommitted text that comes before the audio
    and joins the prompt) and ``accept(result)`` then commits it as if ``fn`` had returned it.
    ``purpose`` (``live`` or ``whole_file``) picks the decoding's beam width.
    Calls come one at a time (from the live worker or its speculative helper thread).
    """

    def __init__(
        self, engine: Any, *, context_words: int = 40, purpose: str = "live", **prompt: str | None
    ) -> None:
        self.engine = engine
        self.context_words = context_words
        self.purpose = purpose
        self.prompt = prompt
        self._first = True
        self._context: str | None = None

    def preview(
        self, audio: np.ndarray, time_offset: float, *, after: str | None = None
    ) -> Transcript:
        if after is not None:
            kwargs = {"initial_prompt": self._carry(self._context, after)}
        elif self._first:
            kwargs = self.prompt
        else:
            kwargs = {"initial_prompt": self._context}
        return self.engine.decode(audio, time_offset=time_offset, purpose=self.purpose, **kwargs)

    def accept(self, result: Transcript) -> None:
        self._first = False
        self._context = self._carry(self._context, result.text)

    def _carry(self, before: str | None, text: str) -> str | None:
        """The last ``context_words`` words of ``before`` followed by ``text``."""
        if self.context_words <= 0:
            return None
        words = f"{before or ''} {text}".split()[-self.context_words :]
        return " ".join(words) or None

    def __call__(self, audio: np.ndarray, time_offset: float) -> Transcript:
        result = self.preview(audio, time_offset)
        self.accept(result)
        return result


def engine_chunk_fn(
    engine: Any, *, context_words: int = 40, purpose: str = "live", **prompt: str | None
) -> EngineChunkFn:
    """Bind ``engine.decode`` for ONE answer as a LiveTranscriber ``transcribe`` callable.

    The first chunk gets the engine's initial prompt (its default filler prompt, or
    ``initial_prompt=...``); each later chunk is prompted with the last ``context_words`` words
    of the chunk before, so Whisper keeps the context across the cut (0 = no prompt after the
    first chunk, as Whisper itself does over a long file with condition_on_previous_text=False).
    Measured with tiny.en on 188 s of espeak-ng answers, WER against whole-file: previous-text
    prompt +0.9 points, no prompt +1.0, filler prompt on the first chunk only +2.1, filler prompt
    on every chunk +4 (it made tiny.en skip whole sentences).
    """
    return EngineChunkFn(engine, context_words=context_words, purpose=purpose, **prompt)
