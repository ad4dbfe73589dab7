"""UI test set-up: Qt offscreen, real Services on a temporary data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from desktop_app.app import build_services  # noqa: E402
from desktop_app.paths import AppPaths  # noqa: E402


@pytest.fixture
def data_paths(tmp_path) -> AppPaths:
    return AppPaths(tmp_path / "data").ensure()


@pytest.fixture
def services(data_paths):
    """Real Services (question bank, SQLite, model store) without audio; questions not spoken."""
    svc = build_services(data_paths, with_audio=False)
    svc.settings.speak_questions = False
    yield svc
    svc.repo.close()


@pytest.fixture
def make_window(qtbot):
    """Factory: ``make_window(services, load_model=True)`` → a shown MainWindow (closed after)."""
    from desktop_app.ui.main_window import MainWindow

    windows = []

    def make(svc, load_model: bool = True) -> MainWindow:
        w = MainWindow(svc, load_model_on_show=load_model)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
