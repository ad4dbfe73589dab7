"""User settings kept as a small JSON file in the data folder."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from desktop_app.paths import write_private

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """What the settings dialog edits. Unknown or malformed values fall back to defaults."""

    input_device: str | None = None  # device name; None = system default
    output_device: str | None = None
    voice: str | None = None  # pyttsx3 voice id; None = engine default
    speech_rate: int = 170  # words per minute
    speak_questions: bool = True
    model: str | None = None  # model name; None = the only/best available
    live_transcription: bool = True
    keep_fillers_prompt: bool = True
    interview_date: str | None = None  # YYYY-MM-DD: review intervals end before it

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings; a missing or unreadable file gives defaults (logged), never an error."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        defaults = cls()
        kwargs = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            value, default = raw[f.name], getattr(defaults, f.name)
            if default is None or isinstance(value, type(default)):
                kwargs[f.name] = value
        return cls(**kwargs)

    def save(self, path: Path) -> None:
        """Write atomically so a crash never leaves a half-written file."""
        path = Path(path)
        tmp = path.with_suffix(".tmp")
        write_private(tmp, json.dumps(asdict(self), indent=2).encode("utf-8"))  # 0600
        tmp.replace(path)
