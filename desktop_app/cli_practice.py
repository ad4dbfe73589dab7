"""`rehearse practice --question ID (--audio FILE | --text FILE) [--json]`: keep an answer
recorded elsewhere, or typed, as an attempt — through the same AnswerFlow as the window (the
live transcriber fed at file speed, stored, scored, in History with its audio)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop_app.paths import AppPaths, prompts_dir

EXIT_USAGE = 2
EXIT_FAILED = 1


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "practice", help="keep an answer recorded elsewhere, or typed, as a scored attempt",
        description="Store, transcribe and score one answer as the app does; it shows in "
                    "History (and `rehearse history`). Audio: WAV, FLAC or OGG at any rate.")
    p.add_argument("--question", required=True, metavar="ID",
                   help="the question it answers (see `rehearse questions`)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--audio", type=Path, metavar="FILE", help="a recording of the answer")
    what.add_argument("--text", type=Path, metavar="FILE",
                      help="the answer as text (UTF-8; - reads standard input)")
    p.add_argument("--model", help="model for --audio (default: the configured or only model)")
    p.add_argument("--json", action="store_true",
                   help="print the stored attempt as `rehearse history --json` shows it")


def _err(message: str) -> None:
    print(f"rehearse: {message}", file=sys.stderr)


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    return path.read_text(encoding="utf-8")


def cmd_practice(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.analysis import Analyzer
    from desktop_app.domain import AnswerInput
    from desktop_app.practice.attempts import AttemptService, attempt_json
    from desktop_app.practice.flow import AnswerFlow, Event
    from desktop_app.practice.headless import DirectProcessing, FileRecorder
    from desktop_app.questions import QuestionBank
    from desktop_app.storage.repository import Repository

    bank = QuestionBank.load([prompts_dir(), paths.packs])
    question = bank.get(args.question)
    if question is None:
        _err(f"no question with id {args.question!r} (see `rehearse questions`)")
        return EXIT_USAGE
    text = recorder = None
    if args.text is not None:
        try:
            text = _read_text(args.text)
        except (OSError, UnicodeDecodeError) as exc:
            _err(f"could not read {args.text}: {exc}")
            return EXIT_FAILED
        if not text.strip():
            _err(f"{args.text} holds no answer text")
            return EXIT_FAILED
    else:
        from desktop_app.audio.wavio import UnreadableAudio

        try:
            recorder = FileRecorder(args.audio)
        except UnreadableAudio as exc:
            _err(str(exc))
            return EXIT_FAILED
    host = _host(paths, args.model) if recorder is not None else None
    repo = Repository.open(paths.database)
    if repo.notice:
        _err(repo.notice)
    try:
        attempts = AttemptService(repo, paths)
        processing = DirectProcessing(attempts, bank, Analyzer(), host)
        flow = AnswerFlow(attempts, recorder, processing, paths.recordings)
        processing.flow = flow
        if recorder is not None:
            recorder.flow = flow
        flow.subscribe(lambda u: _progress(u, Event))
        flow.show(question)
        if recorder is None:
            attempt_id = flow.submit_text(text)
        else:
            flow.start(source=AnswerInput.FILE)
            recorder.play(flow.live.feed if flow.live is not None else None)
            flow.stop()
            attempt_id = flow.current_attempt_id
        stored = attempts.load(attempt_id) if attempt_id is not None else None
    finally:
        repo.close()
        if host is not None:
            host.release()
    if stored is None:
        _err("the answer could not be stored")
        return EXIT_FAILED
    if args.json:
        print(json.dumps(attempt_json(stored, question.text), indent=2, ensure_ascii=False))
    else:
        _summary(stored)
    return 0 if stored.analysis is not None else EXIT_FAILED


def _host(paths: AppPaths, model: str | None) -> Any:
    """An EngineHost with the model loaded in this process (raises with how to get one)."""
    from desktop_app.settings import Settings
    from desktop_app.transcription.engine import WhisperEngine
    from desktop_app.transcription.host import EngineHost
    from desktop_app.transcription.models import ModelStore

    host = EngineHost(ModelStore(paths.models), WhisperEngine)
    host.load(model or Settings.load(paths.settings).model)
    return host


def _progress(update: Any, event: Any) -> None:
    """What is happening, on stderr (stdout stays the result)."""
    messages = {event.TRANSCRIBING: "Transcribing…", event.SCORING: "Scoring…"}
    if update.event in messages:
        print(messages[update.event], file=sys.stderr, flush=True)
    elif update.event in (event.NOTICE, event.FAILED):
        _err(update.message)


def _summary(stored: Any) -> None:
    from desktop_app.textfmt import fmt_score, fmt_time

    a = stored.attempt
    how = "typed" if stored.typed else f"{fmt_time(a.duration_s)} of audio"
    if stored.analysis is None:
        print(f"Attempt #{a.id} stored ({how}) but not scored: {a.error or a.status}")
        return
    scores = stored.analysis.scores
    parts = "  ".join(f"{k} {fmt_score(v)}" for k, v in scores.items() if k != "overall")
    print(f"Attempt #{a.id} stored ({how}), overall {fmt_score(scores.get('overall'))}")
    print(f"  {parts}")
    if stored.analysis.follow_up:
        print(f"  Follow-up: {stored.analysis.follow_up}")
    print("It is in History (the app) and `rehearse history`.")
