"""Rehearse: practise interview answers out loud, with local transcription and feedback."""

__version__ = "0.1.0"
