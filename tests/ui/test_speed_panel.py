"""Settings → Model → "Measure this computer": the installed model is timed on the bundled clip
in its own process and the window recommends a model with sizes and measured speeds (real
tiny.en, real settings dialog)."""

from __future__ import annotations

import pytest

from tests.ui.test_pipeline_whisper import install

pytestmark = [pytest.mark.gui, pytest.mark.whisper]


def test_settings_measures_this_computer_and_recommends_a_model(services, qtbot, tiny_model):
    from desktop_app.ui.settings_dialog import SettingsDialog

    install(tiny_model, services)
    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    panel = dialog.speed_panel
    with qtbot.waitSignal(panel.measured, timeout=300000):
        assert panel.start()
        assert not panel.button.isEnabled() and "Measuring with tiny.en" in panel.label.text()
        assert not panel.start()  # one measurement at a time
    text = panel.label.text()
    assert text.startswith("This computer runs tiny.en at ") and "Recommended: " in text
    assert "s per second of speech" in text and "MB" in text and "base.en" in text
    assert panel.button.isEnabled()
