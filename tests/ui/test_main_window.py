"""The main window opens on real Services, reports the model state and start-up notices."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.settings import Settings
from desktop_app.ui.pipeline import NO_MODEL_HINT

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]


def test_window_opens_and_says_no_model(services, make_window, qtbot):
    w = make_window(services)
    tabs = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert tabs == ["Practice", "Interview", "History", "Review", "Progress"]
    assert w.practice_view.picker.list.count() == len(services.bank.questions) > 0
    qtbot.waitUntil(lambda: w.pipeline.state == "missing", timeout=10000)
    assert w.model_label.text() == NO_MODEL_HINT
    assert "No Whisper model is installed" in w.model_label.toolTip()
    # the first run is a welcome with the way to get a model, not a red banner of CLI text
    assert w.notice_banner.text() == ""
    assert w.welcome.isVisible()
    assert w.welcome.download_button.text() == "Download recommended model (tiny.en, 75 MB)"
    assert w.welcome.import_button.text() == "Import a model file…"
    needs = w.welcome.needs_label.text()
    assert "What Rehearse needs" in needs and "Microphone: none found" in needs
    assert "`" not in needs + w.welcome.offline_label.text()  # no markdown backticks
    assert not w.practice_view.record_button.isEnabled()  # no audio system in these Services


def test_startup_notices_shown_in_banner(services, make_window):
    services.notices.append("Question pack problem: bad.toml:3: text: missing")
    w = make_window(services, load_model=False)
    assert "bad.toml:3" in w.notice_banner.text()
    w.notice_banner.dismiss()
    assert w.notice_banner.text() == ""


def test_startup_imports_neither_torch_nor_whisper(tmp_path):
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        from desktop_app.app import build_services
        from desktop_app.paths import resolve_paths
        from desktop_app.ui.main_window import MainWindow
        app = QApplication([])
        w = MainWindow(build_services(resolve_paths({str(tmp_path)!r}), with_audio=False))
        w.show()
        app.processEvents()
        print("torch" in sys.modules, "whisper" in sys.modules)
        w.close()
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_settings_dialog_saves(services, make_window):
    w = make_window(services, load_model=False)
    dialog = w.open_settings()
    assert dialog.isVisible()
    dialog.rate_spin.setValue(205)
    dialog.speak_check.setChecked(True)
    dialog.live_check.setChecked(False)
    assert dialog.model_combo.currentData() is None  # automatic: nothing installed
    dialog.accept()
    assert not dialog.isVisible()
    saved = Settings.load(services.paths.settings)
    got = (saved.speech_rate, saved.speak_questions, saved.live_transcription)
    assert got == (205, True, False)
    assert services.settings.speech_rate == 205


def test_settings_import_error_is_shown(services, make_window, qtbot, tmp_path):
    w = make_window(services, load_model=False)
    dialog = w.open_settings()
    assert dialog.isModal() and dialog.windowModality() != Qt_none()
    dialog.start_import(str(tmp_path / "no-such-model.pt"))
    assert dialog.job_running
    qtbot.waitUntil(lambda: not dialog.job_running, timeout=30000)
    assert "does not exist" in dialog.message_label.text()
    assert dialog.download_button.isEnabled()


def test_settings_stay_readable_after_a_long_download_error(services, make_window, qtbot):
    """The offline download error is long: the dialog grows to show it, and every control
    keeps at least its own minimum size (nothing collapses)."""
    from desktop_app.transcription.models import ModelStore

    url = "https://openaipublic.invalid/main/" + "0" * 64 + "/tiny.en.pt"
    services.models = ModelStore(services.paths.models, urls={"tiny.en": url})
    w = make_window(services, load_model=False)
    dialog = w.open_settings()
    qtbot.waitExposed(dialog)
    dialog.start_download("tiny.en")
    qtbot.waitUntil(lambda: not dialog.job_running, timeout=60000)
    qtbot.wait(50)
    assert "no internet connection" in dialog.message_label.text()
    assert dialog.message_label.isVisible()
    for widget in (dialog.device_combo, dialog.voice_combo, dialog.model_combo,
                   dialog.download_button, dialog.import_button, dialog.rate_spin,
                   dialog.message_label):
        hint = widget.minimumSizeHint()
        assert widget.height() >= hint.height(), widget
        assert widget.width() >= hint.width(), widget
    assert dialog.height() >= dialog.layout().minimumSize().height()


def test_settings_list_models_with_size_and_speed(services, make_window, tiny_model):
    import os

    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        os.symlink(src, services.paths.models / src.name)
    w = make_window(services, load_model=False)
    dialog = w.open_settings()
    i = dialog.model_combo.findData("tiny.en")
    assert i > 0
    dialog.model_combo.setCurrentIndex(i)
    hint = dialog.model_hint.text()
    assert "75 MB" in hint and "2 CPU cores" in hint and "fastest" in hint
    from desktop_app.transcription.catalogue import catalogue

    large = catalogue()["large-v3"]
    assert "GB" in large.size_text and not large.keeps_up and "estimate" in large.hint


def Qt_none():  # noqa: N802
    from PySide6.QtCore import Qt

    return Qt.WindowModality.NonModal


def test_settings_shortcut_opens_dialog(services, make_window, qtbot):
    w = make_window(services, load_model=False)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    assert w.settings_dialog is None
    qtbot.keyClick(w, ",", Qt_ctrl())
    qtbot.waitUntil(lambda: w.settings_dialog is not None and w.settings_dialog.isVisible())


def Qt_ctrl():  # noqa: N802
    from PySide6.QtCore import Qt

    return Qt.KeyboardModifier.ControlModifier
