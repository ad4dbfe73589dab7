"""Start Qt and show the main window for a set of services."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from desktop_app.app import Services
from desktop_app.ui.main_window import MainWindow


def run_gui(services: Services, argv: list[str]) -> int:
    """Run the app until its window closes; returns Qt's exit code."""
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Rehearse")
    window = MainWindow(services)
    window.show()
    return app.exec()
