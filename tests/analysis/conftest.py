"""Shared fixture for the analysis tests: one Analyzer (assets loaded once per session)."""

from __future__ import annotations

import pytest

from desktop_app.analysis import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()
