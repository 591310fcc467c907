"""`hearth import`: bring FHIR records from another system into the store.

Each file is read entry by entry with its index (app.clinical.imports.fhir_input). Every resource is
given a stable id, checked, its references resolved (app.clinical.imports.references), validated
against FHIR R4, weighed against what the store holds (app.clinical.imports.guard), and
written with its outbox entry (an import is a local change to upload) and an audit row per
patient, one transaction per batch (the batch form of the write path, app.clinical.records).
Conditional creates and updates are decided as a FHIR server decides them
(app.clinical.imports.conditional). Within a file, the newest version of a
record wins (meta.versionId, then meta.lastUpdated; equal: the later entry) and the report
says so. One bad entry is reported with its file, entry and a short reason, and skipped;
the rest imports. Re-importing changes nothing.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.fhir.identity import FHIR_ID, resource_id
from app.clinical.imports.conditional import Decision, decide_requests
from app.clinical.imports.fhir_input import Entry, FileReading, input_files, read_file
from app.clinical.imports.guard import hold, judge, order, stamp
from app.clinical.imports.index import FileIndex
from app.clinical.imports.medication_review import ImportedMedication, review
from app.clinical.imports.references import References, apply
from app.clinical.imports.report import ImportReport, json_kind, shown
from app.clinical.imports.unscheduled import Imported, unscheduled
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.results.arrivals import file_results
from app.clinical.safety.check import SafetyChecks
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

# Resources per transaction. Ids are random UUIDs, so each batch touches index pages all
# over the file; larger batches write each page once for more rows (ingest at 60,000
# patients: 4,700/s at 1,000, 5,350/s at 5,000). A batch holds the write lock about 1 s.
BATCH = 5000
# Deeper than any real resource. orjson writes at most 254 levels, and sync wraps each
# resource in a Bundle; nesting a resource in PROBE lists while writing it makes orjson
# itself refuse one nested deeper than MAX_NESTING, at no extra cost.
MAX_NESTING = 200
PROBE = 254 - MAX_NESTING
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep; not a record Hearth can store"
NO_FILE = FileIndex()


@dataclass(frozen=True)
class Progress:
    files_done: int
    files: int
    entries: int
    current: Path | None


@dataclass
class Pending:
    """An entry accepted for writing, with its compact JSON."""
    entry: Entry
    resource: dict
    body: bytes

    @property
    def key(self) -> tuple[str, str]:
        return self.resource["resourceType"], self.resource["id"]


class Importer:
    """`safety` checks the imported medications (app.clinical.imports.medication_review);
    without it, the shipped catalogue and the store's packs."""

    def __init__(self, store: Store, batch_size: int = BATCH, feed: ChangeFeed | None = None,
                 safety: SafetyChecks | None = None):
        self._store = store
        self._records = Records(store, feed)
        self._batch_size = batch_size
        self._safety = safety or SafetyChecks(store, load_catalogue, SafetyPolicy())

    def run(self, session: Session, paths: list[Path],
            progress: Callable[[Progress], None] = lambda _: None) -> ImportReport:
        session.require(Permission.IMPORT_RECORDS)
        files = input_files(paths)
        run = _Run(self._store, self._records, self._batch_size, session)
        for done, path in enumerate(files):
            progress(Progress(done, len(files), run.entries, path))
            run.file(read_file(path), lambda done=done, path=path: progress(
                Progress(done, len(files), run.entries, path)))
        run.flush()
        progress(Progress(len(files), len(files), run.entries, None))
        report = run.report
        with self._records.write(session, Permission.IMPORT_RECORDS) as work:
            for one, sentence in unscheduled(work.conn, run.appointments):
                report.unscheduled_appointment(one, sentence)
            review(self._safety, work.conn, run.medications, report)
            work.audit("create", entity="Import",
                       detail=f"{len(files)} files: {report.imported} imported, "
                              f"{report.unchanged} unchanged, {report.kept} older than kept, "
                              f"{report.conflicts} held as conflicts, {report.skipped} skipped"
                              + (f", {len(report.unscheduled)} appointments on no calendar"
                                 if report.unscheduled else "")
                              + (f", {len(report.safety)} medication safety alerts"
                                 if report.safety else ""))
        return report


class _Run:
    """One import: the batch being gathered, and what the current file has had so far."""

    def __init__(self, store: Store, records: Records, batch_size: int, session: Session):
        self.store, self.records = store, records
        self.batch_size, self.session = batch_size, session
        self.report, self.entries = ImportReport(), 0
        self.batch: dict[tuple[str, str], Pending] = {}
        self.known_urns: dict[str, str] = {}  # urn:uuid -> "Type/id" found in the store
        self.appointments: list[Imported] = []  # written, to check they are on a calendar
        self.medications: list[ImportedMedication] = []  # written, to check for safety
        self.newest: dict[tuple[str, str], tuple[int, tuple, int]] = {}  # this file's, by key
        self.decided: tuple[FileIndex | None, dict[int, Decision]] = (None, {})

    def file(self, reading: FileReading, flushed: Callable[[], None]) -> None:
        self.newest = {}
        for entry in reading.entries:
            self.entries += 1
            pending = self._accept(entry)
            if pending is None or not self._newest(pending):
                continue
            key = pending.key
            if len(self.batch) >= self.batch_size or (
                    key in self.batch and self.batch[key].entry.source != entry.source):
                self.flush()  # one version of a record per batch
                flushed()
            self.batch[key] = pending

    def flush(self) -> None:
        if self.batch:
            with self.records.write(self.session, Permission.IMPORT_RECORDS) as work:
                _write(work, list(self.batch.values()), self.report, self.known_urns,
                       self.appointments, self.medications)
            self.batch = {}

    def _accept(self, entry: Entry) -> Pending | None:
        """Give the entry its id and compact JSON; refuse what cannot be stored."""
        if entry.error:
            return self._skip(entry, entry.error)
        resource = entry.resource
        if not isinstance(resource.get("resourceType"), str):
            return self._skip(entry, "no resourceType")
        decision = self._decision(entry)
        if decision.refusal:
            return self._skip(entry, decision.refusal)
        if decision.note:  # ifNoneExist matched: the record is already here
            self.report.unchanged += 1
            self.report.warn(entry, decision.note)
            return None
        file = entry.file or NO_FILE
        if note := file.notes.get(entry.place):  # another server's record of the same Type/id
            self.report.warn(entry, note)
        try:
            resource["id"] = (decision.reference.partition("/")[2] if decision.reference
                              else file.renamed.get(entry.place)
                              or resource_id(resource, entry.full_url))
            rid = resource["id"]
            if not isinstance(rid, str) or not FHIR_ID.fullmatch(rid):
                what = repr(shown(rid)) if isinstance(rid, str) else json_kind(rid)
                return self._skip(entry, f"{what} is not a valid FHIR id")
            return Pending(entry, resource, compact(resource))
        except TypeError:  # orjson: "Recursion limit reached"
            return self._skip(entry, TOO_DEEP)

    def _decision(self, entry: Entry) -> Decision:
        file = entry.file or NO_FILE
        if not file.requests:
            return Decision()
        if self.decided[0] is not file:
            with self.store.read() as conn:
                self.decided = (file, decide_requests(conn, file))
        return self.decided[1].get(entry.place, Decision())

    def _newest(self, pending: Pending) -> bool:
        """Within a file, keep the newest version of a record; False: this one is older, or
        the very same (Synthea repeats a hospital in every patient's bundle)."""
        key, index = pending.key, pending.entry.index
        mine, content = stamp(pending.resource), hash(pending.body)
        if key not in self.newest:
            self.newest[key] = (index, mine, content)
            return True
        earlier, theirs, same = self.newest[key]
        if content == same:
            self.report.unchanged += 1
            return False
        newer, _ = order(mine, theirs)
        kept = index if newer >= 0 else earlier
        self.report.warn(pending.entry, f"{key[0]}/{shown(key[1])} appears in entries {earlier} "
                                        f"and {index}; kept entry {kept}, the "
                                        f"{'later' if newer == 0 else 'newer'} version")
        if newer < 0:
            self.report.kept += 1
            return False
        if key in self.batch and self.batch[key].entry.source == pending.entry.source:
            self.report.kept += 1  # the earlier one, not yet written, never will be
        self.newest[key] = (index, mine, content)
        return True

    def _skip(self, entry: Entry, reason: str) -> None:
        self.report.skip(entry, reason)


def compact(resource: dict) -> bytes:
    """The resource's compact JSON; TypeError if it is nested deeper than MAX_NESTING."""
    probe = resource
    for _ in range(PROBE):
        probe = [probe]
    return fhir_json.dumps(probe)[PROBE:-PROBE]


def _write(work: Work, batch: list[Pending], report: ImportReport,
           known_urns: dict[str, str], appointments: list[Imported],
           medications: list[ImportedMedication]) -> None:
    """One batch in one transaction: a record refused (not valid FHIR R4, a change to a
    signed note) is reported and skipped, and the rest of the file still imports."""
    conn = work.conn
    references = References(conn, known_urns)
    ready = []
    for pending in batch:
        entry = pending.entry
        rewritten = references.rewrite(pending.body, entry.file or NO_FILE, entry.full_url)
        if rewritten.refusal:
            report.skip(entry, rewritten.refusal)
            continue
        for sentence in rewritten.missing:
            report.unresolved_reference(entry, sentence)
        resource = pending.resource
        apply(resource, rewritten)
        if refusal := work.refusal(resource, rewritten.body):
            report.skip(entry, refusal)
            continue
        ready.append((entry, resource))
    create_only = {(r["resourceType"], r["id"]) for e, r in ready if e.method == "POST"}
    verdicts = judge(conn, [r for _, r in ready], create_only)
    writes = []
    for (entry, resource), verdict in zip(ready, verdicts, strict=True):
        if verdict.action == "write":
            writes.append((entry, resource))
        elif verdict.action == "unchanged":
            report.unchanged += 1
        elif verdict.action == "refuse":
            report.skip(entry, verdict.reason)
        else:
            if verdict.action == "hold":
                hold(conn, resource, f"imported from {shown(entry.source.name)} entry "
                                     f"{entry.index}")
                report.conflicts += 1
            else:
                report.kept += 1
            report.warn(entry, verdict.reason)
    ops = work.save_batch([r for _, r in writes], create_only)
    written: dict[tuple[str | None, str], Counter] = defaultdict(Counter)
    for (entry, resource), op in zip(writes, ops, strict=True):
        if op == "unchanged":
            report.unchanged += 1
            continue
        report.imported += 1
        if resource["resourceType"] == "Appointment" and (
                one := Imported.of(entry.source, entry.index, resource)):
            appointments.append(one)
        if medication := ImportedMedication.of(entry.source, entry.index, resource):
            medications.append(medication)
        written[(patient_of(resource), entry.source.name)][resource["resourceType"]] += 1
    arrived = [(e, r) for (e, r), op in zip(writes, ops, strict=True) if op != "unchanged"]
    entries = {id(r): e for e, r in arrived}
    for filed in file_results(work, [r for _, r in arrived]):
        if filed.sentence:  # in the inbox, same transaction; the report names the odd ones
            report.warn(entries[id(filed.result)], filed.sentence)
    for (patient, source), kinds in written.items():  # at: as the outbox rows (imports.guard)
        work.audit("create", patient=patient, entity=f"Import/{source}",
                   detail=", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
