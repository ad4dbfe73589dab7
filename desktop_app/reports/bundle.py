"""One attempt as a zip: its recording, transcript (TXT, SRT, VTT) and analysis JSON.

Inside ``attempt-<id>.zip``: ``attempt-<id>.wav`` (when the recording exists), ``.txt`` (the
question, date, scores, note and transcript), ``.srt`` and ``.vtt`` (subtitles from the word
times; left out for typed answers, which have none), ``.analysis.json`` (exactly
``Analysis.to_dict()``, as ``rehearse score --json`` prints it) and ``.json`` (the attempt as the
JSON report holds it). Written like every export: to a temporary file, then moved into place.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.reports.atomic import atomic_file
from desktop_app.reports.json_export import SCHEMA_VERSION, attempt_to_dict
from desktop_app.reports.records import AttemptRecord
from desktop_app.reports.subtitles import to_srt, to_vtt
from desktop_app.textfmt import fmt_score, fmt_time, short_date

SCORE_NAMES = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")


@dataclass
class BundleResult:
    path: Path
    members: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def transcript_text(rec: AttemptRecord) -> str:
    """The plain-text page of a bundle."""
    a = rec.attempt
    lines = [f"Question: {rec.question_text}"]
    if a.prompt_text:
        lines.append(f"Follow-up answered: {a.prompt_text}")
    lines.append(f"Date: {short_date(a.started_at)}   Length: {fmt_time(a.duration_s)}"
                 + (f"   Model: {a.model}" if a.model else ""))
    if rec.analysis is not None:
        scores = rec.analysis.scores
        lines.append("Scores: " + ", ".join(f"{k} {fmt_score(scores.get(k))}"
                                            for k in SCORE_NAMES))
        lines += ["", "Tips:"] + [f"- {t}" for t in rec.analysis.tips]
        if rec.analysis.follow_up:
            lines += ["", f"Follow-up question: {rec.analysis.follow_up}"]
    if a.note:
        lines += ["", "Note:", a.note]
    lines += ["", "Transcript:", rec.transcript.text or a.transcript_text or "(no transcript)"]
    return "\n".join(lines) + "\n"


def write_bundle(rec: AttemptRecord, audio: Path | None, path: str | os.PathLike[str]
                 ) -> BundleResult:
    """Write the bundle; a missing recording is a warning (the rest is still written)."""
    stem = f"attempt-{rec.id}"
    result = BundleResult(Path(path))
    words = rec.transcript.words
    texts = {f"{stem}.txt": transcript_text(rec)}
    if words:
        texts[f"{stem}.srt"] = to_srt(words)
        texts[f"{stem}.vtt"] = to_vtt(words)
    else:
        result.warnings.append("No word times (a typed answer, or not transcribed yet): "
                               "the bundle has no subtitles.")
    if rec.analysis is not None:
        texts[f"{stem}.analysis.json"] = json.dumps(rec.analysis.to_dict(), ensure_ascii=False,
                                                    indent=2)
    texts[f"{stem}.json"] = json.dumps({"schema_version": SCHEMA_VERSION,
                                        "attempt": attempt_to_dict(rec)},
                                       ensure_ascii=False, indent=2)
    if audio is None or not audio.is_file():
        result.warnings.append("The recording is missing: the bundle has the transcript and "
                               "analysis only." if rec.attempt.audio_path else
                               "This attempt has no recording.")
        audio = None
    with atomic_file(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        if audio is not None:
            z.write(audio, f"{stem}{audio.suffix or '.wav'}", compress_type=zipfile.ZIP_STORED)
            result.members.append(f"{stem}{audio.suffix or '.wav'}")
        for name, text in texts.items():
            z.writestr(name, text)
            result.members.append(name)
    return result
