"""`hearth ehi export-all`: every record of the store as NDJSON, sealed under a passphrase.

For moving a clinic to another system or keeping an offline copy: one line per record,
grouped by type (then id), sealed as it is written (app.clinical.ehi.sealed_file), so no
plaintext of the store ever touches the disk. Admin only (EXPORT_STORE): the admin
maintains the store and reads no chart, and the file opens only with the passphrase the
admin gives it. Deleted records (tombstones) are left out; the audit trail is not a record
and stays in the store (each patient's rows travel in that patient's own export).

The whole export is one audited read, so it is one consistent moment of the store, and it
is a disclosure of every patient in it: one audit row per patient (action "export"), so
each patient's accounting of disclosures shows it, and one naming the file and the count.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from app.clinical.ehi.sealed_file import SealedWriter, check_passphrase
from app.clinical.records import Records
from app.clinical.visits.day_sheet import _start_file
from app.security.roles import Permission
from app.security.session import Session
from app.store.kdf_cost import KdfCost
from app.store.store import Store

EVERY_RECORD = "SELECT type, json FROM resource WHERE deleted = 0 ORDER BY type, id"
PATIENTS = "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0"


@dataclass(frozen=True)
class StoreExported:
    path: Path
    records: int
    patients: int
    kinds: dict[str, int]


class StoreExport:
    def __init__(self, store: Store, cost: KdfCost):
        self._records = Records(store)
        self._cost = cost  # the policy's argon2id cost, as for the users' keys

    def export(self, session: Session, output: Path, passphrase: str) -> StoreExported:
        session.require(Permission.EXPORT_STORE)
        check_passphrase(passphrase)
        output = output.expanduser().absolute()
        partial = _start_file(output, "the export", "clinic.ndjson.enc")
        kinds: dict[str, int] = {}
        try:
            with self._records.read(session, Permission.EXPORT_STORE) as work, \
                    open(partial, "wb") as out:
                sealed = SealedWriter(out, passphrase, self._cost)
                for kind, body in work.conn.exec_driver_sql(EVERY_RECORD):
                    sealed.write(body.encode("utf-8") + b"\n")
                    kinds[kind] = kinds.get(kind, 0) + 1
                sealed.close()
                out.flush()
                os.fsync(out.fileno())
                patients = [rid for (rid,) in work.conn.exec_driver_sql(PATIENTS)]
                for patient_id in patients:
                    work.read(f"Patient/{patient_id}", "disclosure: whole-store EHI export "
                              f"(sealed NDJSON) to {output}", patient_id, action="export")
                work.audit("export", entity="Store", detail=f"whole-store EHI export (sealed "
                           f"NDJSON) to {output}: {sum(kinds.values())} records of "
                           f"{len(patients)} patients")
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoreExported(output, sum(kinds.values()), len(patients), kinds)
