"""Convert a CTranslate2 (faster-whisper) Whisper model back into an openai-whisper checkpoint.

``model.bin`` layout (ctranslate2 ``specs/model_spec.py`` ``_serialize`` and ``src/models/model.cc``
``Model::load``), little-endian: uint32 binary version; spec name (string); uint32 spec revision;
uint32 variable count; per variable: name (string), uint8 rank, rank x uint32 dims, uint8 dtype id,
uint32 byte count, raw bytes; uint32 alias count; (alias, target) string pairs. A string is a uint16
length (counting a trailing NUL) and the bytes. Quantised weights (int8/int16) carry a
``<name>_scale`` variable; ``float = stored / scale`` (per output row for int8).

The result is exact: openai-whisper's key projection has no bias (CTranslate2 stores zeros), and its
output projection is tied to the token embedding. Torch is imported only inside functions.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import numpy as np


SUPPORTED_BINARY_VERSIONS = range(3, 7)
_DTYPES: dict[int, str] = {0: "<f4", 1: "i1", 2: "<i2", 3: "<i4", 4: "<f2", 5: "<u2"}  # 5 = bf16
_OLD_ITEM_DTYPES = {4: "<f4", 2: "<i2", 1: "i1"}  # binary version < 4 stored an item size
_SCALAR_SETTINGS = {
    "activation", "alibi", "alibi_use_positive_positions", "alignment_heads", "alignment_layer",
    "num_heads", "pre_norm", "scale_embeddings", "scale_outputs", "start_from_zero_embedding",
    "multi_query_attention", "layernorm_embedding", "rms_norm", "parallel_residual",
}  # fmt: skip

Progress = Callable[[int, int], None]


class ModelImportError(Exception):
    """The given file or folder is not a model Rehearse can import; the message says why."""


class _Reader:
    """Reads one logical stream from one or more files (``model.bin.part1``, ``part2`` ...)."""

    def __init__(self, parts: Sequence[Path]) -> None:
        self._parts = list(parts)
        self._index = 0
        self._fh: BinaryIO | None = open(self._parts[0], "rb")  # noqa: SIM115
        self.total = sum(p.stat().st_size for p in self._parts)
        self.done = 0

    def read(self, n: int) -> bytes:
        chunks: list[bytes] = []
        need = n
        while need > 0 and self._fh is not None:
            data = self._fh.read(need)
            chunks.append(data)
            need -= len(data)
            if need > 0:
                self._next_part()
        out = b"".join(chunks)
        self.done += len(out)
        if len(out) != n:
            raise ModelImportError(
                f"{self._parts[0].name} is incomplete (ends after {self.done} bytes)"
                + (" — is a part missing?" if ".part" in self._parts[-1].name else "")
            )
        return out

    def _next_part(self) -> None:
        assert self._fh is not None
        self._fh.close()
        self._index += 1
        self._fh = open(self._parts[self._index], "rb") if self._index < len(self._parts) else None  # noqa: SIM115

    def at_end(self) -> bool:
        while self._fh is not None:
            if self._fh.read(1):
                return False
            self._next_part()
        return True

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def unpack(self, fmt: str) -> Any:
        return struct.unpack("<" + fmt, self.read(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        raw = self.read(self.unpack("H"))
        return raw.rstrip(b"\0").decode("utf-8", errors="replace")


def find_model_files(folder: Path) -> list[Path]:
    """``[model.bin]`` or its split parts in order, from a CTranslate2 model folder."""
    single = folder / "model.bin"
    if single.is_file():
        return [single]
    parts = sorted(
        (p for p in folder.glob("model.bin.part*") if re.fullmatch(r"model\.bin\.part\d+", p.name)),
        key=lambda p: int(p.name.rsplit("part", 1)[1]),
    )
    if not parts:
        raise ModelImportError(f"{folder} has no model.bin (not a CTranslate2 model folder)")
    numbers = [int(p.name.rsplit("part", 1)[1]) for p in parts]
    if numbers != list(range(1, len(parts) + 1)):
        raise ModelImportError(
            f"{folder} holds {', '.join(p.name for p in parts)}: a part of the split model.bin is "
            "missing. Put all parts (model.bin.part1, model.bin.part2, ...) in one folder."
        )
    return parts


def read_model_bin(
    parts: Sequence[Path], progress: Progress | None = None
) -> tuple[str, dict[str, np.ndarray]]:
    """Read a (possibly split) ``model.bin``: spec name and float32/int variables, aliases resolved.

    Quantised weights are dequantised to float32; float16 and bfloat16 become float32.
    """
    import numpy as np
    reader = _Reader(parts)
    try:
        version = reader.unpack("I")
        if version not in SUPPORTED_BINARY_VERSIONS:
            raise ModelImportError(
                f"{parts[0].name}: unsupported CTranslate2 binary version {version} "
                f"(supported: {min(SUPPORTED_BINARY_VERSIONS)}-{max(SUPPORTED_BINARY_VERSIONS)}); "
                "is this really a CTranslate2 model.bin?"
            )
        spec = reader.string()
        reader.unpack("I")  # spec revision
        count = reader.unpack("I")
        if count > 100_000:
            raise ModelImportError(f"{parts[0].name}: implausible variable count {count}")
        raw: dict[str, np.ndarray] = {}
        for _ in range(count):
            name = reader.string()
            rank = reader.unpack("B")
            shape = tuple(reader.unpack("I") for _ in range(rank))
            if version >= 4:
                type_id, nbytes = reader.unpack("B"), reader.unpack("I")
                if type_id not in _DTYPES:
                    raise ModelImportError(f"{name}: unknown CTranslate2 data type id {type_id}")
                dtype = np.dtype(_DTYPES[type_id])
            else:
                item = reader.unpack("B")
                if item not in _OLD_ITEM_DTYPES:
                    raise ModelImportError(f"{name}: unknown item size {item}")
                dtype = np.dtype(_OLD_ITEM_DTYPES[item])
                nbytes = reader.unpack("I") * item
            expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if nbytes != expected:
                raise ModelImportError(f"{name}: {nbytes} bytes stored for shape {shape}")
            arr = np.frombuffer(reader.read(nbytes), dtype=dtype).reshape(shape)
            if version >= 4 and type_id == 5:  # bfloat16: the high half of a float32
                arr = (arr.astype(np.uint32) << 16).view(np.float32)
            raw[name] = arr
            if progress:
                progress(reader.done, reader.total)
        aliases = {}
        if version >= 3:
            for _ in range(reader.unpack("I")):
                alias = reader.string()
                aliases[alias] = reader.string()
        if not reader.at_end():
            raise ModelImportError(f"{parts[0].name}: unexpected data after the model variables")
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        msg = f"{parts[0].name} is not a readable CTranslate2 model: {exc}"
        raise ModelImportError(msg) from exc
    finally:
        reader.close()
    variables = _dequantize(raw)
    for alias, target in aliases.items():
        if target in variables:
            variables.setdefault(alias, variables[target])
    return spec, variables


def _dequantize(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    import numpy as np
    out: dict[str, np.ndarray] = {}
    for name, arr in raw.items():
        if name.endswith("_scale"):
            continue
        if arr.dtype.kind == "i" and arr.ndim > 0:
            scale = raw.get(name + "_scale")
            if scale is None:
                raise ModelImportError(f"{name}: quantised weight without its {name}_scale")
            scale = scale.astype(np.float32)
            if scale.ndim > 0 and scale.size == arr.shape[0]:
                scale = scale.reshape((-1,) + (1,) * (arr.ndim - 1))
            arr = arr.astype(np.float32) / scale
        elif arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        out[name] = arr
    return out


_LAYER = re.compile(r"(encoder|decoder)/layer_(\d+)/(.+)")
_PLAIN = {
    "encoder/conv1/weight": "encoder.conv1.weight",
    "encoder/conv1/bias": "encoder.conv1.bias",
    "encoder/conv2/weight": "encoder.conv2.weight",
    "encoder/conv2/bias": "encoder.conv2.bias",
    "encoder/position_encodings/encodings": "encoder.positional_embedding",
    "encoder/layer_norm/gamma": "encoder.ln_post.weight",
    "encoder/layer_norm/beta": "encoder.ln_post.bias",
    "decoder/embeddings/weight": "decoder.token_embedding.weight",
    "decoder/position_encodings/encodings": "decoder.positional_embedding",
    "decoder/layer_norm/gamma": "decoder.ln.weight",
    "decoder/layer_norm/beta": "decoder.ln.bias",
}
_IN_LAYER = {
    "self_attention/linear_1": "attn.out",
    "self_attention/layer_norm": "attn_ln",
    "attention/linear_0": "cross_attn.query",
    "attention/linear_2": "cross_attn.out",
    "attention/layer_norm": "cross_attn_ln",
    "ffn/linear_0": "mlp.0",
    "ffn/linear_1": "mlp.2",
    "ffn/layer_norm": "mlp_ln",
}
_PARAM = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}
# Fused projections: CTranslate2 sub-layer -> the whisper projections it holds, in order.
_FUSED = {
    "self_attention/linear_0": ("attn.query", "attn.key", "attn.value"),
    "attention/linear_1": ("cross_attn.key", "cross_attn.value"),
}


def _map_variables(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    import numpy as np
    state: dict[str, np.ndarray] = {}
    unknown: list[str] = []
    for name, arr in variables.items():
        leaf = name.rsplit("/", 1)[-1]
        if name in _PLAIN:
            state[_PLAIN[name]] = arr
            continue
        if name == "decoder/projection/weight" or (arr.ndim == 0 and leaf in _SCALAR_SETTINGS):
            continue  # tied output projection / scalar settings
        m = _LAYER.fullmatch(name)
        sub, _, param = (m.group(3).rpartition("/") if m else ("", "", ""))
        if not m or param not in _PARAM:
            unknown.append(name)
            continue
        prefix = f"{m.group(1)}.blocks.{m.group(2)}."
        if sub in _IN_LAYER:
            state[prefix + _IN_LAYER[sub] + "." + _PARAM[param]] = arr
        elif sub in _FUSED:
            targets = _FUSED[sub]
            if arr.shape[0] % len(targets):
                msg = f"{name}: shape {arr.shape} cannot hold {len(targets)} projections"
                raise ModelImportError(msg)
            for target, piece in zip(targets, np.split(arr, len(targets), axis=0), strict=True):
                if param == "bias" and target.endswith(".key"):
                    continue  # Whisper's key projection has no bias (stored as zeros)
                state[prefix + target + "." + _PARAM[param]] = piece
        else:
            unknown.append(name)
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        msg = f"not an openai-whisper-compatible model: unexpected tensors {shown}"
        raise ModelImportError(msg)
    return state


def _layer_count(state: dict[str, Any], side: str) -> int:
    pat = re.compile(rf"{side}\.blocks\.(\d+)\.")
    found = {int(m.group(1)) for k in state if (m := pat.match(k))}
    return max(found) + 1 if found else 0


def dims_from_state(state: dict[str, Any], heads: tuple[int | None, int | None]) -> dict[str, int]:
    """openai-whisper ``ModelDimensions`` from tensor shapes (head counts from the model)."""
    try:
        conv1 = state["encoder.conv1.weight"].shape
        apos = state["encoder.positional_embedding"].shape
        tpos = state["decoder.positional_embedding"].shape
        emb = state["decoder.token_embedding.weight"].shape
    except KeyError as exc:
        raise ModelImportError(f"not a Whisper model: tensor {exc.args[0]} is missing") from exc
    a_head, t_head = heads
    return {
        "n_mels": int(conv1[1]),
        "n_audio_ctx": int(apos[0]),
        "n_audio_state": int(apos[1]),
        "n_audio_head": int(a_head or apos[1] // 64),  # Whisper's head size is 64
        "n_audio_layer": _layer_count(state, "encoder"),
        "n_vocab": int(emb[0]),
        "n_text_ctx": int(tpos[0]),
        "n_text_state": int(tpos[1]),
        "n_text_head": int(t_head or tpos[1] // 64),
        "n_text_layer": _layer_count(state, "decoder"),
    }


def expected_keys(dims: dict[str, int]) -> set[str]:
    """The parameter names of openai-whisper's ``Whisper`` model with these dimensions."""
    keys = {
        "encoder.conv1.weight", "encoder.conv1.bias", "encoder.conv2.weight", "encoder.conv2.bias",
        "encoder.positional_embedding", "encoder.ln_post.weight", "encoder.ln_post.bias",
        "decoder.token_embedding.weight", "decoder.positional_embedding",
        "decoder.ln.weight", "decoder.ln.bias",
    }  # fmt: skip

    def block(prefix: str, attn: Iterable[str]) -> None:
        for a in attn:
            for proj in ("query", "value", "out"):
                keys.update(f"{prefix}{a}.{proj}.{w}" for w in ("weight", "bias"))
            keys.add(f"{prefix}{a}.key.weight")
            keys.update(f"{prefix}{a}_ln.{w}" for w in ("weight", "bias"))
        keys.update(f"{prefix}mlp.{i}.{w}" for i in (0, 2) for w in ("weight", "bias"))
        keys.update(f"{prefix}mlp_ln.{w}" for w in ("weight", "bias"))

    for i in range(dims["n_audio_layer"]):
        block(f"encoder.blocks.{i}.", ["attn"])
    for i in range(dims["n_text_layer"]):
        block(f"decoder.blocks.{i}.", ["attn", "cross_attn"])
    return keys


def convert_folder(folder: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Convert the CTranslate2 Whisper model in ``folder`` (see ``convert_model_files``)."""
    return convert_model_files(find_model_files(folder), progress)


def convert_model_files(parts: Sequence[Path], progress: Progress | None = None) -> dict[str, Any]:
    """Read a CTranslate2 Whisper ``model.bin`` (or its parts, in order) into an openai-whisper
    checkpoint ``{"dims", "model_state_dict"}`` of float32 torch tensors, ready for ``torch.save``
    and ``whisper.load_model``."""
    import numpy as np
    import torch

    spec, variables = read_model_bin(parts, progress)
    if spec != "WhisperSpec":
        msg = f"{parts[0].parent} holds a CTranslate2 {spec or 'unnamed'} model, not Whisper"
        raise ModelImportError(msg)
    heads = tuple(
        int(variables[f"{side}/num_heads"]) if f"{side}/num_heads" in variables else None
        for side in ("encoder", "decoder")
    )
    state = _map_variables(variables)
    dims = dims_from_state(state, heads)  # type: ignore[arg-type]
    missing = expected_keys(dims) - set(state)
    if missing:
        shown = ", ".join(sorted(missing)[:5])
        raise ModelImportError(f"incomplete Whisper model: missing {shown}")
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    return {"dims": dims, "model_state_dict": tensors}
