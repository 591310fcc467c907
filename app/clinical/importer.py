"""`hearth import`: bring FHIR records from another system into the store.

Every resource is read, given a stable id, its references resolved, validated against
FHIR R4, and written with its outbox entry (an import is a local change to upload) and an
audit row per patient, one transaction per batch. One bad resource is reported with its
file, entry and reason, and skipped; the rest imports. Re-importing changes nothing.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from app.clinical.fhir_input import Entry, input_files, read_entries
from app.clinical.identity import FHIR_ID, resource_id
from app.clinical.references import rewrite_references, urn_references
from app.clinical.validation import validation_errors
from app.security import audit
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource, put_resources, types_by_id
from app.store.signed_notes import signed_note_refusal
from app.store.store import Store
from sync.compartment import patient_of

# Resources per transaction. Ids are random UUIDs, so each batch touches index pages all
# over the file; larger batches write each page once for more rows (ingest at 60,000
# patients: 4,700/s at 1,000, 5,350/s at 5,000). A batch holds the write lock about 1 s.
BATCH = 5000
MAX_LISTED = 1000  # problems listed in a report; the rest are only counted


@dataclass(frozen=True)
class Problem:
    file: str
    entry: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def skip(self, entry: Entry, reason: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(Problem(str(entry.source), entry.index, reason))

    def warn(self, entry: Entry, reason: str) -> None:
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Problem(str(entry.source), entry.index, reason))

    def as_json(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged, "skipped": self.skipped,
                "errors": [p.__dict__ for p in self.errors],
                "warnings": [p.__dict__ for p in self.warnings]}


@dataclass(frozen=True)
class Progress:
    files_done: int
    files: int
    entries: int
    current: Path | None


class Importer:
    def __init__(self, store: Store, batch_size: int = BATCH):
        self._store = store
        self._batch_size = batch_size

    def run(self, session: Session, paths: list[Path],
            progress: Callable[[Progress], None] = lambda _: None) -> ImportReport:
        session.require(Permission.IMPORT_RECORDS)
        files = input_files(paths)
        report, entries = ImportReport(), 0
        batch: list[Entry] = []
        batch_keys: set[tuple[str, str]] = set()
        for done, path in enumerate(files):
            progress(Progress(done, len(files), entries, path))
            seen: dict[tuple[str, str], int] = {}
            for entry in read_entries(path):
                entries += 1
                if not self._accept(entry, seen, report):
                    continue
                key = (entry.resource["resourceType"], entry.resource["id"])
                if len(batch) >= self._batch_size or key in batch_keys:
                    self._write(session, batch, report)  # one version of a record per batch
                    batch, batch_keys = [], set()
                    progress(Progress(done, len(files), entries, path))
                batch.append(entry)
                batch_keys.add(key)
        if batch:
            self._write(session, batch, report)
        progress(Progress(len(files), len(files), entries, None))
        with self._store.write() as conn:
            audit.append(conn, audit.event_for(
                session, "create", entity="Import",
                detail=f"{len(files)} files: {report.imported} imported, "
                       f"{report.unchanged} unchanged, {report.skipped} skipped"))
        return report

    @staticmethod
    def _accept(entry: Entry, seen: dict, report: ImportReport) -> bool:
        """Give the entry its stable id; refuse unreadable entries and duplicates."""
        if entry.error:
            report.skip(entry, entry.error)
            return False
        resource = entry.resource
        if not isinstance(resource.get("resourceType"), str):
            report.skip(entry, "no resourceType")
            return False
        resource["id"] = resource_id(resource, entry.full_url)
        if not isinstance(resource["id"], str) or not FHIR_ID.fullmatch(resource["id"]):
            report.skip(entry, f"{resource['id']!r} is not a valid FHIR id")
            return False
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            report.skip(entry, f"duplicate of entry {seen[key]} ({key[0]}/{key[1]})")
            return False
        seen[key] = entry.index
        return True

    def _write(self, session: Session, batch: list[Entry], report: ImportReport) -> None:
        bodies = [orjson.dumps(e.resource) for e in batch]
        with self._store.write() as conn:
            wanted = {ref for body in bodies for ref in urn_references(body)}
            in_store = types_by_id(conn, (ref.removeprefix("urn:uuid:") for ref in wanted))
            from_store = {f"urn:uuid:{rid}": f"{kind}/{rid}" for rid, kind in in_store.items()}
            resolved_by_file: dict[int, dict] = {}
            valid, create_only = [], set()
            for entry, body in zip(batch, bodies, strict=True):
                resolved = resolved_by_file.get(id(entry.urls))
                if resolved is None:
                    resolved = {**from_store, **(entry.urls or {})}
                    resolved_by_file[id(entry.urls)] = resolved
                rewritten, missing = rewrite_references(body, resolved)
                for urn in missing:
                    report.warn(entry, f"reference {urn} not found; kept as written")
                kind = entry.resource["resourceType"]
                if problems := validation_errors(kind, rewritten):
                    report.skip(entry, "; ".join(problems))
                    continue
                unchanged_json = rewritten is body  # nothing to resolve: no need to parse again
                resource = entry.resource if unchanged_json else orjson.loads(rewritten)
                stored = get_resource(conn, kind, resource["id"]) if (
                    kind == "DocumentReference") else None
                if stored is not None and (refusal := signed_note_refusal(stored, resource)):
                    report.skip(entry, refusal)  # the rest of the file still imports
                    continue
                valid.append((entry, resource))
                if entry.method == "POST":
                    create_only.add((kind, entry.resource["id"]))
            event = audit.event_for(session, "create")
            ops = put_resources(conn, [r for _, r in valid], session.user, event.at, create_only)
            written: dict[tuple[str | None, str], Counter] = defaultdict(Counter)
            for (entry, resource), op in zip(valid, ops, strict=True):
                if op == "unchanged":
                    report.unchanged += 1
                    continue
                report.imported += 1
                written[(patient_of(resource), entry.source.name)][resource["resourceType"]] += 1
            audit.append_many(conn, [audit.event_for(
                session, "create", patient=patient, entity=f"Import/{source}",
                detail=", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
                for (patient, source), kinds in written.items()])
