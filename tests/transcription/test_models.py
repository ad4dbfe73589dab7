"""ModelStore: listing, default choice, missing-model message, download with hash check, import."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
import torch

from desktop_app.transcription.models import (
    OFFICIAL_NAMES,
    ModelDownloadError,
    ModelImportError,
    ModelNotAvailable,
    ModelStore,
    recognise_shape,
)

TINY = {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
        "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
        "n_text_head": 6, "n_text_layer": 4}  # fmt: skip


def _fake_installed(models: Path, name: str, dims: dict, size: int = 10) -> None:
    """A model file with its sidecar, as the store writes them (content is not loaded here)."""
    models.mkdir(parents=True, exist_ok=True)
    (models / f"{name}.pt").write_bytes(b"x" * size)
    (models / f"{name}.json").write_text(json.dumps({"source": "imported", "dims": dims}))


def _checkpoint(path: Path, dims: dict | None = None) -> bytes:
    torch.save({"dims": dims or TINY, "model_state_dict": {"w": torch.zeros(2)}}, path)
    return path.read_bytes()


def test_shapes_are_recognised_from_dims():
    assert recognise_shape(TINY) == "tiny.en"
    assert recognise_shape({**TINY, "n_vocab": 51865}) == "tiny"
    base = {**TINY, "n_audio_state": 512, "n_text_state": 512, "n_audio_layer": 6,
            "n_text_layer": 6, "n_audio_head": 8, "n_text_head": 8}  # fmt: skip
    assert recognise_shape(base) == "base.en"
    assert recognise_shape({**base, "n_text_layer": 2}) is None  # distilled: not official
    assert recognise_shape({"n_text_layer": 4}) is None


def test_nothing_installed_says_how_to_get_a_model(tmp_path):
    store = ModelStore(tmp_path / "models")
    assert store.list() == [] and store.default() is None
    with pytest.raises(ModelNotAvailable) as err:
        store.resolve(None)
    msg = str(err.value)
    assert "rehearse models download tiny.en" in msg
    assert "rehearse models import PATH" in msg and "Settings" in msg
    expected = "'base.en' is not installed.*models download base.en"
    with pytest.raises(ModelNotAvailable, match=expected):
        store.resolve("base.en")


def test_default_prefers_requested_then_only_then_smallest_english(tmp_path):
    models = tmp_path / "models"
    base_en = {**TINY, "n_audio_state": 512, "n_text_state": 512, "n_audio_layer": 6,
               "n_text_layer": 6}  # fmt: skip
    small_en = {**TINY, "n_text_layer": 12, "n_audio_layer": 12, "n_audio_state": 768,
                "n_text_state": 768}  # fmt: skip
    _fake_installed(models, "small.en", small_en, 300)
    store = ModelStore(models)
    assert store.default().name == "small.en"  # the only one
    _fake_installed(models, "base.en", base_en, 200)
    _fake_installed(models, "tiny", {**TINY, "n_vocab": 51865}, 100)  # smaller, multilingual
    assert [m.name for m in store.list()] == ["tiny", "base.en", "small.en"]
    assert store.default().name == "base.en"
    assert store.default("small.en").name == "small.en"
    assert store.default("medium").name == "base.en"  # preferred but absent
    assert store.resolve("tiny").english_only is False
    assert store.resolve(None).name == "base.en"


def test_download_over_file_url_checks_hash_and_reports_progress(tmp_path):
    payload = _checkpoint(tmp_path / "src.pt")
    sha = hashlib.sha256(payload).hexdigest()
    served = tmp_path / "served" / sha / "tiny.en.pt"
    served.parent.mkdir(parents=True)
    served.write_bytes(payload)
    calls: list[tuple[int, int]] = []
    store = ModelStore(tmp_path / "models", urls={"tiny.en": served.as_uri()})
    info = store.download("tiny.en", progress=lambda done, total: calls.append((done, total)))
    assert info.name == "tiny.en" and info.source == "official" and info.dims == TINY
    assert info.path.read_bytes() == payload
    assert calls and calls[-1] == (len(payload), len(payload))
    meta = json.loads(info.path.with_suffix(".json").read_text())
    assert meta["sha256"] == sha and meta["original_path"] == served.as_uri()
    assert store.resolve(None).name == "tiny.en"
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["tiny.en.json", "tiny.en.pt"]


def test_download_with_bad_hash_leaves_nothing(tmp_path):
    def fake_downloader(url, dest, progress):
        dest.write_bytes(b"tampered bytes")
        if progress:
            progress(14, 14)

    url = "https://example.invalid/models/" + "0" * 64 + "/tiny.en.pt"
    store = ModelStore(tmp_path / "models", downloader=fake_downloader, urls={"tiny.en": url})
    with pytest.raises(ModelDownloadError, match="SHA-256 .* does not match 0000"):
        store.download("tiny.en")
    assert list((tmp_path / "models").iterdir()) == []
    assert store.list() == []


def test_download_network_failure_and_unknown_name(tmp_path):
    def offline(url, dest, progress):
        dest.write_bytes(b"partial")
        raise OSError("Network is unreachable")

    store = ModelStore(tmp_path / "models", downloader=offline, urls={"tiny.en": "https://x/y/z.pt"})
    with pytest.raises(ModelDownloadError, match="Network is unreachable"):
        store.download("tiny.en")
    assert list((tmp_path / "models").iterdir()) == []
    with pytest.raises(ModelDownloadError, match="not an official Whisper model.*tiny.en"):
        store.download("tiny.xx")


def test_official_names_match_whisper_table():
    import whisper

    assert set(OFFICIAL_NAMES) == set(whisper._MODELS)
    assert ModelStore(Path("/nonexistent")).official_url("tiny.en") == whisper._MODELS["tiny.en"]


def test_pt_import_and_garbage_inputs(tmp_path):
    store = ModelStore(tmp_path / "models")
    _checkpoint(tmp_path / "mine.pt")
    assert store.import_path(tmp_path / "mine.pt").name == "tiny.en"

    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a model" * 100)
    with pytest.raises(ModelImportError, match="not an openai-whisper checkpoint"):
        store.import_path(garbage)

    torch.save({"weights": torch.zeros(1)}, tmp_path / "other.pt")
    with pytest.raises(ModelImportError, match="PyTorch file but not an openai-whisper checkpoint"):
        store.import_path(tmp_path / "other.pt")

    with pytest.raises(ModelImportError, match="does not exist"):
        store.import_path(tmp_path / "nope")

    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(ModelImportError, match="no Whisper model found"):
        store.import_path(empty)

    with zipfile.ZipFile(tmp_path / "docs.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ModelImportError, match="no Whisper model found"):
        store.import_path(tmp_path / "docs.zip")

    assert [m.name for m in store.list()] == ["tiny.en"]  # failures left nothing behind
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".")]


def test_download_with_no_internet_says_so_and_how_to_import(tmp_path):
    # the real urllib downloader; ".invalid" never resolves (RFC 6761), as with no connection
    url = "https://openaipublic.invalid/main/" + "0" * 64 + "/tiny.en.pt"
    store = ModelStore(tmp_path / "models", urls={"tiny.en": url})
    with pytest.raises(ModelDownloadError) as err:
        store.download("tiny.en")
    message = str(err.value)
    assert message.startswith("Could not download tiny.en: no internet connection")
    assert "openaipublic.invalid cannot be reached" in message
    assert "rehearse models import PATH" in message and "Settings → Model → Import" in message
    assert "`" not in message  # read in the window too: no markdown
    assert "urlopen error" not in message and "Name or service" not in message
    assert list((tmp_path / "models").iterdir()) == []


def test_download_refused_by_the_server_names_the_answer(tmp_path):
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/no/such/{'0' * 64}/tiny.en.pt"
        store = ModelStore(tmp_path / "models", urls={"tiny.en": url})
        with pytest.raises(ModelDownloadError, match=r"answered 404 File not found\. Try again"):
            store.download("tiny.en")
    finally:
        server.shutdown()
        server.server_close()
