"""Shared test set-up. Area fixtures live in tests/fixtures_*.py, loaded as plugins here."""

pytest_plugins = ["tests.fixtures_audio", "tests.fixtures_disk", "tests.fixtures_whisper"]
