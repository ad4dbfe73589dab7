"""Start-up never ends in a traceback with no window: every storage failure becomes a dialog
that says what is wrong and offers another folder, retry, read-only (where the data can still
be read) or quit. Real dialogs (qtbot), real SQLite files, real mounts, real second processes."""

from __future__ import annotations

import functools
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.app import build_services
from desktop_app.paths import AppPaths
from desktop_app.storage.db import SCHEMA_VERSION, open_database
from desktop_app.ui import startup_dialog as sd
from desktop_app.ui.run import offer_reattach, open_services
from desktop_app.ui.startup_dialog import StartupDialog

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]


class Dialogs:
    """Answers each start-up dialog with the next scripted action (after recording what the
    real dialog showed), by clicking the dialog's own buttons."""

    def __init__(self, qtbot, *actions: str, chosen: Path | None = None, before=None):
        self.qtbot, self.actions, self.chosen = qtbot, list(actions), chosen
        self.seen: list[dict] = []
        self.before = before  # called before each answer (e.g. to fix the problem)

    def __call__(self, kind, message, folder, *, read_only_ok=False, **_):
        dialog = StartupDialog(kind, message, folder, read_only_ok=read_only_ok,
                               choose_folder=lambda _parent, _current: self.chosen)
        self.qtbot.addWidget(dialog)
        self.seen.append({"kind": kind, "headline": dialog.headline.text(),
                          "message": dialog.message.text(),
                          "read_only": dialog.read_only_button is not None})
        action = self.actions.pop(0)
        if self.before is not None:
            self.before()
        button = {sd.RETRY: dialog.retry_button, sd.QUIT: dialog.quit_button,
                  sd.CHOOSE: dialog.choose_button,
                  sd.READ_ONLY: dialog.read_only_button}[action]
        button.click()
        return dialog.action, dialog.chosen


def build(paths, **kw):
    return build_services(paths, with_audio=False, **kw)


def test_a_folder_in_the_way_offers_another_data_folder(qtbot, tmp_path):
    bad = AppPaths(tmp_path / "bad")
    bad.root.mkdir()
    bad.database.mkdir()  # the database path is a folder
    good = tmp_path / "good"
    dialogs = Dialogs(qtbot, sd.CHOOSE, chosen=good)
    opened = open_services(bad, build=build, ask=dialogs)
    try:
        assert opened.services is not None and opened.services.paths.root == good
        assert opened.lock is not None and opened.lock.held
    finally:
        opened.services.repo.close()
        opened.lock.release()
    [seen] = dialogs.seen
    assert seen["kind"] == "folder" and "is a folder" in seen["message"]
    assert seen["headline"] == "The data folder cannot be used" and not seen["read_only"]


def test_a_data_folder_that_cannot_be_created_is_explained_and_quit_exits_1(qtbot, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    dialogs = Dialogs(qtbot, sd.QUIT)
    opened = open_services(AppPaths(blocker / "Rehearse"), build=build, ask=dialogs)
    assert opened.services is None and opened.exit_code == 1
    assert "Cannot create the data folder" in dialogs.seen[0]["message"]


def test_a_newer_database_is_refused_with_no_read_only_offer(qtbot, tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    db, _ = open_database(paths.database)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    dialogs = Dialogs(qtbot, sd.QUIT)
    assert open_services(paths, build=build, ask=dialogs).services is None
    [seen] = dialogs.seen
    assert seen["headline"] == "This data folder belongs to a newer Rehearse"
    assert "Upgrade Rehearse, or choose another data folder" in seen["message"]
    assert not seen["read_only"]


HOLD = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    sys.stdin.readline()
    """
)


def test_a_locked_database_can_be_retried_once_the_other_program_lets_go(qtbot, tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    open_database(paths.database, read_only=False)[0].close()
    db = sqlite3.connect(paths.database)  # make an upgrade pending, so opening must write
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_schema_info'")
    db.execute("DROP TABLE rehearse_info")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(paths.database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"

    def let_go():
        holder.communicate("\n", timeout=10)

    dialogs = Dialogs(qtbot, sd.RETRY, before=let_go)
    opened = open_services(paths, build=functools.partial(build_services, with_audio=False),
                           ask=dialogs)
    try:
        assert opened.services is not None and not opened.services.read_only
        version = opened.services.repo.db.execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION
    finally:
        opened.services.repo.close()
        opened.lock.release()
    [seen] = dialogs.seen
    assert seen["kind"] == "locked" and "locked by another program" in seen["message"]
    assert seen["read_only"]


def test_a_read_only_data_folder_opens_read_only(qtbot, tmp_path, read_only_mount, make_window):
    src = tmp_path / "src"
    services = build(AppPaths(src / "data"))
    qid = services.bank.questions[0].id
    from desktop_app.domain import Attempt

    aid = services.repo.add_attempt(Attempt(None, qid, "2024-01-01T10:00:00+00:00",
                                            transcript_text="I cut the release scope."))
    services.repo.close()
    mnt = read_only_mount(src)
    dialogs = Dialogs(qtbot, sd.READ_ONLY)
    opened = open_services(AppPaths(mnt / "data"), build=build, ask=dialogs)
    svc = opened.services
    try:
        assert dialogs.seen[0]["kind"] == "read-only" and dialogs.seen[0]["read_only"]
        assert svc.read_only and svc.sd is None  # nothing records into a folder it cannot save
        assert svc.notices[0] == dialogs.seen[0]["message"]  # the reason stays on screen
        assert any("read-only" in n for n in svc.notices[1:])
        w = make_window(svc, load_model=False)
        assert w.history_view.row_ids() == [aid]
        assert w.history_view.open_attempt(aid)
        assert not w.history_view.delete_button.isEnabled()
        assert not w.practice_view.record_button.isEnabled()
        assert "read-only" in w.notice_banner.text()
    finally:
        svc.repo.close()


def test_a_full_disk_at_first_start_is_explained(qtbot, tmpfs):
    mount = tmpfs("64k")
    with open(mount / "filler", "wb") as f:
        try:
            f.write(b"\0" * 200_000)
        except OSError:
            pass  # full
    dialogs = Dialogs(qtbot, sd.QUIT)
    assert open_services(AppPaths(mount / "data"), build=build, ask=dialogs).services is None
    assert dialogs.seen[0]["kind"] == "full" and "is full" in dialogs.seen[0]["message"]


def test_orphaned_recordings_are_offered_and_added_to_history(qtbot, tmp_path, make_window):
    import numpy as np

    from desktop_app.audio.wavio import write_wav

    paths = AppPaths(tmp_path / "data").ensure()
    services = build(paths)
    qid = services.bank.questions[0].id
    services.repo.close()
    paths.database.write_bytes(b"garbage" * 100)
    write_wav(paths.recordings / f"20240301-093000-{qid}.wav", np.zeros(16000, np.float32))
    services = build(paths)
    w = make_window(services, load_model=False)
    assert services.orphans

    def answer_yes():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            qtbot.wait(20)
            return answer_yes()
        assert "1 recording" in box.text() and "not list" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, answer_yes)
    ids = offer_reattach(w, services)
    w.history_view.refresh()
    assert len(ids) == 1 and w.history_view.row_ids() == ids
    assert services.repo.get_attempt(ids[0]).question_id == qid
    services.repo.close()


APP = [sys.executable, "-m", "desktop_app", "--data-dir"]


def _env():
    return dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")


def _wait_for_log(paths: AppPaths, text: str, proc: subprocess.Popen, timeout=60.0,
                  count: int = 1) -> str:
    log = paths.logs / "rehearse.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8") if log.exists() else ""
        if content.count(text) >= count:
            return content
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never logged")


def test_the_app_with_a_broken_data_folder_shows_a_dialog_not_a_traceback(tmp_path):
    paths = AppPaths(tmp_path / "data")
    paths.root.mkdir()
    paths.database.mkdir()
    app = subprocess.Popen([*APP, str(paths.root)], env=_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_log(paths, "cannot open", app)
        time.sleep(1.0)
        assert app.poll() is None  # waiting in the dialog for the user's choice
    finally:
        app.kill()
        _out, err = app.communicate(timeout=10)
    assert "Traceback" not in err


def test_a_second_start_on_the_same_folder_brings_the_first_window_forward(tmp_path):
    paths = AppPaths(tmp_path / "data")
    first = subprocess.Popen([*APP, str(paths.root)], env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_log(paths, "Rehearse window open on", first)
        second = subprocess.run([*APP, str(paths.root)], env=_env(), capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stderr
        log = _wait_for_log(paths, "asked for this window", first)
        assert log.count("Rehearse window open on") == 1  # no second window
        assert first.poll() is None
    finally:
        first.kill()
        first.communicate(timeout=10)
    third = subprocess.Popen([*APP, str(paths.root)], env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:  # the killed first window's lock went with it
        _wait_for_log(paths, "Rehearse window open on", third, count=2)
    finally:
        third.kill()
        third.communicate(timeout=10)
