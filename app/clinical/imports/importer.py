"""`hearth import`: bring FHIR records from another system into the store.

An import is a pipeline on two cores (app.clinical.imports.worker): a worker process reads
each file, gives every resource a stable id, resolves its references, validates it against
FHIR R4 and serialises it with its index rows (app.clinical.imports.reader, .prepare);
this process weighs each batch against what the store holds (app.clinical.imports.guard)
and writes it with its outbox entries (an import is a local change to upload) and an audit
row per patient, one transaction per batch (app.clinical.imports.writer, through the
write path's batch form, app.clinical.records). Within a batch the newest version of a
record wins and the report says so. One bad entry is reported with its file, entry and a
short reason, and skipped; the rest imports. Re-importing changes nothing. If the worker
dies, the import stops with a sentence (ImportStopped), keeping the batches written.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.imports.collector import collector_paused
from app.clinical.imports.fhir_input import input_files
from app.clinical.imports.medication_review import review
from app.clinical.imports.prepare import marker
from app.clinical.imports.reader import Batch, FileStarted, Finished
from app.clinical.imports.report import ImportReport
from app.clinical.imports.unscheduled import unscheduled
from app.clinical.imports.worker import OWN_PROCESS_ABOVE, Worker
from app.clinical.imports.writer import Written, tell, write
from app.clinical.records import ChangeFeed, Records
from app.clinical.safety.check import SafetyChecks
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

# Resources per transaction. Ids are random UUIDs, so each batch touches index pages all
# over the file; larger batches write each page once for more rows (ingest at 60,000
# patients: 4,700/s at 1,000, 5,350/s at 5,000). A batch holds the write lock about 1 s.
BATCH = 5000


@dataclass(frozen=True)
class Progress:
    files_done: int
    files: int
    entries: int
    current: Path | None


class Importer:
    """`safety` checks the imported medications (app.clinical.imports.medication_review);
    without it, the shipped catalogue and the store's packs."""

    def __init__(self, store: Store, batch_size: int = BATCH, feed: ChangeFeed | None = None,
                 safety: SafetyChecks | None = None, own_process_above: int = OWN_PROCESS_ABOVE):
        self._store = store
        self._own_process_above = own_process_above  # bytes of input: below, a thread reads
        self._records = Records(store, feed)
        self._batch_size = batch_size
        self._safety = safety or SafetyChecks(store, load_catalogue, SafetyPolicy())

    def run(self, session: Session, paths: list[Path],
            progress: Callable[[Progress], None] = lambda _: None) -> ImportReport:
        session.require(Permission.IMPORT_RECORDS)
        files = input_files(paths)
        report, written, entries = ImportReport(), Written(), 0
        own_process = sum(f.stat().st_size for f in files) > self._own_process_above
        worker = Worker(self._store, files, self._batch_size, marker(), own_process)
        try:
            for message in worker.messages():
                tell(report, message.said)
                if isinstance(message, FileStarted):
                    progress(Progress(message.done, len(files), message.entries, message.path))
                elif isinstance(message, Batch):
                    with collector_paused(), self._records.write(
                            session, Permission.IMPORT_RECORDS) as work:
                        write(work, message.items, report, written)
                    worker.committed()
                    if message.file:  # within a file: the bar moves on
                        done, path = message.file
                        progress(Progress(done, len(files), message.entries, path))
                elif isinstance(message, Finished):
                    entries = message.entries
                del message  # a batch written is not held while the next is received
        finally:
            worker.end()
        progress(Progress(len(files), len(files), entries, None))
        with self._records.write(session, Permission.IMPORT_RECORDS) as work:
            for one, sentence in unscheduled(work.conn, written.appointments):
                report.unscheduled_appointment(one, sentence)
            review(self._safety, work.conn, written.medications, report)
            work.audit("create", entity="Import",
                       detail=f"{len(files)} files: {report.imported} imported, "
                              f"{report.unchanged} unchanged, {report.kept} older than kept, "
                              f"{report.conflicts} held as conflicts, {report.skipped} skipped"
                              + (f", {len(report.unscheduled)} appointments on no calendar"
                                 if report.unscheduled else "")
                              + (f", {len(report.safety)} medication safety alerts"
                                 if report.safety else ""))
        return report
