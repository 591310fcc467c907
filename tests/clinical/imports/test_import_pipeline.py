"""The import as a pipeline: a worker process reads, this one writes (a thread reads a small
import: the other import tests). If the worker dies, the import stops with a sentence
instead of waiting, and what was written is kept."""

import multiprocessing
import os
import signal

import orjson
import pytest
from sqlalchemy import text

from app.clinical.imports.importer import Importer
from app.clinical.imports.worker import ImportStopped
from tests.conftest import SYNTHEA

PATIENTS = 3000


def export(tmp_path):
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"".join(orjson.dumps({
        "resourceType": "Patient", "id": f"p{n}", "name": [{"family": f"Family{n}"}],
        "identifier": [{"system": "urn:mrn", "value": f"MRN{n:06d}"}]}) + b"\n"
        for n in range(PATIENTS)))
    return path


def pipeline(ws) -> Importer:
    """An importer that reads in a worker process whatever the size of the files."""
    return Importer(ws.store, batch_size=100, own_process_above=0)


def patients(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM resource WHERE type = 'Patient'")
                            ).scalar_one()


def kill_the_worker(progress) -> None:
    """After the first batch is written, as a crash or an out-of-memory kill would."""
    if progress.entries:
        for child in multiprocessing.active_children():
            if child.name == "hearth-import-reader":
                os.kill(child.pid, signal.SIGKILL)


def test_a_killed_worker_stops_the_import_with_a_sentence_keeping_what_was_written(admin,
                                                                                  tmp_path):
    path = export(tmp_path)
    with pytest.raises(ImportStopped) as stopped:
        pipeline(admin).run(admin.session, [path], kill_the_worker)
    assert stopped.value.message.startswith(
        "The import's reading process was killed by signal 9 before it had read every file.")
    assert "run the same import again" in stopped.value.message
    assert 100 <= patients(admin) < PATIENTS


def test_the_same_import_again_brings_in_the_rest_once(admin, tmp_path):
    path = export(tmp_path)
    with pytest.raises(ImportStopped):
        pipeline(admin).run(admin.session, [path], kill_the_worker)
    written = patients(admin)
    report = pipeline(admin).run(admin.session, [path])
    assert (report.imported, report.unchanged, report.skipped) == (
        PATIENTS - written, written, 0)
    assert patients(admin) == PATIENTS


def test_what_a_worker_process_imports_is_what_a_thread_would(admin):
    """Synthea's bundles through the worker process, then again read by a thread: the
    second import finds every record already there, as it would after its own."""
    first = pipeline(admin).run(admin.session, [SYNTHEA])
    again = Importer(admin.store).run(admin.session, [SYNTHEA])
    assert first.skipped == again.skipped == 0 and first.imported > 300
    assert (again.imported, again.unchanged) == (0, first.imported + first.unchanged)
