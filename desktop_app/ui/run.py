"""Start Qt and show the main window, or explain why it cannot open.

:func:`run_app` is what ``rehearse`` runs. It takes the data folder's single-instance lock (a
second start raises the first window instead of opening another), builds the services, and
turns every start-up failure (locked, read-only, full disk, a folder in the way, a newer or
failed schema) into a dialog that says what is wrong and offers a way out: another data
folder, retry, read-only where the data can still be read, or quit. It never ends in a
traceback with no window.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.app import Services, build_services
from desktop_app.instance import InstanceLock, server_name
from desktop_app.paths import AppPaths
from desktop_app.recovery import reattach
from desktop_app.storage.errors import StorageError
from desktop_app.ui import startup_dialog as sd
from desktop_app.ui.instance_server import InstanceServer, ask_to_raise, bring_to_front

log = logging.getLogger(__name__)

Builder = Callable[..., Services]
Asker = Callable[..., "tuple[str, object]"]


@dataclass
class Opened:
    """The outcome of :func:`open_services`: services (None: do not open a window) and the exit
    code to use when there are none."""

    services: Services | None
    lock: InstanceLock | None = None
    exit_code: int = 0


def _already_open(paths: AppPaths, lock: InstanceLock, ask: Asker) -> tuple[str, object]:
    holder = lock.holder()
    who = f" (process {holder})" if holder else ""
    return ask(
        sd.ALREADY_OPEN,
        f"Another Rehearse window{who} has this data folder open, and it did not come "
        "forward when asked. Switch to it, or choose another data folder. Two windows on one "
        "folder would compete for the same recordings.",
        paths.root,
    )


def open_services(paths: AppPaths, *, build: Builder = build_services,
                  ask: Asker = sd.ask) -> Opened:
    """Take the folder's instance lock and build the services, asking what to do on failure."""
    read_only, reason = False, ""
    while True:
        lock = InstanceLock(paths.root)
        try:
            held = lock.acquire()
        except OSError as exc:  # no folder or no lock file possible: the build says why
            log.info("no instance lock in %s: %s", paths.root, exc)
            held = None
        if held is False:
            if ask_to_raise(server_name(paths.root)):
                print(f"Rehearse is already open for {paths.root}; switched to its window.",
                      file=sys.stderr)
                return Opened(None, exit_code=0)
            action, chosen = _already_open(paths, lock, ask)
        else:
            try:
                services = build(paths, read_only=read_only)
            except StorageError as exc:
                lock.release()
                log.warning("cannot open %s: %s", paths.root, exc)
                reason = str(exc)
                action, chosen = ask(exc.kind, reason, paths.root,
                                     read_only_ok=exc.read_only_ok and not read_only)
            else:
                if read_only and reason:
                    services.notices.insert(0, reason)
                return Opened(services, lock if held else None)
        if action == sd.QUIT:
            return Opened(None, exit_code=1)
        read_only = action == sd.READ_ONLY
        if action == sd.CHOOSE and chosen is not None:
            paths = AppPaths(chosen.expanduser().resolve())


def offer_reattach(parent: QWidget, services: Services, *, confirm: bool = True) -> list[int]:
    """Offer to add the recordings History does not list as recovered attempts."""
    orphans = services.orphans
    if not orphans:
        return []
    n = len(orphans)
    if confirm:
        answer = QMessageBox.question(
            parent, "Recordings not in History",
            f"Rehearse found {n} recording{'s' if n != 1 else ''} in "
            f"{services.paths.recordings} that History does not list (for example after a "
            "damaged history was moved aside). Add them to History as recovered attempts, "
            "so you can transcribe and score them again?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return []
    try:
        ids = reattach(services.paths, services.attempts, orphans,
                       known_question=lambda qid: services.bank.get(qid) is not None)
    except StorageError as exc:
        QMessageBox.warning(parent, "Rehearse", f"Could not add the recordings: {exc}")
        return []
    services.orphans = []
    return ids


def run_app(paths: AppPaths, argv: list[str], *, build: Builder = build_services,
            ask: Asker = sd.ask, on_shown: Callable[[QWidget], None] | None = None) -> int:
    """Run the app on ``paths`` until its window closes; returns the exit code."""
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Rehearse")
    opened = open_services(paths, build=build, ask=ask)
    services = opened.services
    if services is None:
        return opened.exit_code
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(services)
    server = InstanceServer(server_name(services.paths.root), window) if opened.lock else None
    if server is not None:
        server.raise_requested.connect(lambda: bring_to_front(window))
    window.show()
    log.info("Rehearse window open on %s%s", services.paths.root,
             " (read-only)" if services.read_only else "")

    def after_show() -> None:
        if services.orphans and offer_reattach(window, services):
            window.history_view.refresh()
        if on_shown is not None:
            on_shown(window)

    QTimer.singleShot(0, after_show)
    try:
        return app.exec()
    finally:
        if server is not None:
            server.close()
        services.repo.close()
        if opened.lock is not None:
            opened.lock.release()


def run_gui(services: Services, argv: list[str]) -> int:
    """Run a window for services built elsewhere (no instance lock); returns Qt's exit code."""
    from desktop_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Rehearse")
    window = MainWindow(services)
    window.show()
    return app.exec()
