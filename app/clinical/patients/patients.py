"""Registering, reading and editing patients (FHIR Patient).

Each call goes through the write path (app.clinical.records): the session's permission is
checked, then the record, its outbox entry and its audit row are written in one
transaction, or the record is read and the read audited. An update is checked against the
version it was based on (app.clinical.edit_versions): a change saved meanwhile, by a pull
or another user, is merged or the update is refused, never overwritten.
"""

import uuid

from app.clinical.edit_versions import rebase
from app.clinical.fhir.identity import FHIR_ID
from app.clinical.fhir.names import family_given
from app.clinical.records import ChangeFeed, Records, Work
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store


class Patients:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def register(self, session: Session, patient: dict) -> dict:
        session.require(Permission.EDIT_DEMOGRAPHICS)
        patient = {**patient, "id": patient.get("id") or str(uuid.uuid4())}
        _check(patient)
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            if work.get("Patient", patient["id"]) is not None:
                raise InvalidRecord(f"Patient {patient['id']} is already registered.")
            work.save(patient, "create")
        return patient

    def update(self, session: Session, patient: dict, based_on: dict | None = None) -> dict:
        """Save an edited patient; returns what was saved. `based_on` is the patient as read
        (untouched) before the edit was made from it: with it, a change saved meanwhile to
        other fields is merged in; without it, the edit must still be of the stored version
        its meta names."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        _check(patient)
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            return update_in(work, patient, based_on)

    def delete(self, session: Session, patient_id: str, reason: str) -> None:
        """Remove a registration made in error (a duplicate, a test patient); the delete
        reaches the server at the next sync and the audit row keeps the reason."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if not reason.strip():
            raise InvalidRecord("Say why the patient is being removed.")
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            work.require_patient(patient_id, " to remove")
            work.delete("Patient", patient_id, reason)

    def get(self, session: Session, patient_id: str) -> dict:
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            patient = work.patient(patient_id)
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}.")
        return patient


def update_in(work: Work, patient: dict, based_on: dict | None) -> dict:
    """Patients.update inside a unit of work the caller holds (the details form saves the
    patient and their insurance card together)."""
    _check(patient)
    stored = work.get("Patient", patient.get("id", ""))
    if stored is None:
        raise NotFound(f"There is no patient {patient.get('id')} to update.")
    saved, merged = rebase(stored, dict(patient), based_on,
                           f"Patient {family_given(stored, stored['id'])}")
    if merged:
        _check(saved)
    work.save(saved, "update", _changed(stored, saved)
              + ("; merged with a change saved meanwhile" if merged else ""))
    return saved


def _changed(stored: dict, saved: dict) -> str:
    """The audit detail of an edit: which elements it changed ("changed address, telecom"),
    so the trail says what each version of the demographics changed, and who changed it."""
    changed = sorted(key for key in stored.keys() | saved.keys()
                     if key != "meta" and stored.get(key) != saved.get(key))
    return f"changed {', '.join(changed)}" if changed else "saved unchanged"


def _check(patient: dict) -> None:
    """What a patient needs beyond FHIR R4 validity (the write path checks that)."""
    if patient.get("resourceType") != "Patient":
        raise InvalidRecord(f"Expected a FHIR Patient, got {patient.get('resourceType')!r}.")
    if not FHIR_ID.fullmatch(str(patient.get("id", ""))):
        raise InvalidRecord(f"{patient.get('id')!r} is not a valid FHIR id.")
    if not any(n.get("family") or n.get("given") or n.get("text")
               for n in patient.get("name", [])):
        raise InvalidRecord("A patient needs a name (family, given or text).")
