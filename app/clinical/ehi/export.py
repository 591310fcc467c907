"""`hearth ehi export`: one patient's complete record as a FHIR R4 Bundle (type collection).

What is in it, read in ONE audited read with READ_CHART (app.clinical.records):
- every record of the patient's chart (the store's patient compartment: the Patient and
  all that names them as subject, patient, beneficiary, for, or an appointment's
  participant), so visits, notes (signed notes carry their signatures, cosignatures and
  retractions in the DocumentReference itself), orders, claims, coverage, tasks, results;
- the Provenance (and any stored AuditEvent resource) that points at one of those records;
- the shared records they refer to, followed to the end: Practitioners, Organizations,
  Medications, Locations... A reference into ANOTHER patient's chart is left as a reference:
  the export never discloses someone else;
- the patient's rows of this store's audit trail, as the AuditEvents sync sends
  (sync.audit_events), tagged AUDIT_TRAIL so a re-import knows they are the trail, not
  records.
Not in it: unsigned note drafts (a clinician's work in progress), deleted records
(tombstones), earlier versions (the store keeps only the current one), sync conflicts held
for a decision, and this workstation's own lists (duplicate review, the outbox). The Bundle
says so in its meta (SCOPE).

Who may: whoever may read the chart (READ_CHART: physicians and nurses), since the Bundle
is the chart; the admin does not read charts (app.security.roles), so exports the whole
store only, sealed (store_export). The read is audited as a disclosure, action "export" on
the Patient, naming the file and how much it holds; a patient that is not there is a failed
export. The file is written beside its name and renamed whole, readable by its owner only.
"""

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.clinical.ehi.digest import with_digest
from app.clinical.fhir.names import family_given
from app.clinical.records import Records, Work
from app.clinical.visits.day_sheet import _start_file
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.audit_log import now_text
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of
from sync.audit_events import audit_event
from sync.local import AuditRecord

EHI = "urn:hearth:ehi-export"
AUDIT_TRAIL = {"system": EHI, "code": "audit-trail",
               "display": "An entry of the exporting store's audit trail, not a record"}
SCOPE = ("Included: every record of this patient's chart, the Provenance of those records, "
         "the practitioners, organizations, medications and other shared records they refer "
         "to, and this patient's entries in the exporting store's audit trail (AuditEvents "
         "tagged audit-trail). Not included: unsigned note drafts, deleted records, earlier "
         "versions of a record, sync conflicts awaiting a decision, and other patients' "
         "records (references to them are kept as references).")
# Records outside any chart that point INTO one: (type, JSON array, reference inside it).
POINTING_IN = (("Provenance", "$.target", "$.reference"),
               ("AuditEvent", "$.entity", "$.what.reference"))
REFERENCE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")
CHART = ("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type AND "
         "r.id = c.id WHERE c.patient_id = ? AND r.deleted = 0 ORDER BY r.type, r.id")
TRAIL = ("SELECT seq, at, user, role, action, outcome, patient, entity, detail, prev_hash, "
         "hash FROM audit WHERE patient = ? ORDER BY seq")


@dataclass(frozen=True)
class Exported:
    path: Path
    patient: str  # "Family, Given"
    records: int
    audit_entries: int


class PatientExport:
    def __init__(self, store: Store):
        self._store = store
        self._records = Records(store)

    def export(self, session: Session, patient_id: str, output: Path) -> Exported:
        session.require(Permission.READ_CHART)
        output = output.expanduser().absolute()
        partial = _start_file(output, "the export", "record.json")
        try:
            with self._records.read(session, Permission.READ_CHART) as work:
                patient = work.get("Patient", patient_id)
                bundle = _bundle(work, patient_id, self._store.store_id) if patient else None
                records = sum(1 for e in (bundle or {}).get("entry", [])
                              if not _is_trail(e["resource"]))
                trail = len(bundle["entry"]) - records if bundle else 0
                work.read(f"Patient/{patient_id}", f"disclosure: EHI export (FHIR Bundle) to "
                          f"{output}: {records} records, {trail} audit trail entries",
                          patient_id, patient is not None, action="export")
            if bundle is None:
                raise NotFound(f"There is no patient {patient_id}; nothing was exported.")
            partial.write_bytes(fhir_json.dumps(with_digest(bundle)))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return Exported(output, family_given(patient, "(no name)"), records, trail)


def patient_record(work: Work, patient_id: str) -> list[dict]:
    """The patient's chart, what points into it and the shared records it refers to."""
    chart = [fhir_json.loads(row[0]) for row in work.conn.exec_driver_sql(CHART, (patient_id,))]
    found = {_key(r): r for r in chart}
    for kind, array, inner in POINTING_IN:
        rows = work.conn.exec_driver_sql(
            f"SELECT DISTINCT r.json FROM resource r, json_each(r.json, '{array}') t "
            f"WHERE r.type = ? AND r.deleted = 0 AND json_extract(t.value, '{inner}') IN "
            "(SELECT type || '/' || id FROM patient_compartment WHERE patient_id = ?)",
            (kind, patient_id))
        for (body,) in rows:
            resource = fhir_json.loads(body)
            found.setdefault(_key(resource), resource)
    waiting = list(found.values())
    while waiting:  # follow references out to shared records, never into another chart
        resource = waiting.pop()
        for kind, rid in references(resource):
            if (kind, rid) in found:
                continue
            target = work.get(kind, rid)
            if target is not None and patient_of(target) in (None, patient_id):
                found[(kind, rid)] = target
                waiting.append(target)
    return sorted(found.values(), key=lambda r: (r["resourceType"] != "Patient", *_key(r)))


def references(value) -> Iterator[tuple[str, str]]:
    """(type, id) of every literal reference in a resource ("Type/id", also at the end of
    an absolute URL or with a version); references to contained resources are inside it."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == "reference" and isinstance(inner, str):
                if match := REFERENCE.search(inner):
                    yield match.group(1), match.group(2)
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def trail_events(work: Work, patient_id: str, store_id: str) -> list[dict]:
    """The patient's audit trail rows as AuditEvents, tagged AUDIT_TRAIL."""
    events = []
    for row in work.conn.exec_driver_sql(TRAIL, (patient_id,)):
        event = audit_event(AuditRecord(*row), store_id)
        event["meta"]["tag"].append(AUDIT_TRAIL)
        events.append(event)
    return events


def _bundle(work: Work, patient_id: str, store_id: str) -> dict:
    at = now_text()
    resources = patient_record(work, patient_id) + trail_events(work, patient_id, store_id)
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": at, "tag": [{"system": EHI, "code": "patient"}],
                     "extension": [{"url": f"{EHI}-scope", "valueMarkdown": SCOPE}]},
            "identifier": {"system": EHI, "value": f"{store_id}/Patient/{patient_id}"},
            "type": "collection", "timestamp": at,
            "entry": [{"resource": r} for r in resources]}


def _is_trail(resource: dict) -> bool:
    return AUDIT_TRAIL in resource.get("meta", {}).get("tag", [])


def _key(resource: dict) -> tuple[str, str]:
    return resource["resourceType"], resource["id"]
