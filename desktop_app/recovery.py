"""Recordings that History does not know about yet: interrupted ones, and orphans.

* :func:`recover_recordings` (every start): a recording whose writer died (crash, kill, power
  loss) becomes an attempt with status "recovered". One still being written by another live
  process (a second window on the same folder) is never touched: the writer holds an OS lock.
* :func:`find_orphans` / :func:`reattach`: after a damaged database was moved aside, the
  recordings are still on disk but nothing lists them; re-attaching makes each one a
  "recovered" attempt again (question and time read back from its file name) so it can be
  transcribed and scored again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from desktop_app.audio.recorder import recover_interrupted, writer_alive
from desktop_app.audio.wavio import PARTIAL_SUFFIX, partial_path_for
from desktop_app.domain import AttemptStatus
from desktop_app.paths import AppPaths
from desktop_app.practice.attempts import AttemptService

log = logging.getLogger(__name__)

# The names PracticeView gives recordings: <YYYYmmdd>-<HHMMSS>-<question id>[-<n>].wav
_NAME = re.compile(r"^(\d{8})-(\d{6})-(.+?)(?:-recovered\d+)?$")


def wav_duration(path: Path) -> float:
    """Length of an audio file in seconds (0 when unreadable)."""
    import soundfile

    try:
        return float(soundfile.info(str(path)).duration)
    except (RuntimeError, OSError):
        return 0.0


def _file_time(wav: Path) -> str:
    return datetime.fromtimestamp(wav.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")


def recover_recordings(paths: AppPaths, attempts: AttemptService) -> list[int]:
    """Turn recordings interrupted by a crash or kill into attempts (status "recovered")."""
    recovered: list[int] = []
    pending = {a.audio_path: a for a in attempts.with_status(AttemptStatus.RECORDING)}
    for wav in recover_interrupted(paths.recordings):
        attempt = pending.pop(paths.relative(wav), None)
        recovered.append(attempts.recovered(
            attempt.id if attempt is not None else None, wav, wav_duration(wav),
            started_at=_file_time(wav)))
    for attempt in pending.values():  # a row says "recording" but its file is complete or gone
        if attempt.id is None or not attempt.audio_path:
            continue
        wav = paths.absolute(attempt.audio_path)
        if writer_alive(partial_path_for(wav)):
            continue  # another live process is recording it right now
        if wav.exists():
            recovered.append(attempts.recovered(attempt.id, wav, wav_duration(wav)))
        else:
            attempts.failed(attempt.id, "Recording file was lost.")
    return recovered


def find_orphans(paths: AppPaths, attempts: AttemptService) -> list[Path]:
    """Finished recordings in the recordings folder that no attempt refers to, oldest first."""
    if not paths.recordings.is_dir():
        return []
    known = attempts.audio_paths()
    found = []
    for wav in paths.recordings.rglob("*.wav"):
        if wav.name.endswith(PARTIAL_SUFFIX) or not wav.is_file():
            continue
        if paths.relative(wav) not in known:
            found.append(wav)
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def _from_name(wav: Path, known_question: Callable[[str], bool]) -> tuple[str, str]:
    """(started_at, question id) from a recording's name, else its file time and no question.
    The id is the rest of the name, or that without a ``-<n>`` collision suffix."""
    m = _NAME.match(wav.stem)
    if not m:
        return _file_time(wav), ""
    try:
        local = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S").astimezone()
    except ValueError:
        return _file_time(wav), ""
    rest = m.group(3)
    candidates = [rest, re.sub(r"-\d+$", "", rest)]
    qid = next((c for c in candidates if known_question(c)), "")
    return local.astimezone(timezone.utc).isoformat(timespec="seconds"), qid


def reattach(paths: AppPaths, attempts: AttemptService, wavs: Iterable[Path],
             known_question: Callable[[str], bool] = lambda _qid: False) -> list[int]:
    """Add each recording as a "recovered" attempt; returns the new attempt ids.

    The question comes from the file name when ``known_question`` accepts it; a recording
    already listed (e.g. re-attached by another window) is skipped.
    """
    known = attempts.audio_paths()
    ids: list[int] = []
    for wav in wavs:
        rel = paths.relative(wav)
        if rel in known or not wav.is_file():
            continue
        started, qid = _from_name(wav, known_question)
        ids.append(attempts.recovered(None, wav, wav_duration(wav), question_id=qid,
                                      started_at=started))
        known.add(rel)
    log.info("re-attached %d orphaned recordings", len(ids))
    return ids
