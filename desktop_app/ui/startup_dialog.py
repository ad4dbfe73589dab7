"""What the user sees when the data folder cannot be opened: what is wrong, and the ways out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop_app.storage import errors as E

RETRY, READ_ONLY, CHOOSE, QUIT = "retry", "read-only", "choose", "quit"
ALREADY_OPEN = "already-open"

HEADLINES = {
    E.LOCKED: "The history is locked by another program",
    E.READ_ONLY: "Rehearse cannot save to this data folder",
    E.FULL: "The disk is full",
    E.FOLDER: "The data folder cannot be used",
    E.CANT_OPEN: "The history cannot be opened",
    E.NEWER: "This data folder belongs to a newer Rehearse",
    E.MIGRATION: "The history could not be upgraded",
    E.DAMAGED: "The history is damaged",
    ALREADY_OPEN: "Rehearse is already open for this data folder",
}

FolderChooser = Callable[[QWidget, Path], "Path | None"]


def choose_folder_dialog(parent: QWidget, current: Path) -> Path | None:
    """The platform's folder picker, starting next to the current data folder."""
    start = current.parent if current.parent.is_dir() else Path.home()
    chosen = QFileDialog.getExistingDirectory(parent, "Choose a data folder for Rehearse",
                                              str(start))
    return Path(chosen) if chosen else None


class StartupDialog(QDialog):
    """Says what is wrong with the data folder and offers: choose another folder, retry, open
    read-only (when the data can still be read) or quit. After ``exec()``, ``action`` is one of
    RETRY, READ_ONLY, CHOOSE (with ``chosen`` set) or QUIT.

    Test hooks: ``headline``, ``message``, ``folder_label``, ``retry_button``,
    ``read_only_button`` (None when not offered), ``choose_button``, ``quit_button``.
    """

    def __init__(self, kind: str, message: str, folder: Path, *, read_only_ok: bool = False,
                 choose_folder: FolderChooser = choose_folder_dialog,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rehearse")
        self.setModal(True)
        self.action, self.chosen = QUIT, None
        self._folder, self._choose = folder, choose_folder
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.headline = QLabel(HEADLINES.get(kind, "Rehearse cannot open its history"))
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.headline.setWordWrap(True)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label = QLabel(f"Data folder: {folder}")
        self.folder_label.setWordWrap(True)
        self.folder_label.setStyleSheet("color: #627d98;")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QVBoxLayout()
        for w in (self.headline, self.message, self.folder_label):
            text.addWidget(w)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)

        buttons = QDialogButtonBox()
        self.choose_button = self._button(buttons, "Choose Another Folder…", self._on_choose)
        self.read_only_button = (self._button(buttons, "Open Read-Only",
                                              lambda: self._finish(READ_ONLY))
                                 if read_only_ok else None)
        self.retry_button = self._button(buttons, "Retry", lambda: self._finish(RETRY))
        self.quit_button = self._button(buttons, "Quit", lambda: self._finish(QUIT))
        self.retry_button.setDefault(True)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addSpacing(8)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

    def _button(self, box: QDialogButtonBox, text: str, slot: Callable[[], None]) -> QPushButton:
        b = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        b.setAutoDefault(False)
        b.clicked.connect(slot)
        return b

    def _on_choose(self) -> None:
        chosen = self._choose(self, self._folder)
        if chosen is not None:
            self.chosen = Path(chosen)
            self._finish(CHOOSE)

    def _finish(self, action: str) -> None:
        self.action = action
        self.accept() if action != QUIT else self.reject()

    def reject(self) -> None:  # Esc or the window's close button
        self.action = QUIT if self.action not in (RETRY, READ_ONLY, CHOOSE) else self.action
        super().reject()


def ask(kind: str, message: str, folder: Path, *, read_only_ok: bool = False,
        choose_folder: FolderChooser = choose_folder_dialog) -> tuple[str, Path | None]:
    """Show the dialog modally; returns (action, chosen folder or None)."""
    dialog = StartupDialog(kind, message, folder, read_only_ok=read_only_ok,
                           choose_folder=choose_folder)
    dialog.exec()
    return dialog.action, dialog.chosen
