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


@pytest.fixture
def live_services(request, data_paths, tiny_model):
    """Real Services with audio (the PulseAudio virtual microphone) and the session's tiny.en in
    the data folder; questions not spoken; live transcription on."""
    va = request.getfixturevalue("virtual_audio")  # skips (or fails in CI) without real audio
    svc = build_services(data_paths)
    assert svc.sd is not None, svc.notices
    svc.settings.speak_questions = False
    svc.settings.live_transcription = True
    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        if src.exists():
            os.symlink(src, svc.paths.models / src.name)
    svc.virtual_audio = va
    yield svc
    svc.repo.close()
