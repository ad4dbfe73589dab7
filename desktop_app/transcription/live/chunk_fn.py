"""Bind an engine's ``decode`` as the live path's transcribe callable for one answer."""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop_app.domain import Transcript
from desktop_app.transcription.host import Priority


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

    def refine(self, audio: np.ndarray, time_offset: float, *, before: str) -> Transcript:
        """Decode again with the whole-file beam, prompted with the committed text ``before``
        (the first chunk's prompt when there is none); carries nothing over. Through an
        EngineHost it runs at idle priority: any other request interrupts it (DecodeCancelled)."""
        kwargs: dict[str, Any] = (
            {"initial_prompt": self._carry(None, before)} if before else dict(self.prompt)
        )
        if getattr(self.engine, "priority", None) is not None:  # a host's decoder
            kwargs["priority"] = Priority.IDLE
        return self.engine.decode(audio, time_offset=time_offset, purpose="whole_file", **kwargs)

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
