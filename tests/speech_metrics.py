"""Word error rate for spoken-answer tests, after Whisper's English normalisation."""

from __future__ import annotations


def wer(reference: str, hypothesis: str) -> float:
    """WER ignoring case, punctuation and number spelling ("ten percent" == "10%")."""
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    return jiwer.wer(norm(reference), norm(hypothesis))
