"""Reading a Bundle entry by entry straight from its bytes: for files too large to parse
whole, and for any Bundle that does not parse whole, so one broken entry costs only itself.

A scan of the raw bytes finds where each element of the Bundle's `entry` list begins and
ends, following only strings and brackets, with regular expressions doing the byte work
(four times faster than the ijson event stream it replaced, which also lost decimal digits
and built a prefix string per nesting level: 8 GiB for a 50 MB deeply nested file). Each
entry is then parsed on its own by the caller, so an entry with bad UTF-8, NUL bytes or a
cut-off end is refused alone. Memory stays bounded by one entry: a larger entry is skipped
as it is scanned, and nesting deeper than any JSON reader here takes stops the scan.
"""

import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

# A string, a bracket, or a lone quote: a string the end of the buffer (or file) cuts.
TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|"')
BLANK = re.compile(rb"[ \t\r\n]*")
CHUNK = 1 << 20
MAX_NESTING = 1024  # orjson reads no deeper, so an entry nested deeper cannot be read at all
ENTRY_DEPTH = 3  # the Bundle object, its entry list, the entry
QUOTE, OPEN_OBJECT, OPEN_LIST, COLON = b'"'[0], b"{"[0], b"["[0], b":"[0]
MORE, STOP, DONE = "more", "stop", "done"
CUT_ENTRY = "not valid JSON: the file ends inside this entry (cut short?)"
CUT_BUNDLE = "not valid JSON: the file ends before the Bundle does (cut short?)"
TOO_DEEP = (f"nested more than {MAX_NESTING:,} levels deep; the rest of this file could not "
            "be read")


@dataclass
class Scan:
    """Where each entry lies, what could not be read, and the Bundle's own elements."""
    top: dict[str, str] = field(default_factory=dict)  # resourceType and type
    starts: array = field(default_factory=lambda: array("q"))  # -1: see errors
    ends: array = field(default_factory=lambda: array("q"))
    errors: dict[int, str] = field(default_factory=dict)
    problem: tuple[int, str] | None = None  # the file itself is broken from entry N on

    def entries(self, path: Path) -> Iterator[tuple[int, bytes | None, str | None]]:
        """(entry, its JSON, None) or (entry, None, why it cannot be read), in file order."""
        with open(path, "rb") as f:
            for index, (start, end) in enumerate(zip(self.starts, self.ends, strict=True)):
                if start < 0:
                    yield index, None, self.errors[index]
                else:
                    f.seek(start)
                    yield index, f.read(end - start), None
        if self.problem:
            yield self.problem[0], None, self.problem[1]


def scan(path: Path, max_entry: int, on_entry: Callable[[int, bytes], None]) -> Scan:
    """Scan a Bundle file; `on_entry` sees each readable entry's bytes as it is found."""
    with open(path, "rb") as f:
        return _Scanner(f, max_entry, on_entry).run()


class _Scanner:
    def __init__(self, f, max_entry: int, on_entry: Callable[[int, bytes], None]):
        self.f, self.max_entry, self.on_entry = f, max_entry, on_entry
        self.buf, self.base, self.pos, self.eof = bytearray(), 0, 0, False
        self.depth, self.key, self.opens_entries, self.in_entries = 0, None, False, False
        self.index, self.element, self.too_large, self.gap = -1, None, False, 0
        self.closed = False
        self.scan = Scan()

    def run(self) -> Scan:
        while True:
            chunk = self.f.read(CHUNK)
            self.eof = not chunk
            self.buf += chunk
            if self._tokens() == STOP or self.eof:
                break
            self._compact()
            if self._stopped():
                break
        if not self._stopped():
            self._ended()
        return self.scan

    def _tokens(self) -> str:
        buf, base = self.buf, self.base
        for match in TOKEN.finditer(buf, self.pos):
            start, end = match.span()
            char = buf[start]
            if char == QUOTE:
                if end - start == 1 or (self.depth == 1 and not self._top_string(start, end)):
                    self.pos = start
                    return MORE if not self.eof else DONE
                if self.depth == 2 and self.in_entries:
                    self._scalar(base + start, base + end, "a string")
                if self._stopped():
                    return STOP
            elif char in (OPEN_OBJECT, OPEN_LIST):
                if not self._open(char, base + start):
                    return STOP
            elif not self._close(base + start, base + end):
                return STOP
        self.pos = len(buf)
        return DONE

    def _stopped(self) -> bool:
        return self.scan.problem is not None

    def _top_string(self, start: int, end: int) -> bool:
        """A key or a value of the Bundle itself; False when the buffer ends too soon."""
        after = BLANK.match(self.buf, end).end()
        if after >= len(self.buf) and not self.eof:
            return False
        if after < len(self.buf) and self.buf[after] == COLON:
            value_at = BLANK.match(self.buf, after + 1).end()
            if value_at >= len(self.buf) and not self.eof:
                return False
            self.key = _text(self.buf[start:end])
            if self.key == "entry":
                first = bytes(self.buf[value_at:value_at + 1])
                if first != b"[":
                    self._problem(0, f"the Bundle's entry is {_kind(first)}, not a "
                                     "list; nothing imported")
                self.opens_entries = True
        elif self.key in ("resourceType", "type") and self.key not in self.scan.top:
            self.scan.top[self.key] = _text(self.buf[start:end]) or ""
        return True

    def _open(self, char: int, at: int) -> bool:
        self.depth += 1
        if self.closed:
            self._problem(self.index + 1, "not valid JSON: more follows the end of the Bundle")
        elif self.depth == 1 and char != OPEN_OBJECT:
            self._problem(0, "not a FHIR resource (no resourceType)")
        elif self.depth > MAX_NESTING + ENTRY_DEPTH - 1:
            self._problem(self.index if self.element else self.index + 1, TOO_DEEP)
        elif self.depth == 2:
            if self.opens_entries:  # the key's value was seen to be a list
                self.in_entries, self.gap = True, at + 1
            self.opens_entries = False
        elif self.depth == ENTRY_DEPTH and self.in_entries:
            self._gap_scalars(at)
            self.index += 1
            self.element, self.too_large = (at, char == OPEN_OBJECT), False
        return not self._stopped()

    def _close(self, start: int, end: int) -> bool:
        self.depth -= 1
        if self.depth < 0:
            self._problem(self.index + 1, "not valid JSON: a bracket closes nothing")
        elif self.depth == 2 and self.in_entries and self.element is not None:
            self._entry(end)
        elif self.depth == 1 and self.in_entries:
            self._gap_scalars(start)
            self.in_entries = False
        self.closed = self.depth == 0
        return not self._stopped()

    def _entry(self, end: int) -> None:
        start, is_object = self.element
        self.element, self.gap = None, end
        if not is_object:
            self._error("entry is an array, not an object")
        elif self.too_large or end - start > self.max_entry:
            self._error(f"a single resource larger than {self.max_entry // (1 << 20)} MB is not "
                        "imported")
        else:
            self.scan.starts.append(start)
            self.scan.ends.append(end)
            self.on_entry(self.index, bytes(self.buf[start - self.base:end - self.base]))

    def _scalar(self, start: int, end: int, kind: str) -> None:
        self._gap_scalars(start)
        self.index += 1
        self._error(f"entry is {kind}, not an object")
        self.gap = end

    def _gap_scalars(self, upto: int) -> None:
        """Numbers, true, false or null between entries: each is an entry, and not one."""
        between = bytes(self.buf[self.gap - self.base:upto - self.base])
        for piece in between.split(b","):
            if piece := piece.strip():
                self.index += 1
                self._error(f"entry is {_kind(piece)}, not an object")

    def _error(self, reason: str) -> None:
        self.scan.starts.append(-1)
        self.scan.ends.append(-1)
        self.scan.errors[self.index] = reason

    def _problem(self, index: int, reason: str) -> None:
        self.scan.problem = (index, reason)

    def _compact(self) -> None:
        """Drop what was scanned, keeping the current entry (unless too large) and the bytes
        between entries, which may hold entries that are not objects."""
        keep = self.pos
        if self.element is not None:
            if self.base + len(self.buf) - self.element[0] > self.max_entry:
                self.too_large = True
            if not self.too_large:
                keep = min(keep, self.element[0] - self.base)
        elif self.in_entries:
            if self.base + len(self.buf) - self.gap > self.max_entry:
                self._problem(self.index + 1, "the Bundle's entry list holds more than entries; "
                                              "the rest of this file could not be read")
            keep = min(keep, self.gap - self.base)
        del self.buf[:keep]
        self.base += keep
        self.pos -= keep

    def _ended(self) -> None:
        if self.element is not None:
            self.scan.errors[self.index] = CUT_ENTRY
            self.scan.starts.append(-1)
            self.scan.ends.append(-1)
        elif self.depth > 0:
            self._problem(self.index + 1, CUT_BUNDLE)


def _text(token: bytes | bytearray) -> str | None:
    try:
        return orjson.loads(bytes(token))
    except orjson.JSONDecodeError:
        return None


def _kind(value: bytes) -> str:
    """What a JSON value is, from its first byte ("an object", "a number", "null")."""
    kinds = {b"{": "an object", b"[": "an array", b'"': "a string", b"n": "null", b"t": "true",
             b"f": "false"}
    first = value[:1]
    if not first:
        return "missing"
    if first in kinds:
        return kinds[first]
    return "a number" if first in b"-0123456789" else "not valid JSON"
