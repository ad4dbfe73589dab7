"""Recovery only touches recordings whose writer is gone; orphaned recordings can be re-attached.

The live recording is written by a real second process (the app's own WAV writer), and the
second start is the real composition root.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from desktop_app.app import build_services
from desktop_app.audio.wavio import write_wav
from desktop_app.paths import AppPaths
from desktop_app.recovery import find_orphans, reattach

REPO = Path(__file__).resolve().parents[1]

# The first window, reduced to what matters: the row made at Record, the WAV being streamed.
RECORDING = textwrap.dedent(
    """
    import sys
    import numpy as np
    from pathlib import Path
    from desktop_app.app import build_services
    from desktop_app.audio.wavio import StreamingWavWriter
    from desktop_app.domain import Attempt
    from desktop_app.paths import AppPaths
    paths = AppPaths(Path(sys.argv[1]))
    services = build_services(paths, with_audio=False)
    wav = paths.recordings / "20240101-120000-conflict.wav"
    writer = StreamingWavWriter(wav)
    aid = services.repo.add_attempt(Attempt(None, "conflict", "2024-01-01T12:00:00+00:00",
                                            audio_path=paths.relative(wav), status="recording"))
    writer.write(np.full(32000, 0.1, dtype=np.float32))
    writer.flush()
    print(aid, flush=True)
    sys.stdin.readline()  # the second start happens now
    writer.write(np.full(16000, 0.1, dtype=np.float32))
    final = writer.close()
    services.repo.update_attempt(aid, status="recorded", duration_s=writer.duration_s,
                                 audio_path=paths.relative(final))
    print(paths.relative(final), writer.duration_s, flush=True)
    """
)


def test_a_second_start_during_a_recording_leaves_it_to_its_writer(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    first = subprocess.Popen([sys.executable, "-c", RECORDING, str(paths.root)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        aid = int(first.stdout.readline())
        partial = paths.recordings / "20240101-120000-conflict.partial.wav"
        size = partial.stat().st_size

        second = build_services(paths, with_audio=False)  # a second window starting up
        try:
            assert second.recovered == []
            assert not any("Recovered" in n for n in second.notices)
            assert partial.exists() and partial.stat().st_size == size  # not renamed, not cut
            assert second.repo.get_attempt(aid).status == "recording"  # not marked, not failed
        finally:
            second.repo.close()

        out, err = first.communicate("\n", timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err  # the first window saved its answer
    rel, seconds = out.split()
    assert rel == "recordings/20240101-120000-conflict.wav" and float(seconds) == 3.0
    assert sf.info(str(paths.absolute(rel))).duration == pytest.approx(3.0)
    again = build_services(paths, with_audio=False)
    try:
        attempt = again.repo.get_attempt(aid)
        assert attempt.status == "recorded" and attempt.duration_s == 3.0
        assert again.recovered == []
    finally:
        again.repo.close()


def test_a_killed_writers_recording_is_still_recovered(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    first = subprocess.Popen([sys.executable, "-c", RECORDING, str(paths.root)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(REPO)))
    aid = int(first.stdout.readline())
    first.kill()  # the OS drops the writer's lock with the process
    first.wait(timeout=10)
    services = build_services(paths, with_audio=False)
    try:
        assert services.recovered == [aid]
        attempt = services.repo.get_attempt(aid)
        assert attempt.status == "recovered" and attempt.duration_s == pytest.approx(2.0)
    finally:
        services.repo.close()


def _recording(paths: AppPaths, name: str, seconds: float) -> Path:
    return write_wav(paths.recordings / name, np.zeros(int(16000 * seconds), np.float32))


def test_recordings_left_by_a_damaged_history_are_offered_and_reattached(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    services = build_services(paths, with_audio=False)
    qid = services.bank.questions[0].id
    services.repo.close()
    paths.database.write_bytes(b"this is not a database" * 50)  # damaged beyond reading
    wavs = [
        _recording(paths, f"20240301-093000-{qid}.wav", 2.0),
        _recording(paths, f"20240301-094500-{qid}-2.wav", 1.5),  # a second take that minute
        _recording(paths, "20240302-101500-no-such-question-anywhere.wav", 1.0),
        _recording(paths, "voice memo.wav", 0.5),
    ]
    os.utime(wavs[3], (1_700_000_000, 1_700_000_000))
    (paths.recordings / "notes.txt").write_text("not audio", encoding="utf-8")

    services = build_services(paths, with_audio=False)
    try:
        assert any(".corrupt-" in n for n in services.notices)
        assert sorted(services.orphans) == sorted(wavs)
        ids = reattach(paths, services.attempts, services.orphans,
                       known_question=lambda q: services.bank.get(q) is not None)
        assert len(ids) == 4
        got = {Path(a.audio_path).name: a for a in (services.repo.get_attempt(i) for i in ids)}
        first = got[wavs[0].name]
        assert first.status == "recovered" and first.question_id == qid
        assert first.duration_s == pytest.approx(2.0)
        local = datetime(2024, 3, 1, 9, 30).astimezone()
        assert datetime.fromisoformat(first.started_at) == local
        assert got[wavs[1].name].question_id == qid  # the take number is not the question
        assert got[wavs[2].name].question_id == ""  # an id no pack has is not invented
        memo = got[wavs[3].name]
        assert datetime.fromisoformat(memo.started_at) == datetime.fromtimestamp(
            1_700_000_000, timezone.utc)
        assert find_orphans(paths, services.attempts) == []
        assert reattach(paths, services.attempts, wavs) == []  # never twice
    finally:
        services.repo.close()
    later = build_services(paths, with_audio=False)
    try:
        assert later.orphans == []  # History lists them now: nothing more to offer
    finally:
        later.repo.close()
