"""Where each key of a policy file stands: its line, so a fault names the line IT edits.

JSON parsers keep no positions, so this walks the text once more (after it parsed) and
records the line of every object key and array item by its path, e.g. ("sync", "server").
It also notes a key written twice in one object, which a parser silently settles by taking
the last: in a policy that hides which value is in force.
"""

import bisect
import json
import re
from dataclasses import dataclass

Path = tuple[str | int, ...]

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = json.JSONDecoder()


@dataclass(frozen=True)
class Repeated:
    """A key set twice in one object: where first, and where again (the one that counts)."""

    path: Path
    first_line: int
    line: int


@dataclass(frozen=True)
class KeyLines:
    lines: dict[Path, int]
    repeated: list[Repeated]

    def line_of(self, path: Path) -> int:
        """The line of `path`, else of its nearest parent that is in the file (line 1: the
        file as a whole)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


def key_lines(text: str) -> KeyLines:
    """The lines of every key and array item of `text`, which must already parse as JSON."""
    walker = _Walker(text)
    walker.value(0, ())
    return KeyLines(walker.lines, walker.repeated)


class _Walker:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[Path, int] = {}
        self.repeated: list[Repeated] = []

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def skip(self, pos: int) -> int:
        return _SPACE.match(self.text, pos).end()

    def value(self, pos: int, path: Path) -> int:
        """Walk the value starting at or after `pos`; returns the position after it."""
        pos = self.skip(pos)
        opener = self.text[pos]
        if opener == "{":
            return self.members(pos + 1, path)
        if opener == "[":
            return self.items(pos + 1, path)
        return _SCALAR.raw_decode(self.text, pos)[1]

    def members(self, pos: int, path: Path) -> int:
        first_lines: dict[str, int] = {}
        pos = self.skip(pos)
        if self.text[pos] == "}":
            return pos + 1
        while True:
            pos = self.skip(pos)
            key, after = json.decoder.scanstring(self.text, pos + 1)
            line = self.line(pos)
            if key in first_lines:
                self.repeated.append(Repeated(path + (key,), first_lines[key], line))
            first_lines.setdefault(key, line)
            self.lines[path + (key,)] = line  # the last one written counts, as when parsed
            pos = self.value(self.skip(after) + 1, path + (key,))  # + 1: past the colon
            pos = self.skip(pos)
            if self.text[pos] == "}":
                return pos + 1
            pos += 1  # the comma

    def items(self, pos: int, path: Path) -> int:
        index = 0
        pos = self.skip(pos)
        if self.text[pos] == "]":
            return pos + 1
        while True:
            pos = self.skip(pos)
            self.lines[path + (index,)] = self.line(pos)
            pos = self.skip(self.value(pos, path + (index,)))
            if self.text[pos] == "]":
                return pos + 1
            pos += 1
            index += 1
