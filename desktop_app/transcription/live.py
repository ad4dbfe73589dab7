"""Transcribe an answer while it is being spoken, so that after "stop" only the tail remains.

The recorder thread calls :meth:`LiveTranscriber.feed` with 16 kHz mono float32 blocks (cheap:
append and signal). A background worker measures each 30 ms frame for the voice-activity
detector, cuts the pending audio at a pause near ``target_s`` (never mid-word), skips chunks without
speech (Whisper invents "Thank you." on silence), transcribes each chunk with its start on the
recording's timeline as ``time_offset`` and keeps a running transcript. :meth:`finish` drains
everything — nothing is ever dropped, however far behind the worker is — and returns the joined
transcript. The transcribe callable may block (e.g. until the model has loaded): audio just queues.

Speculative tail: when the worker is idle and the untranscribed tail ends in a pause after new
speech (people pause before pressing Stop), the tail so far is transcribed in the background
without committing it. At :meth:`finish` (or at the next cut) that result is reused when no speech
arrived after it — no Whisper call after "stop" — and when new speech did arrive, the tail is split
at the pause the speculative pass ended in, so only the new speech is transcribed. Committed chunks
are cut exactly as without speculation. It needs a transcribe callable with ``preview`` and
``accept`` (see :func:`engine_chunk_fn`); plain functions are never called speculatively.
No Qt here; callbacks run on the worker thread.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 needs the tomli backport
    import tomli as tomllib

from desktop_app.domain import Segment, Transcript, Word
from desktop_app.paths import assets_dir
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
STATES = ("listening", "transcribing", "catching up", "done")


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
    spec_pause_s: float = 0.3  # speculate on the tail once it ends in this much quiet (0 = off)
    vad: VadConfig = field(default_factory=VadConfig)

    @classmethod
    def load(cls, path: Path | None = None) -> LiveConfig:
        """Read a live.toml (default: the bundled assets/live.toml); raises ValueError if bad."""
        path = Path(path) if path else assets_dir() / "live.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: cannot read live transcription settings: {exc}") from exc
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
class _Spec:
    """An uncommitted transcription of the tail [start, ...) (sample indices on the recording)."""

    start: int  # _p0 when it was made
    a: int  # audio sent to Whisper: [a, b)
    b: int
    v0: int  # the detected speech inside: [v0, v1)
    v1: int
    result: Transcript
    segments: tuple[Segment, ...]  # cleaned, for the preview
    seconds: float


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
        self._spec: _Spec | None = None
        self._idle = False
        self.spec_passes = 0  # speculative Whisper calls made
        self.spec_seconds = 0.0  # and the time they took
        self._lock = threading.Lock()  # guards _segments/_chunks snapshots
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
        return self.transcript

    def cancel(self) -> None:
        """Stop and forget queued audio (returns at once; a chunk in Whisper finishes quietly)."""
        with self._cond:
            self._cancelled = True
            self._incoming.clear()
            self._cond.notify()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the worker has handled all fed audio and waits for more (tests, benches)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._idle and not self._incoming, timeout=timeout
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
            spec = self._spec
        if spec is not None and spec.start == self._p0:
            segments.extend(spec.segments)
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
        while True:
            with self._cond:
                while not (self._incoming or self._finishing or self._cancelled):
                    self._idle = True
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
                self._process(final)
                if not final and self._quiet():
                    self._speculate()
            except Exception as exc:  # noqa: BLE001 - reported through finish()
                log.warning("live transcription failed: %s", exc)
                self._error = exc
                return
            if final:
                self._set_state("done")
                return

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
                self._chunk(self._total, self._decisions(), final=True)
                return
            if not final and pending_s < c.target_s + c.lookahead_s:
                self._set_state("listening")
                return
            speech = self._decisions()
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
                self._set_state("listening")
                return
            end = self._p0 + max(1, int(round(cut / FRAME_S))) * FRAME_LEN
            self._chunk(end, speech, final=final)

    def _quiet(self) -> bool:
        with self._cond:
            return not (self._incoming or self._finishing or self._cancelled)

    def _speech_span(
        self, start: int, end: int, speech: np.ndarray
    ) -> tuple[int, int, int, int] | None:
        """(a, b, v0, v1): audio to send [a, b) and detected speech [v0, v1) in [start, end)."""
        c = self.config
        n_frames = min(speech.size, (end - start) // FRAME_LEN)
        voiced = np.flatnonzero(speech[:n_frames])
        if voiced.size * FRAME_S < c.min_speech_s:
            return None
        pad = int(round(c.trim_pad_s * SAMPLE_RATE))
        v0 = start + int(voiced[0]) * FRAME_LEN
        v1 = start + (int(voiced[-1]) + 1) * FRAME_LEN
        return max(start, v0 - pad), min(end, v1 + pad), v0, v1

    def _speculate(self) -> None:
        """Transcribe the tail so far without committing it, if it ends in a pause after speech."""
        c = self.config
        preview = getattr(self._transcribe, "preview", None)
        accept = getattr(self._transcribe, "accept", None)
        start, end = self._p0, self._total
        if c.spec_pause_s <= 0 or not (callable(preview) and callable(accept)) or end <= start:
            return
        if (end - start) / SAMPLE_RATE > c.max_s:
            return
        speech = self._decisions()
        span = self._speech_span(start, end, speech)
        if span is None:
            return
        a, b, v0, v1 = span
        if (end - v1) / SAMPLE_RATE < c.spec_pause_s or b >= end:
            return  # still talking (or the pause is shorter than the trim pad)
        spec = self._spec
        if spec is not None and spec.start == start and spec.v0 == v0 and spec.v1 == v1:
            return  # nothing new since the last pass
        audio = self._buf[a - self._buf_start : b - self._buf_start]
        began = time.perf_counter()
        result = preview(np.ascontiguousarray(audio), a / SAMPLE_RATE)
        took = time.perf_counter() - began
        region = speech[: (end - start) // FRAME_LEN]
        kept, _dropped = self._clean(result, region, start)
        self._spec = _Spec(start, a, b, v0, v1, result, tuple(kept), took)
        self.spec_passes += 1
        self.spec_seconds += took
        if self._on_text is not None:
            try:
                self._on_text(self.preview)
            except Exception:
                log.exception("on_text callback failed")

    def _usable_spec(self, start: int, end: int, v0: int, v1: int) -> _Spec | None:
        """The speculative pass, if it heard all the speech in [start, end) and nothing after."""
        spec = self._spec
        if spec is None or spec.start != start or spec.b > end:
            return None
        return spec if spec.a <= v0 and v1 <= spec.b else None

    def _split_point(self, end: int, speech: np.ndarray) -> int | None:
        """At finish, with speech after the speculative pass: a cut (in the pause the pass ended
        in) before which the pass can be reused, so only the speech after it is transcribed."""
        spec, start = self._spec, self._p0
        if spec is None or spec.start != start:
            return None
        cut = start + -(-(spec.b - start) // FRAME_LEN) * FRAME_LEN  # frame-aligned, >= spec.b
        if cut >= end:
            return None
        at = (cut - start) // FRAME_LEN
        if at + 2 > speech.size or speech[max(0, at - 3) : at + 2].any():
            return None  # the pause the pass ended in is not there any more
        span = self._speech_span(start, cut, speech)
        if span is None or self._usable_spec(start, cut, span[2], span[3]) is None:
            return None
        return cut

    def _chunk(self, end: int, speech: np.ndarray, *, final: bool) -> None:
        """Transcribe (or skip) [_p0, end) and advance _p0 to end."""
        c = self.config
        start = self._p0
        n_frames = min(speech.size, (end - start) // FRAME_LEN)
        region = speech[:n_frames]
        t0, t1 = start / SAMPLE_RATE, end / SAMPLE_RATE
        span = self._speech_span(start, end, region)
        if span is None:
            self._record(ChunkInfo(t0, t1, t0, t1, skipped=True))
            self._p0 = end
            self._forget_before(end)
            return
        a, b, v0, v1 = span
        spec = self._usable_spec(start, end, v0, v1)
        if spec is None and final:
            cut = self._split_point(end, region)
            if cut is not None:  # reuse the pass for [start, cut); transcribe only the rest
                self._chunk(cut, speech, final=True)
                rest = self._decisions()
                self._chunk(end, rest, final=True)
                return
        if spec is not None:
            result, took, (a, b) = spec.result, 0.0, (spec.a, spec.b)
            accept = getattr(self._transcribe, "accept", None)
            if callable(accept):
                accept(result)
        else:
            backlog = (self._total - end) / SAMPLE_RATE
            behind = backlog > c.max_s or (final and backlog > 0)
            self._set_state("catching up" if behind else "transcribing")
            audio = self._buf[a - self._buf_start : b - self._buf_start]
            began = time.perf_counter()
            result = self._transcribe(np.ascontiguousarray(audio), a / SAMPLE_RATE)
            took = time.perf_counter() - began
        self._spec = None
        kept, dropped = self._clean(result, region, start)
        with self._lock:
            self._segments.extend(kept)
            self._lang = result.language or self._lang
            self._model = result.model or self._model
            self._chunks.append(
                ChunkInfo(
                    t0,
                    t1,
                    a / SAMPLE_RATE,
                    b / SAMPLE_RATE,
                    skipped=False,
                    words=sum(len(s.words) for s in kept),
                    dropped_segments=dropped,
                    seconds=took,
                    reused=spec is not None,
                )
            )
        if kept and self._on_text is not None:
            try:
                self._on_text(self.transcript)
            except Exception:
                log.exception("on_text callback failed")
        self._p0 = end
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
        """Drop what Whisper heard in non-speech; clamp word times to the detected speech."""
        c = self.config
        base, tol = start / SAMPLE_RATE, c.word_tolerance_s

        def speech_span(t0: float, t1: float) -> tuple[float, float] | None:
            i0 = max(0, int(np.floor((t0 - base) / FRAME_S)))
            i1 = min(region.size, int(np.ceil((t1 - base) / FRAME_S)))
            hits = np.flatnonzero(region[i0:i1]) if i1 > i0 else np.zeros(0, dtype=int)
            if hits.size == 0:
                return None
            return base + (i0 + hits[0]) * FRAME_S, base + (i0 + hits[-1] + 1) * FRAME_S

        kept: list[Segment] = []
        dropped = 0
        for seg in result.segments:
            nsp = getattr(seg, "no_speech_prob", None)
            probs = [w.probability for w in seg.words]
            if (
                nsp is not None
                and nsp > c.no_speech_prob
                and (not probs or float(np.mean(probs)) < c.low_word_probability)
            ):
                dropped += 1
                continue
            if not seg.words:
                if speech_span(seg.start - tol, seg.end + tol) is None:
                    dropped += 1
                else:
                    kept.append(seg)
                continue
            words: list[Word] = []
            for w in seg.words:
                end = max(w.end, w.start + FRAME_S)
                span = speech_span(w.start, end)
                if span is not None:  # tighten the word's times to the speech it overlaps
                    ws, we = max(w.start, span[0]), min(w.end, span[1])
                    w = Word(w.text, round(ws, 3), round(max(ws, we), 3), w.probability)
                elif speech_span(w.start - tol, end + tol) is None:
                    continue  # nowhere near speech: heard in silence
                words.append(w)
            if not words:
                dropped += 1
                continue
            if len(words) == len(seg.words):
                text = seg.text.strip()
            else:
                text = "".join(w.text for w in words).strip()
            kept.append(Segment(text, words[0].start, words[-1].end, tuple(words)))
        return kept, dropped


class EngineChunkFn:
    """A LiveTranscriber ``transcribe`` callable bound to ``engine.transcribe`` for ONE answer.

    ``fn(audio, offset)`` transcribes a chunk and carries its text over as the next chunk's
    prompt; ``preview`` transcribes with the prompt the next chunk would get without carrying
    anything over (a speculative pass) and ``accept(result)`` then commits it as if ``fn`` had
    returned it. Calls come from the live worker thread, one at a time.
    """

    def __init__(self, engine: Any, *, context_words: int = 40, **prompt: str | None) -> None:
        self.engine = engine
        self.context_words = context_words
        self.prompt = prompt
        self._first = True
        self._context: str | None = None

    def preview(self, audio: np.ndarray, time_offset: float) -> Transcript:
        kwargs = self.prompt if self._first else {"initial_prompt": self._context}
        return self.engine.transcribe(audio, time_offset=time_offset, **kwargs)

    def accept(self, result: Transcript) -> None:
        self._first = False
        if self.context_words > 0:
            words = result.text.split()[-self.context_words :]
            self._context = " ".join(words) or self._context

    def __call__(self, audio: np.ndarray, time_offset: float) -> Transcript:
        result = self.preview(audio, time_offset)
        self.accept(result)
        return result


def engine_chunk_fn(
    engine: Any, *, context_words: int = 40, **prompt: str | None
) -> EngineChunkFn:
    """Bind ``engine.transcribe`` for ONE answer as a LiveTranscriber ``transcribe`` callable.

    The first chunk gets the engine's initial prompt (its default filler prompt, or
    ``initial_prompt=...``); each later chunk is prompted with the last ``context_words`` words
    of the chunk before, so Whisper keeps the context across the cut (0 = no prompt after the
    first chunk, as Whisper itself does over a long file with condition_on_previous_text=False).
    Measured with tiny.en on 188 s of espeak-ng answers, WER against whole-file: previous-text
    prompt +0.9 points, no prompt +1.0, filler prompt on the first chunk only +2.1, filler prompt
    on every chunk +4 (it made tiny.en skip whole sentences).
    """
    return EngineChunkFn(engine, context_words=context_words, **prompt)
