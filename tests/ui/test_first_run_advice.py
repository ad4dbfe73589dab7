"""First run (issue 12 §4): once the first model is in, the welcome measures this computer
with it in the background and recommends the most accurate model that keeps up, with sizes
and the measured speed, offering Download (only on a click) or Import… (real tiny.en, real
window, its own measuring process)."""

from __future__ import annotations

import json

import pytest

from desktop_app.transcription.catalogue import catalogue
from desktop_app.transcription.models import ModelStore
from desktop_app.transcription.speed_check import advise, recommend

pytestmark = [pytest.mark.gui, pytest.mark.whisper]

NOWHERE = "https://openaipublic.invalid/main/" + "0" * 64  # never resolves: offline


def test_first_run_measures_this_computer_and_offers_the_recommended_model(
        services, make_window, qtbot, tiny_model):
    services.models = ModelStore(services.paths.models, urls={
        name: f"{NOWHERE}/{name}.pt" for name in catalogue()})
    w = make_window(services)
    panel = w.welcome
    qtbot.waitUntil(panel.isVisible, timeout=10000)
    assert not panel.speed_panel.isVisible()  # nothing to measure with yet
    with qtbot.waitSignal(panel.speed_panel.advised, timeout=900000) as got:
        panel.start_import(str(tiny_model.path))
        qtbot.waitUntil(lambda: panel.speed_panel.busy_bar.isVisible(), timeout=600000)
        assert w.pipeline.state == "ready"  # measured once the model is loaded, not meanwhile
        assert panel.isVisible() and panel.advising
        assert "Measuring with tiny.en" in panel.speed_panel.label.text()
        assert not panel.job.running  # no download started by itself
    advice = got.args[0]
    assert advice.measured == "tiny.en" and 0 < advice.rtf < 5
    assert advice.best.model.name == recommend("tiny.en", advice.rtf).model.name
    text = panel.speed_panel.label.text()
    assert text.startswith(f"This computer runs tiny.en at {advice.rtf:.2f} s per second")
    assert "MB" in text and "Recommended: " in text and "base.en" in text
    assert not panel.speed_panel.busy_bar.isVisible()
    assert "✓</span> A speech-recognition model: tiny.en" in panel.needs_label.text()

    # a machine where base.en keeps up (as an idle laptop): it is offered, download or import
    base_fits = advise("tiny.en", None, advice.rtf, max_rtf=advice.rtf * 1.9)
    assert base_fits.best.model.name == "base.en"
    panel.show_advice(base_fits)
    assert panel.download_button.isVisible() and panel.import_button.isVisible()
    assert panel.download_button.text() == "Download base.en (145 MB)"
    assert panel.import_button.text() == "Import base.en…"
    assert panel.dismiss_button.text() == "Keep tiny.en"
    assert "Recommended: base.en (145 MB)" in panel.speed_panel.label.text()
    # offline: the download says so and opens the import route; nothing is lost
    panel.download_button.click()
    qtbot.waitUntil(lambda: not panel.job.running, timeout=60000)
    assert panel.status_label.text().startswith("Could not download base.en: no internet")
    assert panel.offline_label.isVisible() and panel.import_button.isEnabled()
    assert json.loads(services.paths.settings.read_text() if services.paths.settings.exists()
                      else "{}").get("model") is None  # nothing chosen for the candidate

    # a machine where only tiny.en keeps up: said plainly, nothing to download
    panel.show_advice(advise("tiny.en", None, advice.rtf, max_rtf=advice.rtf * 0.5))
    assert not panel.download_button.isVisible() and panel.dismiss_button.text() == "Done"
    assert panel.status_label.text() == "tiny.en is the right model for this computer."
    panel.dismiss_button.click()
    assert panel.isHidden() and not panel.advising
