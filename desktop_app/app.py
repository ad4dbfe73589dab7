"""Composition root: builds the services from the data folder (the GUI starts in ui/run.py).

Nothing here imports torch or Whisper: the model loads later, on the transcription worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from desktop_app.domain import Attempt
from desktop_app.paths import AppPaths, prompts_dir
from desktop_app.questions import QuestionBank
from desktop_app.settings import Settings
from desktop_app.storage.repository import Repository
from desktop_app.transcription.models import ModelInfo, ModelStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the UI and the CLI need, built once per process."""

    paths: AppPaths
    settings: Settings
    bank: QuestionBank
    repo: Repository
    models: ModelStore
    sd: ModuleType | None
    tts_factory: Callable[[], Any]
    engine_factory: Callable[[ModelInfo], Any]
    analyzer_factory: Callable[[], Any]
    notices: list[str] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings)


def load_sounddevice() -> tuple[ModuleType | None, str | None]:
    """Import sounddevice; PortAudio missing is a message, not a crash."""
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library is missing
        return None, (
            "Recording is unavailable: the PortAudio library was not found "
            f"({exc}). On Debian/Ubuntu: sudo apt install libportaudio2"
        )
    return sounddevice, None


def _tts_factory() -> Any:
    import pyttsx3

    return pyttsx3.init()


def _engine_factory(model: ModelInfo) -> Any:
    """Whisper in a child process: torch/whisper work never holds this process's GIL, so the
    GUI thread is not stalled (the CLI, with no GUI to protect, uses WhisperEngine directly)."""
    from desktop_app.transcription.process_engine import ProcessEngine

    return ProcessEngine(model)


def _analyzer_factory() -> Any:
    from desktop_app.analysis import Analyzer

    return Analyzer()


def wav_duration(path: Path) -> float:
    """Length of an audio file in seconds (0 when unreadable)."""
    import soundfile

    try:
        return float(soundfile.info(str(path)).duration)
    except (RuntimeError, OSError):
        return 0.0


def recover_recordings(paths: AppPaths, repo: Repository) -> list[int]:
    """Turn recordings interrupted by a crash or kill into attempts (status "recovered")."""
    from desktop_app.audio.recorder import recover_interrupted

    recovered: list[int] = []
    pending = {a.audio_path: a for a in repo.attempts_with_status("recording")}
    for wav in recover_interrupted(paths.recordings):
        rel = paths.relative(wav)
        duration = wav_duration(wav)
        attempt = pending.pop(rel, None)
        if attempt is not None and attempt.id is not None:
            repo.update_attempt(attempt.id, status="recovered", duration_s=duration)
            recovered.append(attempt.id)
        else:
            started = datetime.fromtimestamp(wav.stat().st_mtime, timezone.utc).isoformat()
            recovered.append(
                repo.add_attempt(
                    Attempt(
                        id=None,
                        question_id="",
                        started_at=started,
                        duration_s=duration,
                        audio_path=rel,
                        status="recovered",
                    )
                )
            )
    for attempt in pending.values():  # a row says "recording" but its file is complete or gone
        if attempt.id is None or not attempt.audio_path:
            continue
        if paths.absolute(attempt.audio_path).exists():
            wav = paths.absolute(attempt.audio_path)
            repo.update_attempt(attempt.id, status="recovered", duration_s=wav_duration(wav))
            recovered.append(attempt.id)
        else:
            repo.update_attempt(attempt.id, status="failed", error="Recording file was lost.")
    return recovered


def build_services(paths: AppPaths, *, with_audio: bool = True) -> Services:
    """Open the data folder and build the services. Problems become notices, not crashes."""
    paths.ensure()
    notices: list[str] = []
    settings = Settings.load(paths.settings)
    bank = QuestionBank.load([prompts_dir(), paths.packs])
    notices += [f"Question pack problem: {err}" for err in bank.errors]
    repo = Repository.open(paths.database)
    if repo.notice:
        notices.append(repo.notice)
    repo.sync_questions(bank.questions)
    sd, sd_notice = load_sounddevice() if with_audio else (None, None)
    if sd_notice:
        notices.append(sd_notice)
    recovered = recover_recordings(paths, repo)
    if recovered:
        n = len(recovered)
        plural = n != 1
        notices.append(
            f"Recovered {n} interrupted recording{'s' if plural else ''}; "
            f"find {'them' if plural else 'it'} in History."
        )
    return Services(
        paths=paths,
        settings=settings,
        bank=bank,
        repo=repo,
        models=ModelStore(paths.models),
        sd=sd,
        tts_factory=_tts_factory,
        engine_factory=_engine_factory,
        analyzer_factory=_analyzer_factory,
        notices=notices,
        recovered=recovered,
    )


def setup_logging(paths: AppPaths, verbose: bool = False) -> None:
    """Log to a file in the data folder (and stderr when verbose)."""
    handlers: list[logging.Handler] = []
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(Path(paths.logs) / "rehearse.log", encoding="utf-8"))
    except OSError:
        pass
    if verbose:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers or None,
    )
