"""The headless practice core: an attempt's lifecycle and the per-answer flow (no Qt)."""
