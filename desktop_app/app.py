"""Composition root: builds the services from the data folder (the GUI starts in ui/run.py).

Nothing here imports torch or Whisper: the model loads later, on the transcription worker.
"""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from desktop_app.paths import AppPaths, make_private, prompts_dir
from desktop_app.practice.attempts import AttemptService
from desktop_app.questions import QuestionBank
from desktop_app.recovery import find_orphans, recover_recordings
from desktop_app.settings import Settings
from desktop_app.storage.errors import FOLDER, StorageError
from desktop_app.storage.repository import Repository
from desktop_app.transcription.models import ModelInfo, ModelStore

__all__ = ["Services", "build_services", "setup_logging"]

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the UI and the CLI need, built once per process."""

    paths: AppPaths
    settings: Settings
    bank: QuestionBank
    repo: Repository  # read it freely; write only through ``attempts``
    attempts: AttemptService
    models: ModelStore
    sd: ModuleType | None
    tts_factory: Callable[[], Any]
    engine_factory: Callable[[ModelInfo], Any]
    analyzer_factory: Callable[[], Any]
    notices: list[str] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)  # recordings History does not list
    read_only: bool = False  # opened read-only: nothing is written, recording is off

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


def build_services(paths: AppPaths, *, with_audio: bool = True,
                   read_only: bool = False) -> Services:
    """Open the data folder and build the services. Problems become notices, not crashes.

    Raises StorageError (with a ``kind``, see desktop_app.storage.errors) only when the
    history cannot be opened at all; the GUI then explains and offers a way out. ``read_only``
    opens the history as it is, writes nothing, and leaves recording off.
    """
    notices: list[str] = []
    try:
        paths.ensure()
    except OSError as exc:
        if not (read_only and paths.root.is_dir()):
            raise StorageError(
                f"Cannot create the data folder {paths.root}: {exc.strerror or exc}. Choose "
                "another data folder (--data-dir or REHEARSE_HOME), or make this one writable.",
                FOLDER,
            ) from exc
    settings = Settings.load(paths.settings)
    bank = QuestionBank.load([prompts_dir(), paths.packs])
    notices += [f"Question pack problem: {err}" for err in bank.errors]
    repo = Repository.open(paths.database, read_only=read_only)
    attempts = AttemptService(repo, paths)
    if repo.notice:
        notices.append(repo.notice)
    recovered: list[int] = []
    orphans: list[Path] = []
    if read_only:
        notices.append(READ_ONLY_NOTICE)
    else:
        recovered, orphans = _repair_history(paths, attempts, bank, notices,
                                             fresh=bool(repo.notice))
    sd, sd_notice = load_sounddevice() if with_audio and not read_only else (None, None)
    if sd_notice:
        notices.append(sd_notice)
    return Services(
        paths=paths,
        settings=settings,
        bank=bank,
        repo=repo,
        attempts=attempts,
        models=ModelStore(paths.models),
        sd=sd,
        tts_factory=_tts_factory,
        engine_factory=_engine_factory,
        analyzer_factory=_analyzer_factory,
        notices=notices,
        recovered=recovered,
        orphans=orphans,
        read_only=read_only,
    )


READ_ONLY_NOTICE = (
    "Rehearse opened this data folder read-only, so nothing is saved: you can read and search "
    "your history, but recording, transcribing and deleting are off. Restart Rehearse once the "
    "problem is fixed to use it as usual."
)


def _repair_history(paths: AppPaths, attempts: AttemptService, bank: QuestionBank,
                    notices: list[str], *, fresh: bool) -> tuple[list[int], list[Path]]:
    """Sync the questions and recover interrupted recordings; a failed write (disk full)
    becomes a notice. Returns (recovered ids, orphaned recordings to offer)."""
    try:
        attempts.repo.sync_questions(bank.questions)
    except StorageError as exc:
        notices.append(f"Could not update the stored questions: {exc}")
    recovered: list[int] = []
    try:
        recovered = recover_recordings(paths, attempts)
    except (StorageError, OSError) as exc:
        notices.append(f"Could not recover interrupted recordings yet: {exc}")
    if recovered:
        n = len(recovered)
        plural = n != 1
        notices.append(
            f"Recovered {n} interrupted recording{'s' if plural else ''}; "
            f"find {'them' if plural else 'it'} in History."
        )
    orphans: list[Path] = []
    if fresh or not attempts.count():
        orphans = find_orphans(paths, attempts)
    return recovered, orphans


LOG_MAX_BYTES, LOG_BACKUPS = 1_000_000, 3  # rehearse.log and three older ones, ~4 MB at most
# Libraries that narrate their work at INFO (fontTools: ~100 lines per PDF written).
QUIET_LOGGERS = ("fontTools", "matplotlib", "PIL")


class _PrivateRotatingLog(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file, the rotated ones too, is the user's alone (0600)."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own signature
        stream = super()._open()
        make_private(Path(self.baseFilename), is_dir=False)
        return stream


def setup_logging(paths: AppPaths, verbose: bool = False) -> None:
    """Log to a rotating file in the data folder (and stderr when verbose)."""
    handlers: list[logging.Handler] = []
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        log_file = Path(paths.logs) / "rehearse.log"
        handlers.append(_PrivateRotatingLog(log_file, maxBytes=LOG_MAX_BYTES,
                                            backupCount=LOG_BACKUPS, encoding="utf-8"))
    except OSError:
        pass
    if verbose:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers or None,
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
