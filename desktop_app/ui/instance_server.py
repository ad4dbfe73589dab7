"""The local socket through which a second start asks the open window to come forward."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
_RAISE, _ACK = b"raise\n", b"ok\n"


class InstanceServer(QObject):
    """Listens on ``name``; emits ``raise_requested`` when another start knocks.

    Only the holder of the folder's instance lock creates one, so a socket left by a crashed
    holder can safely be removed first.
    """

    raise_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(name)
        if not self.server.listen(name):
            log.warning("cannot listen on %s: %s", name, self.server.errorString())
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(sock.deleteLater)

    def _on_ready(self, sock: QLocalSocket) -> None:
        if bytes(sock.readAll().data()).startswith(_RAISE.strip()):
            sock.write(_ACK)
            sock.flush()
            log.info("another start on this data folder asked for this window")
            self.raise_requested.emit()

    def close(self) -> None:
        self.server.close()


def ask_to_raise(name: str, timeout_ms: int = 2000) -> bool:
    """Ask the window listening on ``name`` to come forward; True once it said it will."""
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        return False
    sock.write(_RAISE)
    sock.flush()
    ok = sock.waitForReadyRead(timeout_ms) and bytes(sock.readAll().data()).startswith(_ACK)
    sock.disconnectFromServer()
    return ok


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` restored, on top and focused (as far as the window manager allows)."""
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.show()
    window.raise_()
    window.activateWindow()
