"""Tests of the transcription layer (models, CTranslate2 import, Whisper engine)."""
