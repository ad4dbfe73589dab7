"""The row of score tiles and the breakdown of what went into each (on hover and on click)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.breakdown import TITLES, WHAT, Tile, tiles
from desktop_app.ui.widgets import score_colour


def breakdown_html(tile: Tile) -> str:
    """The breakdown as a small rich-text table (a tooltip, and the panel under the tiles)."""
    head = f"<b>{escape(tile.title)}: {escape(tile.shown)}</b>"
    if tile.reason:
        head += f"<br><i>{escape(tile.reason)}</i>"
    rows = "".join(
        f"<tr><td style='padding-right:12px; color:#486581'>{escape(k)}</td>"
        f"<td>{escape(v)}</td></tr>" for k, v in tile.rows
    )
    table = f"<table cellspacing='0' cellpadding='1'>{rows}</table>" if rows else ""
    return f"{head}<br><span style='color:#627d98'>{escape(WHAT[tile.key])}</span>{table}"


class ScoreTile(QFrame):
    """One score. Hover shows its breakdown; click (or Enter/Space) toggles it under the row."""

    activated = Signal(str)  # score key

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key = key
        self.tile: Tile | None = None
        self.setObjectName("scoreTile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{title} score")
        self.value = QLabel("—")
        self.value.setObjectName("scoreValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel(title)
        self.name.setObjectName("scoreName")
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel()  # "not judged" under a missing number
        self.caption.setObjectName("scoreCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        self.caption.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(0)
        lay.addWidget(self.value)
        lay.addWidget(self.name)
        lay.addWidget(self.caption)
        self.setMinimumHeight(84)  # 20 pt value + name: never squeezed (the view scrolls instead)

    def set_tile(self, tile: Tile | None) -> None:
        self.tile = tile
        value = tile.value if tile is not None else None
        self.value.setText(tile.shown if tile is not None else "—")
        self.value.setStyleSheet(f"color: {score_colour(value).name()};")
        judged_nothing = tile is not None and value is None
        self.caption.setText("not judged" if judged_nothing else "")
        self.caption.setVisible(judged_nothing)
        self.setToolTip(breakdown_html(tile) if tile is not None else "")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit(self.key)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.key)
            return
        super().keyPressEvent(event)


class ScoreTiles(QWidget):
    """Six tiles in a row; clicking one shows its breakdown in ``panel`` below them.

    Test hooks: ``tiles[key]`` (``.value``, ``.caption``, ``.tile``, ``.toolTip()``),
    ``panel`` (a QLabel; hidden until a tile is clicked), ``open_key``, ``toggle(key)``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, ScoreTile] = {}
        self.open_key: str | None = None
        self.columns = 0
        self._grid = grid = QGridLayout()
        grid.setSpacing(6)
        grid.setContentsMargins(0, 0, 0, 0)
        for key, title in TITLES.items():
            tile = ScoreTile(key, title)
            tile.activated.connect(self.toggle)
            self.tiles[key] = tile
        self._reflow(len(self.tiles))
        hint = QLabel("Click a score to see what went into it.")
        hint.setObjectName("hint")
        self.panel = QLabel()
        self.panel.setObjectName("breakdown")
        self.panel.setTextFormat(Qt.TextFormat.RichText)
        self.panel.setWordWrap(True)
        self.panel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.panel.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        # the width is ours to decide (the tiles reflow); minimumSizeHint says how narrow
        lay.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        lay.addLayout(grid)
        lay.addWidget(hint)
        lay.addWidget(self.panel)

    def _reflow(self, columns: int) -> None:
        """Lay the tiles out in rows of ``columns`` (6, 3 or 2: the rows stay even)."""
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles.values():
            self._grid.removeWidget(tile)
        for col in range(6):
            self._grid.setColumnStretch(col, 1 if col < columns else 0)
        for i, tile in enumerate(self.tiles.values()):
            self._grid.addWidget(tile, i // columns, i % columns)
        self.updateGeometry()  # rows changed: the parent gives us a new height

    def _columns_for(self, width: int) -> int:
        widest = max(t.minimumSizeHint().width() for t in self.tiles.values()) + 8
        for columns in (6, 3, 2):
            if columns * widest + (columns - 1) * self._grid.spacing() <= width:
                return columns
        return 2

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API): two columns at the least
        widest = max(t.minimumSizeHint().width() for t in self.tiles.values()) + 8
        hint = super().minimumSizeHint()
        return QSize(2 * widest + self._grid.spacing(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self._reflow(self._columns_for(event.size().width()))
        super().resizeEvent(event)

    def show_scores(self, data: Mapping[str, Any] | None) -> None:
        """Fill the tiles from an analysis dict (None or {} = empty tiles)."""
        for t in tiles(data) if data else []:
            self.tiles[t.key].set_tile(t)
        if not data:
            for tile in self.tiles.values():
                tile.set_tile(None)
        if self.open_key is not None and data:
            self._show_panel(self.open_key)
        else:
            self.open_key = None
            self.panel.hide()

    def toggle(self, key: str) -> None:
        """Show ``key``'s breakdown below the tiles, or hide it when it is already shown."""
        if self.open_key == key or self.tiles[key].tile is None:
            self.open_key = None
            self.panel.hide()
            self._mark_open()
            return
        self._show_panel(key)

    def _show_panel(self, key: str) -> None:
        tile = self.tiles[key].tile
        if tile is None:
            return
        self.open_key = key
        self.panel.setText(breakdown_html(tile))
        self.panel.show()
        self._mark_open()

    def _mark_open(self) -> None:
        for key, tile in self.tiles.items():
            tile.setProperty("open", key == self.open_key)
            tile.style().unpolish(tile)
            tile.style().polish(tile)
