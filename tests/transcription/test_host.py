"""EngineHost: load once, swap, wait until ready, one request at a time in priority order (no Qt).

The ordering tests use a recording engine registered through the host's factory (a real one
cannot be slowed down on demand); the real Whisper child process is hosted in the last tests.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from desktop_app.domain import Transcript
from desktop_app.transcription import engines
from desktop_app.transcription.host import EngineHost, HostClosed, Priority
from desktop_app.transcription.models import ModelInfo, ModelNotAvailable, ModelStore


class Recording:
    """An engine that takes ``seconds`` per decode and notes who ran, and whether two ran at
    once."""

    def __init__(self, model: ModelInfo, seconds: float = 0.05) -> None:
        self.model, self.seconds = model, seconds
        self.ran: list[str] = []
        self.running = 0
        self.overlapped = False
        self.closed = False

    def load(self) -> None:
        time.sleep(self.seconds)

    def decode(self, audio, *, tag: str = "", **_kw) -> Transcript:
        self.running += 1
        self.overlapped |= self.running > 1
        time.sleep(self.seconds)
        self.ran.append(tag)
        self.running -= 1
        return Transcript(text=tag, model=self.model.name)

    def transcribe(self, audio, **_kw) -> Transcript:
        return self.decode(audio)

    def close(self) -> None:
        self.closed = True


class Resolver:
    def resolve(self, name):
        if name == "gone":
            raise ModelNotAvailable("Model 'gone' is not installed.")
        return ModelInfo(name or "tiny.en", Path("/nowhere.pt"), "official", 0)


def test_requests_wait_for_the_model_then_run_one_at_a_time_highest_priority_first():
    built: list[Recording] = []
    host = EngineHost(Resolver(), lambda info: built.append(Recording(info, 0.1)) or built[-1])
    results: list[str] = []

    def ask(tag: str, priority: Priority) -> None:
        results.append(host.decode(np.zeros(10), priority=priority, tag=tag).text)

    first = threading.Thread(target=ask, args=("first", Priority.FILE))
    first.start()  # waits: no model yet
    time.sleep(0.05)
    assert host.state == "idle" and not results
    host.load("tiny.en")
    time.sleep(0.03)  # "first" now holds the engine; the others queue behind it
    waiting = [threading.Thread(target=ask, args=(t, p)) for t, p in
               [("idle", Priority.IDLE), ("file", Priority.FILE),
                ("spec", Priority.SPECULATIVE), ("chunk", Priority.COMMITTED)]]
    for t in waiting:
        t.start()
        time.sleep(0.005)
    for t in [first, *waiting]:
        t.join(5)
    engine = built[0]
    assert engine.ran == ["first", "chunk", "spec", "file", "idle"]
    assert not engine.overlapped


def test_same_model_is_loaded_once_and_a_swap_closes_the_old_engine_after_its_request():
    built: list[Recording] = []
    host = EngineHost(Resolver(), lambda info: built.append(Recording(info, 0.2)) or built[-1])
    host.load("tiny.en")
    host.load("tiny.en")
    assert len(built) == 1 and host.model_name == "tiny.en" and host.state == "ready"
    busy = threading.Thread(target=host.decode, args=(np.zeros(10),), kwargs={"tag": "long"})
    busy.start()
    time.sleep(0.05)
    host.load("base.en")  # the old engine closes only once "long" is done
    busy.join(5)
    old, new = built
    assert old.ran == ["long"] and old.closed and not new.closed
    assert host.decode(np.zeros(10), tag="next").model == "base.en"


def test_a_missing_model_is_a_message_for_every_waiter_and_shutdown_wakes_them():
    host = EngineHost(Resolver(), Recording)
    errors: list[str] = []

    def wait() -> None:
        try:
            host.wait_ready()
        except RuntimeError as exc:
            errors.append(str(exc))

    waiter = threading.Thread(target=wait)
    waiter.start()
    with pytest.raises(ModelNotAvailable):
        host.load("gone")
    waiter.join(5)
    assert host.state == "missing" and errors == ["Model 'gone' is not installed."]
    with pytest.raises(RuntimeError, match="not installed"):
        host.transcribe(np.zeros(10))  # a file job fails at once, it does not wait

    other = EngineHost(Resolver(), Recording)
    waiter = threading.Thread(target=wait)
    host = other
    waiter.start()
    time.sleep(0.05)
    other.close()
    waiter.join(5)
    assert not waiter.is_alive() and errors[-1] == "The app is shutting down."
    assert issubclass(HostClosed, RuntimeError)


def test_the_registry_names_the_engine_and_refuses_weights_no_engine_reads(tmp_path):
    info = ModelInfo("x", tmp_path / "x.pt", "imported", 0, format="ctranslate2")
    assert engines.stored_format(info) == "openai-whisper"  # converted on import
    assert type(engines.build_local(info)).__name__ == "WhisperEngine"
    folder = ModelInfo("y", tmp_path, "imported", 0, format="ctranslate2")
    with pytest.raises(engines.UnknownModelFormat, match="ctranslate2 weights") as err:
        engines.build_local(folder)
    assert "openai-whisper" in str(err.value)
    engines.register("ctranslate2", lambda model, threads=None: Recording(model))
    try:
        assert isinstance(engines.build_local(folder), Recording)
    finally:
        engines._BUILDERS.pop("ctranslate2")


@pytest.fixture(scope="module")
def clip_16k(tmp_path_factory) -> np.ndarray:
    """About 5 s of espeak-ng speech (the process engine tests' clip), 16 kHz."""
    from desktop_app.audio.wavio import read_audio_16k
    from tests.fixtures_audio import make_spoken_wav
    from tests.transcription.test_process_engine import CLIP_TEXT

    return read_audio_16k(make_spoken_wav(CLIP_TEXT, tmp_path_factory.mktemp("s") / "clip.wav"))


def real_host(tiny_model: ModelInfo, tmp_path: Path) -> EngineHost:
    """A host over the app's engine factory (Whisper in a child process) and real tiny.en."""
    from desktop_app.app import _engine_factory

    store = ModelStore(tmp_path / "models")
    store.models_dir.mkdir(parents=True)
    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        if src.exists():
            (store.models_dir / src.name).symlink_to(src)
    return EngineHost(store, _engine_factory)


@pytest.mark.whisper
def test_hosting_the_real_child_process_engine(tiny_model, tmp_path):
    from tests.ui.test_pipeline_whisper import process_alive

    host = real_host(tiny_model, tmp_path)
    name = host.load(None).name
    pid = host.wait_ready(timeout=1).pid
    assert host.load(name).name == name and host.wait_ready().pid == pid  # loaded once
    rng = np.random.default_rng(1)
    noise = (0.001 * rng.standard_normal(16000 * 2)).astype(np.float32)
    out = [host.decode(noise, time_offset=0.0) for _ in range(2)]
    assert all(t.model == name for t in out)
    host.release()
    deadline = time.monotonic() + 10
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(pid)


@pytest.mark.whisper
def test_idle_work_gives_way_to_a_live_chunk(tiny_model, tmp_path, clip_16k):
    """A beam re-decode at IDLE priority is interrupted when a committed chunk comes; the chunk
    is decoded at once and the engine goes on serving."""
    host = real_host(tiny_model, tmp_path)
    host.load(None)
    window = np.concatenate([clip_16k] * 6)[: 28 * 16000]
    started, outcome = threading.Event(), {}

    def idle() -> None:
        try:
            outcome["idle"] = host.decode(window, priority=Priority.IDLE, purpose="whole_file",
                                          progress=lambda f: f == 0.0 and started.set())
        except engines.DecodeCancelled:
            outcome["idle"] = "interrupted"

    worker = threading.Thread(target=idle)
    worker.start()
    try:
        assert started.wait(60)
        chunk = host.decode(clip_16k)  # Priority.COMMITTED
        worker.join(60)
        assert outcome == {"idle": "interrupted"}
        assert "manager" in chunk.text.lower()
        # a FILE request is not interrupted by a committed one: it finishes, then the chunk runs
        outcome.clear()
        started.clear()
        worker = threading.Thread(target=lambda: outcome.update(
            file=host.decode(clip_16k, priority=Priority.FILE,
                             progress=lambda f: f == 0.0 and started.set())))
        worker.start()
        assert started.wait(60)
        assert "manager" in host.decode(clip_16k).text.lower()
        worker.join(60)
        assert "manager" in outcome["file"].text.lower()
    finally:
        host.release()
