"""Answer analysis: STAR structure, specificity, jargon, delivery and reasoning (pure Python)."""

from desktop_app.analysis.analyzer import Analysis, Analyzer
from desktop_app.analysis.doc import Finding
from desktop_app.analysis.star import StarSentence

__all__ = ["Analysis", "Analyzer", "Finding", "StarSentence"]
