"""What problem, allergy and medication entries share, on the write path (app.clinical.records).

A record made while the patient has a visit in progress names that visit as its encounter,
as vitals and notes do: the visit ties together everything charted in it.

History is kept, never rewritten: a record is not deleted; resolving, stopping or marking it
entered-in-error saves a new version of the same resource, with the reason in the record
itself (a note or statusReason) and in the audit row's detail. Locally the store holds the
latest version and the audit trail says who changed what, when and why; every version also
goes through the outbox to the server, which keeps each one in its version history.

A new version is never saved blindly over one the person did not see: an edit is made to
the stored record in the transaction that saves it, or, from a form that showed the record
earlier, checked against the version the form showed (records.Work.revise).

Also the words of these entries: dates as clinicians write them, required text, coded
concepts, status codes, titles and notes signed by their author.
"""

import re
from collections.abc import Callable
from datetime import date

from app.clinical.records import Records, Work
from app.clinical.visits.encounters import in_progress, now
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from fhir_common.compartment import patient_of

PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def past_date(value: str | None, what: str) -> str | None:
    """A FHIR date as the clinician knows it: a year, a month or a day, not in the future."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if not PARTIAL_DATE.fullmatch(value):
            raise ValueError(value)
        first_day = date.fromisoformat((value + "-01-01")[:10])
    except ValueError:
        raise InvalidRecord(f"{what} '{value}' is not a date: write it as 2020, 2020-03 or "
                            "2020-03-14.") from None
    if first_day > date.today():
        raise InvalidRecord(f"{what} {value} is in the future.")
    return value


def required(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise InvalidRecord(f"Say {what}.")
    return text.strip()


def concept(system: str, code: str, display: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def status_code(resource: dict, field: str) -> str | None:
    """The code of a status CodeableConcept such as clinicalStatus."""
    return next((c.get("code") for c in (resource.get(field) or {}).get("coding", [])), None)


def title(resource: dict, field: str | None = None) -> str:
    """What a record is about, as its messages name it: the text or display of its code
    (of its medication, for an order), or of `field`."""
    if field is None:
        field = "medicationCodeableConcept" if "medicationCodeableConcept" in resource else "code"
    named = resource.get(field) or {}
    return named.get("text") or next(
        (c.get("display") for c in named.get("coding", []) if c.get("display")),
        f"This {resource['resourceType']}")


def refuse_if_in_error(resource: dict) -> None:
    """A record marked entered-in-error is the end of its history: it is not changed again."""
    if status_code(resource, "verificationStatus") == "entered-in-error":
        raise InvalidRecord(f"{title(resource)} was entered in error and cannot be changed.")


def annotation(session: Session, text: str) -> dict:
    return {"authorString": session.full_name, "time": now(), "text": text}


def create(work: Work, resource: dict, patient_id: str, detail: str,
           with_it: tuple[dict, ...] = ()) -> None:
    """Save a new record in the patient's chart, in the visit in progress if there is one;
    `with_it` are records saved in the same entry (the DetectedIssues of its alerts)."""
    work.require_patient(patient_id)
    if visit := in_progress(work.conn, patient_id):
        resource["encounter"] = {"reference": f"Encounter/{visit['id']}"}
    work.save_entry([resource, *with_it], "create", detail)


def change(records: Records, session: Session, kind: str, record_id: str, what: str,
           edit: Callable[[dict], str], based_on: dict | None = None) -> dict:
    """Save a new version of a stored record (records.Work.revise says how): `edit`
    changes it in place and returns the audit detail, or raises InvalidRecord to refuse."""
    with records.write(session, Permission.EDIT_CHART) as work:
        return work.revise(kind, record_id, what, edit, based_on, title)


def mark_entered_in_error(records: Records, session: Session, kind: str, record_id: str,
                          what: str, verification: str, reason: str) -> dict:
    """Mark a problem or allergy that was never the patient's (wrong chart, wrong code) as
    entered in error, with the reason as a note: it stays on record and leaves the active
    list. `verification` is the resource's verification-status code system. FHIR R4 allows
    no clinical status on such a Condition (con-5) or AllergyIntolerance (ait-2), so it is
    removed."""
    reason = required(reason, f"why the {what} was entered in error")

    def edit(record: dict) -> str:
        refuse_if_in_error(record)
        record.pop("clinicalStatus", None)
        record["verificationStatus"] = concept(verification, "entered-in-error",
                                               "Entered in Error")
        record.setdefault("note", []).append(annotation(session, f"Entered in error: {reason}"))
        return f"{what} marked entered in error: {reason}"

    return change(records, session, kind, record_id, what, edit)


def for_edit(records: Records, session: Session, kind: str, record_id: str, what: str) -> dict:
    """The stored record an edit form starts from, its read audited as the chart's are."""
    with records.read(session, Permission.EDIT_CHART) as work:
        record = work.get(kind, record_id)
        if record is None:
            raise NotFound(f"There is no {what} {record_id}.")
        work.read(f"{kind}/{record_id}", f"{what} opened for editing", patient_of(record))
    return record
