"""A patient's request to amend their record (HIPAA 164.526, ONC 170.315(d)(4)), kept as a
FHIR Task so it syncs with the record it is about.

The Task: code `amendment-request` (urn:hearth:task), `for` the patient, `focus` the record,
`requester` the patient, `description` the patient's words, status `requested`, then
`accepted` or `rejected` (a denial's reason in `statusReason`); each step adds an
annotation saying who recorded it and when. It is never deleted: a request and its
decision stay with the record.

Accepting appends the amendment to the record through the write path, and never changes
what the record said: a record that carries notes (a problem, allergy, medication,
result...) gets one more note naming the request; a signed note gets an addendum (a new
signed DocumentReference that `appends` it, by the clinician who accepted). A record with
no place for notes (a visit, the patient's details) keeps the accepted Task, which points
at it, as the amendment: (d)(4) allows "a link that indicates the amendment's location".
A denial is kept the same way, on the Task beside the record.

Who may: recording a request is charting (EDIT_CHART: physicians, nurses); deciding it is
vouching for the record's content, a physician's (SIGN_NOTES); listing is reading the chart.
"""

import base64
import uuid
from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.chart.chart_items import describe
from app.clinical.fhir.names import family_given
from app.clinical.records import Records, Work
from app.display_time import when_text
from app.errors import InvalidRecord, NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.changes import ChangeFeed
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

TASK_CODE = {"coding": [{"system": "urn:hearth:task", "code": "amendment-request",
                         "display": "Amendment request"}], "text": "Amendment request"}
USER_SYSTEM = "urn:hearth:user"
# Kinds whose R4 definition has `note` (Annotation): an accepted amendment is one more note.
WITH_NOTES = {"AllergyIntolerance", "Condition", "Observation", "MedicationRequest",
              "MedicationStatement", "Immunization", "Procedure", "ServiceRequest",
              "CarePlan", "Goal"}
OF_PATIENT = text("SELECT json FROM resource WHERE type = 'Task' AND deleted = 0 "
                  "AND id IN (SELECT id FROM patient_compartment WHERE "
                  "patient_id = :patient AND type = 'Task') "
                  "AND json_extract(json, '$.code.coding[0].code') = 'amendment-request' "
                  "ORDER BY json_extract(json, '$.authoredOn'), id")
# The chart sections a request may be about, as a person names them, and how many of the
# newest records of each a picker offers.
SECTIONS = {"problems": "Problem", "medications": "Medication", "allergies": "Allergy",
            "immunizations": "Immunization", "vitals": "Vital sign", "labs": "Result",
            "observations": "Observation", "procedures": "Procedure", "notes": "Note",
            "encounters": "Visit", "reports": "Report"}
KIND_WORDS = {"Condition": "Problem", "MedicationRequest": "Medication",
              "MedicationStatement": "Medication", "AllergyIntolerance": "Allergy",
              "Immunization": "Immunization", "Observation": "Result",
              "Procedure": "Procedure", "DocumentReference": "Note", "Encounter": "Visit",
              "DiagnosticReport": "Report", "ServiceRequest": "Order"}
OFFERED = 300
CHOICES = text("SELECT r.json, c.section, c.date FROM patient_compartment c JOIN resource r "
               "ON r.type = c.type AND r.id = c.id WHERE c.patient_id = :patient "
               "AND c.section = :section AND r.deleted = 0 ORDER BY c.date DESC LIMIT :limit")
STATUS_WORDS = {"requested": "requested", "accepted": "accepted", "rejected": "denied"}


@dataclass(frozen=True)
class Amendment:
    id: str
    patient_id: str
    record: str  # "Condition/rosa-diabetes"
    record_title: str  # "Problem: Type 2 diabetes mellitus", or the reference when gone
    text: str  # the patient's words
    status: str  # "requested", "accepted" or "denied"
    requested_at: str
    history: tuple[str, ...]  # "Request recorded by Dr Lee (drlee) at 09:02 on 02 Mar 2026"
    reason: str | None = None  # a denial's
    appended: str | None = None  # where an accepted amendment went: "Condition/x"


class Amendments:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def request(self, session: Session, patient_id: str, record: str,
                words: str) -> Amendment:
        """Record the patient's request about one record of their chart."""
        words = (words or "").strip()
        if not words:
            raise UsageError("The amendment request has no text: write what the patient asks "
                             "to be changed, in their words. Nothing was saved.")
        kind, _, rid = record.partition("/")
        if not kind or not rid or "/" in rid:
            raise UsageError(f"{record!r} does not name a record: give it as TYPE/ID, e.g. "
                             "Condition/c1. Nothing was saved.")
        with self._records.write(session, Permission.EDIT_CHART) as work:
            patient = work.require_patient(patient_id, " to record an amendment request for")
            found = work.get(kind, rid)
            if found is None or patient_of(found) != patient_id:
                raise NotFound(f"There is no {record} in {family_given(patient, patient_id)}'s "
                               "chart: name a record of this patient. Nothing was saved.")
            task = {
                "resourceType": "Task", "id": f"amendment-{uuid.uuid4()}",
                "status": "requested", "intent": "proposal", "code": TASK_CODE,
                "focus": {"reference": record}, "for": {"reference": f"Patient/{patient_id}"},
                "requester": {"reference": f"Patient/{patient_id}"},
                "authoredOn": work.at, "lastModified": work.at, "description": words,
                "note": [_note(work, "Request recorded")]}
            work.save(task, "create", f"amendment requested for {record}")
            return _view(work, task)

    def accept(self, session: Session, request_id: str, comment: str | None = None
               ) -> Amendment:
        """Accept: the amendment appended to the record (see the module's docstring)."""
        with self._records.write(session, Permission.SIGN_NOTES) as work:
            task = _open_request(work, request_id)
            kind, _, rid = task["focus"]["reference"].partition("/")
            record = work.get(kind, rid)
            if record is None:
                raise NotFound(f"The record {kind}/{rid} this request is about is gone; the "
                               "request was not accepted.")
            words = f"Amendment at the patient's request ({request_id}): {task['description']}"
            if kind in WITH_NOTES:
                def add(stored: dict) -> str:
                    stored["note"] = [*stored.get("note", []), _note(work, words)]
                    return f"amendment {request_id} appended"
                work.revise(kind, rid, "record", add, None, lambda r: f"{kind}/{rid}")
                appended = f"{kind}/{rid}"
            elif kind == "DocumentReference":
                addendum = _addendum(work, record, words)
                work.save(addendum, "create", f"addendum: amendment {request_id}")
                appended = f"DocumentReference/{addendum['id']}"
            else:
                appended = f"Task/{request_id}"
            task["status"] = "accepted"
            task["output"] = [{"type": {"text": "amendment"},
                               "valueReference": {"reference": appended}}]
            _decided(work, task, "Accepted" + (f": {comment.strip()}" if comment and
                                               comment.strip() else ""))
            return _view(work, task)

    def deny(self, session: Session, request_id: str, reason: str | None) -> Amendment:
        """Deny, with the reason the patient is owed in writing (164.526(d)(1))."""
        reason = (reason or "").strip()
        if not reason:
            raise UsageError("A denial needs its reason: the patient must be told in writing "
                             "why (45 CFR 164.526(d)). Nothing was changed.")
        with self._records.write(session, Permission.SIGN_NOTES) as work:
            task = _open_request(work, request_id)
            task["status"] = "rejected"
            task["statusReason"] = {"text": reason}
            _decided(work, task, f"Denied: {reason}")
            return _view(work, task)

    def choices(self, session: Session, patient_id: str) -> list[tuple[str, str]]:
        """(reference, "Problem: Type 2 diabetes (2026-03-02)") of the records a request
        may name, the patient's details first, then the newest of each section: one
        audited read."""
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, "records an amendment may be about")
            found = [(f"Patient/{patient_id}", "Patient details")] if patient else []
            for section, word in SECTIONS.items() if patient else ():
                for body, _, date in work.conn.execute(CHOICES, {
                        "patient": patient_id, "section": section, "limit": OFFERED}):
                    record = fhir_json.loads(body)
                    found.append((f"{record['resourceType']}/{record['id']}",
                                  f"{word}: {describe(record).title}"
                                  + (f" ({date[:10]})" if date else "")))
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}.")
        return found

    def of_patient(self, session: Session, patient_id: str) -> list[Amendment]:
        """The patient's requests, oldest first: one audited read."""
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, "amendment requests")
            found = [_view(work, fhir_json.loads(b)) for b in work.conn.execute(
                OF_PATIENT, {"patient": patient_id}).scalars()] if patient else []
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}.")
        return found


def _open_request(work: Work, request_id: str) -> dict:
    task = work.get("Task", request_id)
    if task is None or (task.get("code") or {}).get("coding", [{}])[0].get(
            "code") != "amendment-request":
        raise NotFound(f"There is no amendment request {request_id}.")
    if task.get("status") != "requested":
        raise InvalidRecord(f"Amendment request {request_id} was already "
                            f"{STATUS_WORDS.get(task['status'], task['status'])}; a decision "
                            "is not changed.")
    return task


def _decided(work: Work, task: dict, what: str) -> None:
    task["lastModified"] = work.at
    task["owner"] = {"identifier": {"system": USER_SYSTEM, "value": work.session.user},
                     "display": work.session.full_name}
    task["note"] = [*task.get("note", []), _note(work, what)]
    work.save(task, "update", f"amendment request {STATUS_WORDS[task['status']]}: "
                              f"{task['focus']['reference']}")


def _note(work: Work, words: str) -> dict:
    return {"authorString": f"{work.session.full_name} ({work.session.user})",
            "time": work.at, "text": words}


def _addendum(work: Work, note: dict, words: str) -> dict:
    """A signed addendum appending the amendment to a note, signed by who accepted it."""
    signer = {"identifier": {"system": USER_SYSTEM, "value": work.session.user},
              "display": work.session.full_name}
    title = f"Amendment to {(note.get('type') or {}).get('text') or 'note'}"
    addendum = {
        "resourceType": "DocumentReference", "id": str(uuid.uuid4()), "status": "current",
        "docStatus": "final", "subject": {"reference": f"Patient/{patient_of(note)}"},
        "date": work.at, "author": [signer], "authenticator": signer, "description": title,
        "relatesTo": [{"code": "appends",
                       "target": {"reference": f"DocumentReference/{note['id']}"}}],
        "content": [{"attachment": {
            "contentType": "text/plain; charset=utf-8", "title": title, "creation": work.at,
            "data": base64.b64encode(words.encode("utf-8")).decode("ascii")}}]}
    if note.get("type"):
        addendum["type"] = {**note["type"], "text": title}
    return addendum


def _title(record: dict) -> str:
    """What a person calls the record: "Problem: Type 2 diabetes mellitus"."""
    if record["resourceType"] == "Patient":
        return "Patient details"
    word = KIND_WORDS.get(record["resourceType"], record["resourceType"])
    return f"{word}: {describe(record).title}"


def _view(work: Work, task: dict) -> Amendment:
    focus = task["focus"]["reference"]
    kind, _, rid = focus.partition("/")
    record = work.get(kind, rid)
    output = next(iter(task.get("output", [])), {})
    return Amendment(
        id=task["id"], patient_id=patient_of(task) or "", record=focus,
        record_title=_title(record) if record else focus,
        text=task.get("description", ""), status=STATUS_WORDS.get(task["status"],
                                                                  task["status"]),
        requested_at=task.get("authoredOn", ""),
        history=tuple(f"{n.get('text')} — {n.get('authorString')}, "
                      f"{when_text(n.get('time'), with_date=True)}"
                      for n in task.get("note", [])),
        reason=(task.get("statusReason") or {}).get("text"),
        appended=(output.get("valueReference") or {}).get("reference"))
