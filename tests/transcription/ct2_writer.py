"""Test helper: write an openai-whisper state dict as a CTranslate2 ``model.bin``.

Mirrors ctranslate2's ``specs/model_spec.py`` ``_serialize`` (binary version 6, ``WhisperSpec``
revision 3) and the layout of its Whisper converter, independently of the code under test, so a
small random Whisper can be converted to CTranslate2 and back.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_IDS = {"float32": 0, "int8": 1, "int16": 2, "int32": 3, "float16": 4, "bfloat16": 5}


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def ct2_variables(state: dict[str, np.ndarray], dims: dict[str, int]) -> dict[str, np.ndarray]:
    """CTranslate2 variable names -> float32 arrays (plus scalar settings), from a whisper state."""
    v: dict[str, np.ndarray] = {}
    for side in ("encoder", "decoder"):
        v[f"{side}/position_encodings/encodings"] = state[f"{side}.positional_embedding"]
        ln = "ln_post" if side == "encoder" else "ln"
        v[f"{side}/layer_norm/gamma"] = state[f"{side}.{ln}.weight"]
        v[f"{side}/layer_norm/beta"] = state[f"{side}.{ln}.bias"]
    for conv in ("conv1", "conv2"):
        for p in ("weight", "bias"):
            v[f"encoder/{conv}/{p}"] = state[f"encoder.{conv}.{p}"]
    v["decoder/embeddings/weight"] = state["decoder.token_embedding.weight"]
    v["encoder/num_heads"] = np.array(dims["n_audio_head"], dtype=np.int16)
    v["decoder/num_heads"] = np.array(dims["n_text_head"], dtype=np.int16)
    v["decoder/scale_embeddings"] = np.array(0, dtype=np.int8)

    def attn(dst: str, src: str, fused: tuple[str, ...], out: str) -> None:
        zeros = np.zeros_like(state[f"{src}.query.bias"])
        w = [state[f"{src}.{n}.weight"] for n in fused]
        b = [zeros if n == "key" else state[f"{src}.{n}.bias"] for n in fused]
        v[f"{dst}/{out[0]}/weight"] = np.concatenate(w)
        v[f"{dst}/{out[0]}/bias"] = np.concatenate(b)
        v[f"{dst}/{out[1]}/weight"] = state[f"{src}.out.weight"]
        v[f"{dst}/{out[1]}/bias"] = state[f"{src}.out.bias"]
        v[f"{dst}/layer_norm/gamma"] = state[f"{src}_ln.weight"]
        v[f"{dst}/layer_norm/beta"] = state[f"{src}_ln.bias"]

    for side, n in (("encoder", dims["n_audio_layer"]), ("decoder", dims["n_text_layer"])):
        for i in range(n):
            dst, src = f"{side}/layer_{i}", f"{side}.blocks.{i}"
            attn(f"{dst}/self_attention", f"{src}.attn", ("query", "key", "value"),
                 ("linear_0", "linear_1"))  # fmt: skip
            if side == "decoder":
                v[f"{dst}/attention/linear_0/weight"] = state[f"{src}.cross_attn.query.weight"]
                v[f"{dst}/attention/linear_0/bias"] = state[f"{src}.cross_attn.query.bias"]
                attn(f"{dst}/attention", f"{src}.cross_attn", ("key", "value"),
                     ("linear_1", "linear_2"))  # fmt: skip
            for j, k in ((0, 0), (1, 2)):
                v[f"{dst}/ffn/linear_{j}/weight"] = state[f"{src}.mlp.{k}.weight"]
                v[f"{dst}/ffn/linear_{j}/bias"] = state[f"{src}.mlp.{k}.bias"]
            v[f"{dst}/ffn/layer_norm/gamma"] = state[f"{src}.mlp_ln.weight"]
            v[f"{dst}/ffn/layer_norm/beta"] = state[f"{src}.mlp_ln.bias"]
    return v


def _encode(name: str, arr: np.ndarray, dtype: str) -> list[tuple[str, np.ndarray, int]]:
    """(name, data, type id) entries, quantising float arrays as CTranslate2 does."""
    if arr.dtype.kind != "f":
        return [(name, arr, _IDS[str(arr.dtype)])]
    arr = arr.astype(np.float32)
    if dtype == "float16":
        return [(name, arr.astype(np.float16), 4)]
    if dtype == "bfloat16":
        return [(name, (arr.view(np.uint32) >> 16).astype(np.uint16), 5)]
    if dtype == "int8" and name.endswith("weight") and arr.ndim == 2:
        amax = np.abs(arr).max(axis=1)
        amax[amax == 0] = 127.0
        scale = (127.0 / amax).astype(np.float32)
        q = np.rint(arr * scale[:, None]).astype(np.int8)
        return [(name, q, 1), (name + "_scale", scale, 0)]
    return [(name, arr, 0)]


def write_model_bin(
    path: Path,
    variables: dict[str, np.ndarray],
    *,
    dtype: str = "float32",
    spec: str = "WhisperSpec",
    aliases: dict[str, str] | None = None,
) -> Path:
    entries = [e for name in sorted(variables) for e in _encode(name, variables[name], dtype)]
    if aliases is None:
        aliases = {"decoder/projection/weight": "decoder/embeddings/weight"}
    out = [struct.pack("<I", 6), _string(spec), struct.pack("<I", 3)]
    out.append(struct.pack("<I", len(entries)))
    for name, arr, type_id in entries:
        data = np.ascontiguousarray(arr).tobytes()
        out += [_string(name), struct.pack("<B", arr.ndim)]
        out += [struct.pack("<I", d) for d in arr.shape]
        out += [struct.pack("<B", type_id), struct.pack("<I", len(data)), data]
    out.append(struct.pack("<I", len(aliases)))
    for alias, target in aliases.items():
        out += [_string(alias), _string(target)]
    path.write_bytes(b"".join(out))
    return path
