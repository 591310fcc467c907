"""Reading FHIR input files entry by entry: Bundles, lone resources and NDJSON.

Every resource is read by fhir_common.fhir_json, so decimals keep their digits ("1.50" stays
"1.50"). Files up to STREAM_ABOVE bytes are parsed whole (fast); larger Bundles, and Bundles
that do not parse whole, are read entry by entry from their bytes (app.clinical.imports.stream)
so memory stays bounded for a 1 GB export and one broken entry costs only itself. Whatever
cannot be read becomes an Entry with a short sentence naming what was wrong, so the caller
reports it and goes on with the rest. With its entries comes the file's index
(app.clinical.imports.index): what must be known of the whole file before any is written.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson

from app.clinical.imports.index import FileIndex
from app.clinical.imports.report import json_kind, shown
from app.clinical.imports.stream import MAX_NESTING, scan
from app.errors import UsageError
from fhir_common import fhir_json

SUFFIXES = (".json", ".ndjson", ".jsonl")
STREAM_ABOVE = 32 * 1024 * 1024
MAX_RESOURCE_BYTES = 16 * 1024 * 1024
PATIENT_MARK = re.compile(rb'"resourceType"\s*:\s*"Patient"')
CONDITIONAL_REFERENCE = re.compile(rb'"reference"\s*:\s*"[A-Z][A-Za-z]*\?')
SNIFF_BYTES = 4096
READ_ERRORS = (fhir_json.JSONDecodeError, RecursionError)  # json recurses ~1,000 levels deep


class Entry(NamedTuple):
    """One entry as read (a NamedTuple: an import makes one per record, and a frozen
    dataclass took three times as long to make)."""
    source: Path
    index: int  # entry index in a Bundle, line number in NDJSON, 0 for a lone resource
    resource: dict | None
    full_url: str | None = None
    error: str | None = None
    file: FileIndex | None = None  # what the whole file (or NDJSON line) holds, shared
    method: str | None = None  # the Bundle entry's request method (POST creates only)
    in_bundle: int | None = None  # for a Bundle on an NDJSON line: its place in that Bundle

    @property
    def place(self) -> int:
        """Where `file` knows this entry from."""
        return self.index if self.in_bundle is None else self.in_bundle


@dataclass(frozen=True)
class FileReading:
    index: FileIndex
    entries: Iterator[Entry]


def input_files(paths: list[Path]) -> list[Path]:
    """Files named and FHIR files inside directories; files holding patients come last,
    so the organisations and practitioners they reference are there first."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES
                            and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path} does not exist; nothing was imported.")
    return sorted(files, key=holds_patients)


def holds_patients(path: Path) -> bool:
    return _mentions(path, PATIENT_MARK)


def read_entries(path: Path) -> Iterator[Entry]:
    return read_file(path).entries


def read_file(path: Path) -> FileReading:
    if problem := _unreadable(path):
        return _refused(path, 0, problem)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        index = (_ndjson_index(path) if _mentions(path, CONDITIONAL_REFERENCE, b"?")
                 else FileIndex())
        return FileReading(index, _ndjson(path, index))
    if path.stat().st_size > STREAM_ABOVE:
        return _streamed(path, None)
    document, problem = _load(path.read_bytes())
    if problem:
        return _streamed(path, problem)  # a Bundle keeps its readable entries
    return _document(path, document)


def _load(data: bytes) -> tuple[object, str | None]:
    try:
        return fhir_json.loads(data), None
    except READ_ERRORS as exc:
        if isinstance(exc, RecursionError) or "depth" in str(exc):
            return None, f"not valid JSON (nested more than {MAX_NESTING:,} levels deep)"
        return None, f"not valid JSON ({shown(str(exc), 120)})"


def _refused(path: Path, index: int, reason: str) -> FileReading:
    return FileReading(FileIndex(), iter([Entry(path, index, None, error=reason)]))


def _mentions(path: Path, pattern: re.Pattern, needle: bytes = b"") -> bool:
    """Whether the file holds `pattern` anywhere; `needle`, a byte every match holds, spares
    the pattern's search of a stretch without it (a file is read whole for a conditional
    reference, whose "?" few records hold)."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            if (needle in chunk or needle in tail) and pattern.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _unreadable(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        return "empty file"
    if b"\0" in head:
        return "binary file, not FHIR JSON"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            return "not UTF-8 text, not FHIR JSON"
    return None


def _document(path: Path, document) -> FileReading:
    if not isinstance(document, dict) or "resourceType" not in document:
        return _refused(path, 0, "not a FHIR resource (no resourceType)")
    if document["resourceType"] != "Bundle":
        index = FileIndex()
        return FileReading(index, iter([Entry(path, 0, document, file=index)]))
    if problem := _unsupported_bundle(document.get("type")):
        return _refused(path, 0, problem)
    entries = document.get("entry", [])
    if not isinstance(entries, list):
        return _refused(path, 0, f"the Bundle's entry is {json_kind(entries)}, not a list; "
                                 "nothing imported")
    index = FileIndex()
    for number, entry in enumerate(entries):
        index.add_entry(number, entry)
    return FileReading(index, (_bundle_entry(path, number, entry, index)
                               for number, entry in enumerate(entries)))


def _bundle_entry(path: Path, index: int, entry, file: FileIndex) -> Entry:
    if problem := _malformed(entry):
        return Entry(path, index, None, error=problem)
    method = (entry.get("request") or {}).get("method")
    if entry.get("resource") is None:
        reason = f"{shown(method)} entries are not imported" if method else "entry has no resource"
        return Entry(path, index, None, error=reason)
    return Entry(path, index, entry["resource"], entry.get("fullUrl"), file=file, method=method)


def _malformed(entry) -> str | None:
    """A sentence for an entry whose parts are of the wrong JSON type."""
    if not isinstance(entry, dict):
        return f"entry is {json_kind(entry)}, not an object"
    wanted = [("fullUrl", entry.get("fullUrl"), str), ("request", entry.get("request"), dict),
              ("resource", entry.get("resource"), dict)]
    request = entry.get("request")
    if isinstance(request, dict):
        wanted += [(f"request.{name}", request.get(name), str)
                   for name in ("method", "url", "ifNoneExist")]
    for name, value, kind in wanted:
        if value is not None and not isinstance(value, kind):
            return f"{name} is {json_kind(value)}, not {'a string' if kind is str else 'an object'}"
    return None


def _unsupported_bundle(kind) -> str | None:
    if kind in ("history", "transaction-response", "batch-response"):
        return f"a {kind} Bundle is not imported; import the resources themselves"
    return None


def _streamed(path: Path, whole: str | None) -> FileReading:
    """A Bundle read entry by entry; `whole` is why it did not parse whole, if it was tried."""
    index = FileIndex()

    def indexed(number: int, raw: bytes) -> None:
        try:
            index.add_entry(number, orjson.loads(raw))
        except orjson.JSONDecodeError:
            pass  # reported when the entry itself is read

    scanned = scan(path, MAX_RESOURCE_BYTES, indexed)
    kind = scanned.top.get("resourceType")
    if kind != "Bundle":
        early = scanned.problem[1] if scanned.problem and kind is None else None
        return _refused(path, 0, whole or early or (_too_large() if kind else
                                                    "not a FHIR resource (no resourceType)"))
    if problem := _unsupported_bundle(scanned.top.get("type")):
        return _refused(path, 0, problem)
    return FileReading(index, _scanned_entries(path, scanned, index))


def _scanned_entries(path: Path, scanned, index: FileIndex) -> Iterator[Entry]:
    for number, raw, error in scanned.entries(path):
        if error:
            yield Entry(path, number, None, error=error)
            continue
        entry, problem = _load(raw)
        yield Entry(path, number, None, error=problem) if problem else _bundle_entry(
            path, number, entry, index)


def _ndjson_index(path: Path) -> FileIndex:
    """Only for a file with conditional references: the identifiers they may match."""
    index = FileIndex()
    for number, line in _lines(path):
        try:
            resource = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(resource, dict):
            index.add_resource(number, resource)
    return index


def _lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of each non-blank line; None for one larger than a resource may be."""
    with open(path, "rb") as f:
        number = 0
        while line := f.readline(MAX_RESOURCE_BYTES + 1):
            number += 1
            if len(line) > MAX_RESOURCE_BYTES and not line.endswith(b"\n"):
                while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield number, None
            elif line.strip():
                yield number, line


def _ndjson(path: Path, index: FileIndex) -> Iterator[Entry]:
    for number, line in _lines(path):
        if line is None:
            yield Entry(path, number, None, error=_too_large())
            continue
        resource, problem = _load(line)
        if problem:
            yield Entry(path, number, None, error=f"line {number} is {problem}")
        elif isinstance(resource, dict) and resource.get("resourceType") != "Bundle":
            yield Entry(path, number, resource, file=index)
        else:  # a Bundle on one line, or not a resource: its entries carry the line number
            for entry in _document(path, resource).entries:
                yield Entry(path, number, entry.resource, entry.full_url, entry.error,
                            entry.file, entry.method, entry.index)


def _too_large() -> str:
    return f"a single resource larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB is not imported"
