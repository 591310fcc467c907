"""Registering, reading and editing patients (FHIR Patient).

Each call checks the session's permission, then writes the record, its outbox entry and its
audit row in one transaction, or reads the record and audits the read. An update is checked
against the version it was based on (app.clinical.edit_versions): a change saved meanwhile,
by a pull or another user, is merged or the update is refused, never overwritten.
"""

import uuid

from app.clinical.edit_versions import rebase
from app.clinical.identity import FHIR_ID
from app.clinical.names import family_given
from app.clinical.validation import validation_errors
from app.errors import InvalidRecord, NotFound
from app.security import audit
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import delete_resource, get_resource, put_resource
from app.store.store import Store
from sync import fhir_json


class Patients:
    def __init__(self, store: Store):
        self._store = store

    def register(self, session: Session, patient: dict) -> dict:
        session.require(Permission.EDIT_DEMOGRAPHICS)
        patient = {**patient, "id": patient.get("id") or str(uuid.uuid4())}
        _check(patient)
        with self._store.write() as conn:
            if get_resource(conn, "Patient", patient["id"]) is not None:
                raise InvalidRecord(f"Patient {patient['id']} is already registered.")
            self._save(conn, session, patient, "create")
        return patient

    def update(self, session: Session, patient: dict, based_on: dict | None = None) -> dict:
        """Save an edited patient; returns what was saved. `based_on` is the patient as read
        (untouched) before the edit was made from it: with it, a change saved meanwhile to
        other fields is merged in; without it, the edit must still be of the stored version
        its meta names."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        _check(patient)
        with self._store.write() as conn:
            stored = get_resource(conn, "Patient", patient.get("id", ""))
            if stored is None:
                raise NotFound(f"There is no patient {patient.get('id')} to update.")
            saved, merged = rebase(stored, dict(patient), based_on,
                                   f"Patient {family_given(stored, stored['id'])}")
            if merged:
                _check(saved)
            self._save(conn, session, saved, "update",
                       "merged with a change saved meanwhile" if merged else None)
        return saved

    def delete(self, session: Session, patient_id: str, reason: str) -> None:
        """Remove a registration made in error (a duplicate, a test patient); the delete
        reaches the server at the next sync and the audit row keeps the reason."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if not reason.strip():
            raise InvalidRecord("Say why the patient is being removed.")
        with self._store.write() as conn:
            if get_resource(conn, "Patient", patient_id) is None:
                raise NotFound(f"There is no patient {patient_id} to remove.")
            event = audit.event_for(session, "delete", patient=patient_id,
                                    entity=f"Patient/{patient_id}", detail=reason)
            delete_resource(conn, "Patient", patient_id, session.user, event.at)
            audit.append(conn, event)

    def get(self, session: Session, patient_id: str) -> dict:
        session.require(Permission.READ_DEMOGRAPHICS)
        with self._store.write() as conn:
            patient = get_resource(conn, "Patient", patient_id)
            audit.append(conn, audit.event_for(
                session, "read", outcome="success" if patient else "failure",
                patient=patient_id, entity=f"Patient/{patient_id}"))
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}.")
        return patient

    @staticmethod
    def _save(conn, session: Session, patient: dict, action: str,
              detail: str | None = None) -> None:
        event = audit.event_for(session, action, patient=patient["id"],
                                entity=f"Patient/{patient['id']}", detail=detail)
        put_resource(conn, patient, session.user, event.at)
        audit.append(conn, event)


def _check(patient: dict) -> None:
    if patient.get("resourceType") != "Patient":
        raise InvalidRecord(f"Expected a FHIR Patient, got {patient.get('resourceType')!r}.")
    if not FHIR_ID.fullmatch(str(patient.get("id", ""))):
        raise InvalidRecord(f"{patient.get('id')!r} is not a valid FHIR id.")
    if not any(n.get("family") or n.get("given") or n.get("text")
               for n in patient.get("name", [])):
        raise InvalidRecord("A patient needs a name (family, given or text).")
    if errors := validation_errors("Patient", fhir_json.dumps(patient)):
        raise InvalidRecord(f"Not a valid FHIR R4 Patient: {'; '.join(errors)}.")
