"""Where things are in a question pack's TOML text, so every problem names its line.

:class:`PackSource` indexes the text once (table headers and each table's keys, skipping
multi-line strings), so each lookup is a dictionary read and loading stays linear in the size
of the pack.
"""

from __future__ import annotations

import re


class PackSource:
    """Where table headers and keys are in the TOML source, skipping multi-line strings.

    One pass indexes every header and every table's keys, so each lookup is a dictionary read
    and loading stays linear in the size of the pack (a rescan per question made a 4,000-question
    pack take half a minute).
    """

    _TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
    _KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
    _QUOTES = re.compile(r'"""|\'\'\'')

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.code: list[bool] = []  # False for lines that start inside a multi-line string
        self._tables: dict[str, list[int]] = {}  # header name -> its 1-based lines, in order
        self._keys: dict[int, dict[str, int]] = {0: {}}  # table line (0: top) -> key -> line
        inside: str | None = None
        table = 0
        for number, line in enumerate(self.lines, 1):
            self.code.append(inside is None)
            if inside is None:
                header = self._header_of(line)
                if header is not None:
                    self._tables.setdefault(header, []).append(number)
                    table = number
                    self._keys[table] = {}
                else:
                    key = self._key_of(line)
                    if key is not None:
                        self._keys[table].setdefault(key, number)
            for m in self._QUOTES.finditer(line):
                if inside is None:
                    inside = m.group()
                elif m.group() == inside:
                    inside = None

    @classmethod
    def _header_of(cls, line: str) -> str | None:
        m = cls._TABLE.match(line) if "[" in line else None
        return m.group(1).strip().strip("\"'") if m else None

    @classmethod
    def _key_of(cls, line: str) -> str | None:
        m = cls._KEY.match(line)
        return next(g for g in m.groups() if g) if m else None

    def key_at(self, line: int) -> str | None:
        """The key assigned on a 1-based line, if any."""
        if 1 <= line <= len(self.lines) and self.code[line - 1]:
            return self._key_of(self.lines[line - 1])
        return None

    def table(self, name: str, nth: int = 0) -> int | None:
        """1-based line of the nth (0-based) ``[name]`` / ``[[name]]`` header."""
        lines = self._tables.get(name, ())
        return lines[nth] if 0 <= nth < len(lines) else None

    def key(self, name: str, start: int | None) -> int | None:
        """1-based line of ``name =`` in the table starting at ``start`` (None: top level)."""
        keys = self._keys.get(start or 0)
        if keys is not None:
            return keys.get(name)
        # ``start`` is not a header (a malformed pack's fallback line): scan to the next header
        for i in range(start or 0, len(self.lines)):
            if not self.code[i]:
                continue
            if self._header_of(self.lines[i]) is not None:
                break
            if self._key_of(self.lines[i]) == name:
                return i + 1
        return None


def syntax_line(exc: Exception, src: PackSource) -> int | None:
    lineno = getattr(exc, "lineno", None)  # Python >= 3.14 sets it
    if isinstance(lineno, int):
        return lineno
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc):
        return max(len(src.lines), 1)
    return None
