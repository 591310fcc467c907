"""Benchmark: EHI export and re-import (issue 17), each beside its baseline in the same run.

    python -m tests.perf.bench_ehi [--patients 300] [--runs 5]

Prints JSON. An encrypted store of `--patients` full Synthea patients (tests.perf.synthetic).
Timed: one patient's export (`PatientExport.export`, p50/p95 of `--runs` patients) against
the floor, an audited read of the same chart's rows alone; the whole store sealed
(`StoreExport.export`, the shipped argon2id cost) against writing the same rows as plain
NDJSON; the sealed file re-imported into a new store (`EhiImport.run`) against `hearth
import` of the Synthea files into the first store.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import orjson

from app.clinical.ehi.export import CHART, PatientExport
from app.clinical.ehi.reimport import EhiImport
from app.clinical.ehi.store_export import EVERY_RECORD, StoreExport
from app.clinical.imports.importer import Importer
from app.clinical.records import Records
from app.security.roles import Permission
from app.store.kdf_cost import KdfCost
from tests.perf.bench_store import BUNDLED, CLINICIAN, IMPORTER, ms, open_store
from tests.perf.synthetic import write_dataset

PASSPHRASE = "benchmark passphrase, long enough"


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = write_dataset(root / "in", BUNDLED, args.patients, args.patients, 0)
        store = open_store(root / "source", encrypted=True)
        start = time.perf_counter()
        imported = Importer(store).run(IMPORTER, [*data["shared"], *data["full"]]).imported
        baseline_import = time.perf_counter() - start
        with store.read() as conn:
            patients = [r for (r,) in conn.exec_driver_sql(
                "SELECT id FROM resource WHERE type = 'Patient' LIMIT ?", (args.runs,))]
        exports, floors = [], []
        for number, patient in enumerate(patients):
            exports.append(_timed(lambda p=patient, n=number: PatientExport(store).export(
                CLINICIAN, p, root / f"p{n}.json")))
            floors.append(_timed(lambda p=patient: _chart_rows(store, p)))
        sealed = root / "store.ndjson.enc"
        seal = _timed(lambda: StoreExport(store, KdfCost()).export(IMPORTER, sealed,
                                                                   PASSPHRASE))
        plain = _timed(lambda: _plain(store, root / "store.ndjson"))
        store.close()
        target = open_store(root / "target", encrypted=True)
        start = time.perf_counter()
        back = EhiImport(target).run(IMPORTER, sealed, PASSPHRASE).imported
        reimport = time.perf_counter() - start
        target.close()
        return {
            "patients": args.patients, "records": imported,
            "patient_export_ms": ms(exports), "baseline_chart_read_ms": ms(floors),
            "store_export_s": round(seal, 2), "baseline_plain_ndjson_s": round(plain, 2),
            "sealed_mb": round(sealed.stat().st_size / 1e6, 1),
            "reimport_records_per_s": round(back / reimport),
            "baseline_import_records_per_s": round(imported / baseline_import),
            "reimported": back}


def _chart_rows(store, patient_id: str) -> int:
    with Records(store).read(CLINICIAN, Permission.READ_CHART) as work:
        rows = work.conn.exec_driver_sql(CHART, (patient_id,)).all()
        work.read(f"Patient/{patient_id}", "benchmark floor", patient_id)
    return len(rows)


def _plain(store, path: Path) -> None:
    with store.read() as conn, open(path, "wb") as out:
        for _, body in conn.exec_driver_sql(EVERY_RECORD):
            out.write(body.encode("utf-8") + b"\n")


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    print(orjson.dumps(run(parser.parse_args(argv)), option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
