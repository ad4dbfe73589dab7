"""Tests for desktop_app.audio."""
