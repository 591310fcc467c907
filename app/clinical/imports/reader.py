"""The reading half of an import, run in its worker process (app.clinical.imports.worker).

Each file is read entry by entry with its index (app.clinical.imports.fhir_input). Every
resource is given a stable id, checked, and made ready to store (app.clinical.imports.prepare:
references resolved, validated, serialised, index rows made); conditional creates and updates
are decided as a FHIR server decides them (app.clinical.imports.conditional). Of the
versions of a record a file holds, the newest valid one wins (meta.versionId, then
meta.lastUpdated; equal: the later entry) and the report says so, whether or not the
entries fell in the same batch: a batch compares its versions in memory, and each batch
is weighed against the versions earlier batches sent (app.clinical.imports.repeats, on
disk), so memory holds one batch whatever the size of the file. The batches go to the
writer with what the report says of their entries, in the order the entries were read.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection

from app.clinical.fhir.identity import FHIR_ID, resource_id
from app.clinical.imports.conditional import Decision, decide_requests
from app.clinical.imports.fhir_input import Entry, FileReading, read_file
from app.clinical.imports.guard import order, stamp
from app.clinical.imports.index import FileIndex
from app.clinical.imports.prepare import (
    NO_FILE,
    TOO_DEEP,
    Prepared,
    compact,
    marked,
    prepare,
    refusal,
)
from app.clinical.imports.references import References
from app.clinical.imports.repeats import Sent, SentVersions
from app.clinical.imports.report import json_kind, shown
from fhir_common import fhir_json


class Said(NamedTuple):
    """What the report says of one entry: ("skip" | "warn" | "unresolved", sentence), or
    ("unchanged" | "kept", None) for what is only counted."""
    source: Path
    index: int
    kind: str
    sentence: str | None


class Item(NamedTuple):
    """An entry of a batch: where it is, and the record ready to store."""
    source: Path
    index: int
    prepared: Prepared
    said: list[tuple[str, str]]


class Batch(NamedTuple):
    said: list[Said]  # of entries read before this batch was sent, in order
    items: list[Item]
    entries: int  # read so far
    file: tuple[int, Path] | None  # the file being read, for the progress bar


class FileStarted(NamedTuple):
    said: list[Said]
    done: int
    path: Path
    entries: int


class Finished(NamedTuple):
    said: list[Said]
    entries: int


class _Candidate(NamedTuple):
    entry: Entry
    resource: dict
    body: bytes
    meta: tuple

    @property
    def key(self) -> tuple[str, str]:
        return self.resource["resourceType"], self.resource["id"]


def read_all(files: list[Path], batch_size: int, mark: str,
             reading: Callable[[], AbstractContextManager[Connection]]) -> Iterator[object]:
    """FileStarted, Batch ... and Finished, for the writer; `reading` reads the store as
    the writer has written it so far."""
    run = _Reader(batch_size, mark, reading)
    try:
        for done, path in enumerate(files):
            yield FileStarted(run.taken(), done, path, run.entries)
            yield from run.file(read_file(path), done, path)
        yield from run.flush(None, last=True)
        yield Finished(run.taken(), run.entries)
    finally:
        run.sent.close()


class _Reader:
    """The batch being gathered, and what the current batch has had of each record."""

    def __init__(self, batch_size: int, mark: str,
                 reading: Callable[[], AbstractContextManager[Connection]]):
        self.batch_size, self.mark, self.reading = batch_size, mark, reading
        self.mark_json = fhir_json.dumps(mark)
        self.references = References(reading)
        self.entries = 0
        self.said: list[Said] = []
        self.batch: dict[tuple[str, str], Item] = {}
        self.newest: dict[tuple[str, str], Sent] = {}  # this batch's, by key
        self.sent = SentVersions()  # earlier batches'
        self.decided: tuple[FileIndex | None, dict[int, Decision]] = (None, {})

    def taken(self) -> list[Said]:
        said, self.said = self.said, []
        return said

    def file(self, reading: FileReading, done: int, path: Path) -> Iterator[Batch]:
        for entry in reading.entries:
            self.entries += 1
            candidate = self._accept(entry)
            if candidate is None:
                continue
            key = candidate.key
            if len(self.batch) >= self.batch_size or (
                    key in self.batch and self.batch[key].source != entry.source):
                yield from self.flush((done, path))  # one version of a record per batch
            version = self._version(candidate)
            earlier = self.newest.get(key)
            if earlier is not None and self._refused(key):
                earlier = None  # the batch's version of the record was invalid: it is gone
            if earlier is not None and earlier.content == version.content:
                self._say(entry, "unchanged")  # Synthea repeats a hospital in every bundle
                continue
            prepared, said = prepare(entry, candidate.resource, candidate.body, candidate.meta,
                                     self.mark_json, self.references)
            if prepared is not None and earlier is not None and (
                    refused := refusal(prepared, self.mark_json)):  # a repeat is checked now
                prepared, said = None, [*said, ("skip", refused)]
            if prepared is None:  # refused: an earlier valid version stays
                for kind, sentence in said:
                    self._say(entry, kind, sentence)
                continue
            if earlier is not None and not self._newer(key, entry, version, earlier):
                continue
            self.batch[key] = Item(entry.source, entry.index, prepared, said)
            self.newest[key] = version

    def flush(self, file: tuple[int, Path] | None, last: bool = False) -> Iterator[Batch]:
        """Send the batch, without the versions older than one an earlier batch sent."""
        if not self.batch:
            return
        for key in list(self.batch):  # validated together: faster than one by one
            self._refused(key)
        keys = {(str(item.source), *key): key for key, item in self.batch.items()}
        for where, earlier in self.sent.earlier(list(keys)).items():
            key = keys[where]
            item, version = self.batch[key], self.newest[key]
            entry = Entry(item.source, item.index, None)
            if version.content == earlier.content:
                self._say(entry, "unchanged")
            elif self._newer(key, entry, version, earlier, written=True):
                continue
            del self.batch[key], keys[where]
        if not last:
            self.sent.remember({where: self.newest[key] for where, key in keys.items()})
        if self.batch:
            yield Batch(self.taken(), list(self.batch.values()), self.entries, file)
        self.batch, self.newest = {}, {}

    def _refused(self, key: tuple[str, str]) -> bool:
        """Whether FHIR R4 validation refuses the batch's version of the record; if so, it
        leaves the batch, and the report says why."""
        item = self.batch[key]
        refused = refusal(item.prepared, self.mark_json)
        if refused:
            for kind, sentence in [*item.said, ("skip", refused)]:
                self._say(Entry(item.source, item.index, None), kind, sentence)
            del self.batch[key], self.newest[key]
        return refused is not None

    def _accept(self, entry: Entry) -> _Candidate | None:
        """Give the entry its id and compact JSON; refuse what cannot be stored."""
        if entry.error:
            return self._say(entry, "skip", entry.error)
        resource = entry.resource
        if not isinstance(resource.get("resourceType"), str):
            return self._say(entry, "skip", "no resourceType")
        decision = self._decision(entry)
        if decision.refusal:
            return self._say(entry, "skip", decision.refusal)
        if decision.note:  # ifNoneExist matched: the record is already here
            self._say(entry, "unchanged")
            return self._say(entry, "warn", decision.note)
        file = entry.file or NO_FILE
        if note := file.notes.get(entry.place):  # another server's record of the same Type/id
            self._say(entry, "warn", note)
        try:
            resource["id"] = (decision.reference.partition("/")[2] if decision.reference
                              else file.renamed.get(entry.place)
                              or resource_id(resource, entry.full_url))
            rid = resource["id"]
            if not isinstance(rid, str) or not FHIR_ID.fullmatch(rid):
                what = repr(shown(rid)) if isinstance(rid, str) else json_kind(rid)
                return self._say(entry, "skip", f"{what} is not a valid FHIR id")
            meta = marked(resource, self.mark)
            return _Candidate(entry, resource, compact(resource), meta)
        except TypeError:  # orjson: "Recursion limit reached"
            return self._say(entry, "skip", TOO_DEEP)

    def _decision(self, entry: Entry) -> Decision:
        file = entry.file or NO_FILE
        if not file.requests:
            return Decision()
        if self.decided[0] is not file:
            with self.reading() as conn:
                self.decided = (file, decide_requests(conn, file))
        return self.decided[1].get(entry.place, Decision())

    def _version(self, candidate: _Candidate) -> Sent:
        meta = candidate.meta
        return Sent(candidate.entry.index,
                    stamp({"meta": {"versionId": _version_id(candidate.resource),
                                    "lastUpdated": meta[0] if meta else None}}),
                    hashlib.blake2b(candidate.body + repr(meta).encode(),
                                    digest_size=16).digest())

    def _newer(self, key: tuple[str, str], entry: Entry, version: Sent, earlier: Sent,
               written: bool = False) -> bool:
        """Whether this version replaces the earlier one of the same record (`written`:
        in the store already, where it is replaced); the report says which was kept."""
        newer, _ = order(version.stamp, earlier.stamp)
        kept = entry.index if newer >= 0 else earlier.index
        self._say(entry, "warn", f"{key[0]}/{shown(key[1])} appears in entries "
                                 f"{earlier.index} and {entry.index}; kept entry {kept}, the "
                                 f"{'later' if newer == 0 else 'newer'} version")
        if newer < 0 or not written:
            self._say(entry, "kept")  # this one, or the earlier one, is never written
        return newer >= 0

    def _say(self, entry: Entry, kind: str, sentence: str | None = None) -> None:
        self.said.append(Said(entry.source, entry.index, kind, sentence))


def _version_id(resource: dict):
    meta = resource.get("meta")
    return meta.get("versionId") if isinstance(meta, dict) else None
