"""The import as a pipeline: a worker process reads, this one writes. If the worker dies,
the import stops with a sentence instead of waiting, and what was written is kept."""

import multiprocessing
import os
import signal

import orjson
import pytest
from sqlalchemy import text

from app.clinical.imports.importer import Importer
from app.clinical.imports.worker import ImportStopped

PATIENTS = 3000


def export(tmp_path):
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"".join(orjson.dumps({
        "resourceType": "Patient", "id": f"p{n}", "name": [{"family": f"Family{n}"}],
        "identifier": [{"system": "urn:mrn", "value": f"MRN{n:06d}"}]}) + b"\n"
        for n in range(PATIENTS)))
    return path


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
        Importer(admin.store, batch_size=100).run(admin.session, [path], kill_the_worker)
    assert stopped.value.message.startswith(
        "The import's reading process was killed by signal 9 before it had read every file.")
    assert "run the same import again" in stopped.value.message
    assert 100 <= patients(admin) < PATIENTS


def test_the_same_import_again_brings_in_the_rest_once(admin, tmp_path):
    path = export(tmp_path)
    with pytest.raises(ImportStopped):
        Importer(admin.store, batch_size=100).run(admin.session, [path], kill_the_worker)
    written = patients(admin)
    report = Importer(admin.store, batch_size=100).run(admin.session, [path])
    assert (report.imported, report.unchanged, report.skipped) == (
        PATIENTS - written, written, 0)
    assert patients(admin) == PATIENTS
