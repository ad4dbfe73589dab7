"""Transcription package."""
