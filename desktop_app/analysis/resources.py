"""Load the analysis lexicons and thresholds from assets/analysis (once per Analyzer)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import tomllib

from desktop_app.analysis.star_model import StarModel
from desktop_app.analysis.text import phrase_regex


class AnalysisConfigError(Exception):
    """A lexicon or threshold file is missing or malformed."""


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise AnalysisConfigError(f"{path}: analysis data file is missing") from e
    except tomllib.TOMLDecodeError as e:
        raise AnalysisConfigError(f"{path}: not valid TOML: {e}") from e


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise AnalysisConfigError(f"{path}: analysis data file is missing") from e
    return [ln.strip().lower() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _model(path: Path) -> StarModel:
    try:
        return StarModel.load(path)
    except FileNotFoundError as e:
        raise AnalysisConfigError(f"{path}: analysis data file is missing") from e
    except (ValueError, KeyError, AttributeError) as e:
        raise AnalysisConfigError(f"{path}: not a STAR model file: {e!r}") from e


@dataclass
class Resources:
    """Everything read from assets/analysis, with phrase lists compiled to regexes."""

    star: dict[str, Any]
    star_cues: dict[str, list[tuple[float, regex.Pattern[str]]]]
    star_lexicon: dict[str, regex.Pattern[str]]
    meta_words: frozenset[str]
    lesson: regex.Pattern[str]
    delivery: dict[str, Any]
    filler_words: frozenset[str]
    filler_phrases: regex.Pattern[str]
    hedges: regex.Pattern[str]
    specificity: dict[str, Any]
    vague: regex.Pattern[str]
    hypothetical: regex.Pattern[str]
    not_named: frozenset[str]
    jargon: dict[str, Any]
    buzzwords: regex.Pattern[str]
    tech_terms: frozenset[str]
    reasoning: dict[str, Any]
    reasoning_cues: dict[str, regex.Pattern[str]]
    weights: dict[str, Any]
    feedback: dict[str, Any]
    focus: dict[str, Any]
    differently: regex.Pattern[str]
    placeholders: frozenset[str]
    star_model: StarModel


def load_resources(folder: Path, *, with_model: bool = True) -> Resources:
    """Read and compile every data file in ``folder`` (assets/analysis). ``with_model=False``
    leaves the STAR model empty (for tools/train_star.py, which writes it)."""
    return _load_cached(folder.resolve(), with_model)


@lru_cache(maxsize=4)
def _load_cached(folder: Path, with_model: bool) -> Resources:
    star = _toml(folder / "star.toml")
    delivery = _toml(folder / "delivery.toml")
    spec = _toml(folder / "specificity.toml")
    jargon = _toml(folder / "jargon.toml")
    reasoning = _toml(folder / "reasoning.toml")
    focus = _toml(folder / "focus.toml")
    try:
        star_cues = {
            label: [(float(w), phrase_regex(phrases)) for w, phrases in groups.items()]
            for label, groups in star["cues"].items()
        }
        res = Resources(
            star=star,
            star_cues=star_cues,
            star_lexicon={k: phrase_regex(v) for k, v in star.get("lexicon", {}).items()},
            meta_words=frozenset(star["meta_words"]["words"]),
            lesson=phrase_regex(star["result"]["lesson"]),
            delivery=delivery,
            filler_words=frozenset(delivery["fillers"]["words"]),
            filler_phrases=phrase_regex(delivery["fillers"]["phrases"]),
            hedges=phrase_regex(delivery["hedges"]["phrases"]),
            specificity=spec,
            vague=phrase_regex(spec["vague"]),
            hypothetical=phrase_regex(spec["hypothetical"]),
            not_named=frozenset(spec["not_named"]),
            jargon=jargon,
            buzzwords=phrase_regex(_lines(folder / "buzzwords.txt")),
            tech_terms=frozenset(_lines(folder / "tech_terms.txt")),
            reasoning=reasoning,
            reasoning_cues={k: phrase_regex(v) for k, v in reasoning["cues"].items()},
            weights=_toml(folder / "weights.toml"),
            feedback=_toml(folder / "feedback.toml"),
            focus=focus,
            differently=phrase_regex(focus["differently_phrases"]),
            placeholders=frozenset(p.lower() for p in spec["placeholders"]),
            star_model=_model(folder / "star_model.json") if with_model else StarModel({}, {}),
        )
    except (KeyError, ValueError, TypeError) as e:
        raise AnalysisConfigError(f"{folder}: analysis data is incomplete: {e!r}") from e
    return res
