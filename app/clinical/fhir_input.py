"""Reading FHIR input files entry by entry: Bundles, lone resources and NDJSON.

Files up to STREAM_ABOVE bytes are parsed whole with orjson (fast); larger Bundles are
streamed with ijson in two passes (fullUrl map, then entries), so memory stays bounded for
a 1 GB export. Whatever cannot be read becomes an Entry with an error naming the file and
the entry, so the caller reports it and goes on with the rest.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson
import orjson

from app.clinical.identity import resource_id
from app.errors import UsageError

SUFFIXES = (".json", ".ndjson", ".jsonl")
STREAM_ABOVE = 32 * 1024 * 1024
MAX_RESOURCE_BYTES = 16 * 1024 * 1024
PATIENT_MARK = re.compile(rb'"resourceType"\s*:\s*"Patient"')
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Entry:
    source: Path
    index: int  # entry index in a Bundle, line number in NDJSON, 0 for a lone resource
    resource: dict | None
    full_url: str | None = None
    error: str | None = None
    urls: dict[str, str] | None = None  # the file's fullUrl -> "Type/id" map, shared
    method: str | None = None  # the Bundle entry's request method (POST creates only)


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
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            if PATIENT_MARK.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def read_entries(path: Path) -> Iterator[Entry]:
    if problem := _unreadable(path):
        yield Entry(path, 0, None, error=problem)
        return
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        yield from _ndjson(path)
    elif path.stat().st_size > STREAM_ABOVE:
        yield from _streamed(path)
    else:
        try:
            document = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            yield Entry(path, 0, None, error=f"not valid JSON ({exc})")
            return
        yield from _document(path, document)


def bundle_url_map(entries: list[dict]) -> dict[str, str]:
    return {e["fullUrl"]: _local_reference(e["resource"], e["fullUrl"]) for e in entries
            if isinstance(e, dict) and e.get("fullUrl") and isinstance(e.get("resource"), dict)}


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


def _document(path: Path, document) -> Iterator[Entry]:
    if not isinstance(document, dict) or "resourceType" not in document:
        yield Entry(path, 0, None, error="not a FHIR resource (no resourceType)")
    elif document["resourceType"] != "Bundle":
        yield Entry(path, 0, document)
    elif problem := _unsupported_bundle(document.get("type")):
        yield Entry(path, 0, None, error=problem)
    else:
        entries = document.get("entry", [])
        urls = bundle_url_map(entries)
        for index, entry in enumerate(entries):
            yield _bundle_entry(path, index, entry, urls)


def _bundle_entry(path: Path, index: int, entry, urls: dict[str, str]) -> Entry:
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        method = (entry.get("request") or {}).get("method") if isinstance(entry, dict) else None
        reason = f"{method} entries are not imported" if method else "entry has no resource"
        return Entry(path, index, None, error=reason)
    method = (entry.get("request") or {}).get("method")
    return Entry(path, index, entry["resource"], entry.get("fullUrl"), urls=urls, method=method)


def _unsupported_bundle(kind) -> str | None:
    if kind in ("history", "transaction-response", "batch-response"):
        return f"a {kind} Bundle is not imported; import the resources themselves"
    return None


def _ndjson(path: Path) -> Iterator[Entry]:
    with open(path, "rb") as f:
        number = 0
        while line := f.readline(MAX_RESOURCE_BYTES + 1):
            number += 1
            if len(line) > MAX_RESOURCE_BYTES and not line.endswith(b"\n"):
                while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield Entry(path, number, None, error=_too_large())
                continue
            if not line.strip():
                continue
            try:
                resource = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Entry(path, number, None, error=f"line {number} is not valid JSON ({exc})")
                continue
            for entry in _document(path, resource):
                yield Entry(path, number, entry.resource, entry.full_url, entry.error, entry.urls,
                            entry.method)


def _streamed(path: Path) -> Iterator[Entry]:
    """A large file: first the fullUrl map and entry sizes, then entries one at a time."""
    urls, sizes, top = {}, {}, {}
    with open(path, "rb") as f:
        previous_end, current = 0, {}
        for prefix, event, value in ijson.parse(f, use_float=True):
            if prefix in ("resourceType", "type") and event == "string":
                top[prefix] = value
            elif prefix == "entry.item" and event == "start_map":
                current = {}
            elif prefix in ("entry.item.fullUrl", "entry.item.resource.resourceType",
                            "entry.item.resource.id") and event == "string":
                current[prefix.rsplit(".", 1)[1]] = value
            elif prefix == "entry.item" and event == "end_map":
                # ijson reads ahead in 64 KiB chunks: sizes are right to within a chunk.
                sizes[len(sizes)] = f.tell() - previous_end
                previous_end = f.tell()
                if "fullUrl" in current and "resourceType" in current:
                    resource = {"resourceType": current["resourceType"], "id": current.get("id")}
                    urls[current["fullUrl"]] = _local_reference(resource, current["fullUrl"])
    if top.get("resourceType") != "Bundle":
        yield Entry(path, 0, None, error=_too_large())
        return
    if problem := _unsupported_bundle(top.get("type")):
        yield Entry(path, 0, None, error=problem)
        return
    yield from _streamed_entries(path, urls, sizes)


def _streamed_entries(path: Path, urls: dict, sizes: dict) -> Iterator[Entry]:
    with open(path, "rb") as f:
        index, builder = -1, None
        for prefix, event, value in ijson.parse(f, use_float=True):
            if prefix == "entry.item" and event == "start_map":
                index += 1
                too_large = sizes.get(index, 0) > MAX_RESOURCE_BYTES
                builder = None if too_large else ijson.ObjectBuilder()
            if builder is not None and prefix.startswith("entry.item"):
                builder.event(event, value)
            if prefix == "entry.item" and event == "end_map":
                if builder is None:
                    yield Entry(path, index, None, error=_too_large())
                else:
                    yield _bundle_entry(path, index, builder.value, urls)


def _local_reference(resource: dict, full_url: str) -> str:
    """The `Type/id` that an entry's fullUrl stands for, with the id the import will give."""
    return f"{resource.get('resourceType')}/{resource_id(resource, full_url)}"


def _too_large() -> str:
    return f"a single resource larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB is not imported"
