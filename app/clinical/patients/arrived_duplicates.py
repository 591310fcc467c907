"""Patients a pull brought who may be someone already here: flagged for a person to review.

A walk-in registered offline on two workstations becomes two records; each workstation
meets the other's at its next pull. Every Patient a pull stores is compared, in the pull's
own transaction (so a crash cannot store the patient and lose the flag), with the patients
of this store by the registration's duplicate check (app.clinical.patients.duplicates:
same or swapped birth date or same phone, and a name alike). Each pair found is recorded
once in duplicate_review (schema.v10) and audited; nothing is merged: only a person can
tell two people apart from one. A merge (app.clinical.patients.merge) closes the flag, here
or, when the merged record arrives by a pull, on every other workstation that flagged it.

The flags are this workstation's work list, not FHIR resources: as a Flag or Task they would
be sent to the server and come back from every workstation that met the same pair, each a
record of its own to reconcile; each workstation holds its own list instead.
"""

import re
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.fhir.names import family_given, main_name
from app.clinical.patients.duplicates import Person, candidates
from app.clinical.patients.merge import close_review, merged_into
from app.clinical.records import Records
from app.errors import InvalidRecord, NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FLAG = ("INSERT INTO duplicate_review (patient_id, other_id, why, flagged_at, flagged_by) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_id, other_id) DO NOTHING")
OPEN = ("SELECT d.id, d.patient_id, d.other_id, d.why, d.flagged_at, a.json, b.json "
        "FROM duplicate_review d "
        "LEFT JOIN resource a ON a.type = 'Patient' AND a.id = d.patient_id AND a.deleted = 0 "
        "LEFT JOIN resource b ON b.type = 'Patient' AND b.id = d.other_id AND b.deleted = 0 "
        "WHERE d.resolved_at IS NULL ORDER BY d.id")


@dataclass(frozen=True)
class PossibleDuplicate:
    review_id: int
    patient_id: str
    patient_name: str
    other_id: str
    other_name: str
    birth_dates: tuple[str | None, str | None]
    why: str
    flagged_at: str


def flag_arrived(conn: Connection, received: list[dict], user: str, at: str
                 ) -> list[tuple[str, str, str]]:
    """Flag each received Patient that may be a patient of this store; for each new flag
    an audit row to write with the pull's (patient, entity, detail)."""
    notes = []
    for patient in received:
        if patient["resourceType"] != "Patient":
            continue
        if (into := merged_into(patient)) is not None:  # merged on another workstation
            close_review(conn, patient["id"], into, "merged on another workstation", user, at)
            continue
        if not FULL_DATE.fullmatch(str(patient.get("birthDate", ""))):
            continue  # no full birth date: the check has nothing to narrow by
        name = main_name(patient)
        person = Person(name.get("family", ""), " ".join(name.get("given", [])),
                        patient["birthDate"], tuple(t["value"] for t in patient.get("telecom", [])
                                                    if t.get("system") == "phone"
                                                    and t.get("value")))
        for found in candidates(conn, person, exclude=patient["id"]):
            pair = sorted((patient["id"], found.patient_id))
            review = conn.exec_driver_sql(FLAG, (*pair, found.why, at, user)).lastrowid
            if conn.exec_driver_sql("SELECT changes()").scalar_one():
                notes.append((patient["id"], f"DuplicateReview/{review}",
                              f"flagged for review: Patient/{patient['id']} "
                              f"({family_given(patient)}), received from the server, may be "
                              f"Patient/{found.patient_id} ({found.name}): {found.why}"))
    return notes


class PossibleDuplicates:
    """The pairs flagged here, and a person's word that two records are two people."""

    def __init__(self, store: Store):
        self._store = store
        self._records = Records(store)

    def open(self, session: Session) -> list[PossibleDuplicate]:
        """The pairs waiting for review, oldest first: an audited read (it shows names)."""
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            rows = work.conn.exec_driver_sql(OPEN).all()
            pairs = [_pair(*row) for row in rows]
            shown = ", ".join(f"{p.patient_id} & {p.other_id}" for p in pairs)
            work.read("Patient", f"possible duplicates listed: {len(pairs)} pairs"
                      + (f": {shown}" if shown else ""), action="query")
        return pairs

    def count(self, session: Session) -> int:
        """How many pairs wait for review: no patient is named, so not an audited read (the
        Patients tab counts after every patient change)."""
        session.require(Permission.READ_DEMOGRAPHICS)
        with self._store.read() as conn:
            return conn.exec_driver_sql(
                "SELECT count(*) FROM duplicate_review WHERE resolved_at IS NULL").scalar_one()

    def dismiss(self, session: Session, review_id: int, reason: str) -> None:
        """Two records a person judged to be two people: the flag is closed with why."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if not reason.strip():
            raise UsageError("Say why these are two different people (--reason TEXT): it is "
                             "kept with the review.")
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            row = work.conn.exec_driver_sql(
                "SELECT patient_id, other_id, resolved_at FROM duplicate_review WHERE id = ?",
                (review_id,)).first()
            if row is None:
                raise NotFound(f"There is no possible duplicate {review_id}.")
            if row[2] is not None:
                raise InvalidRecord(f"Possible duplicate {review_id} was already reviewed at "
                                    f"{row[2]}.")
            close_review(work.conn, row[0], row[1], f"two people: {reason.strip()}",
                         session.user, work.at)
            for patient, other in (row[:2], row[1::-1]):
                work.audit("update", patient=patient, entity=f"DuplicateReview/{review_id}",
                           detail=f"not the same person as Patient/{other}: {reason.strip()}")


def _pair(review_id: int, patient_id: str, other_id: str, why: str, flagged_at: str,
          one: str | None, two: str | None) -> PossibleDuplicate:
    first, second = (fhir_json.loads(body) if body else {} for body in (one, two))
    return PossibleDuplicate(review_id, patient_id, family_given(first, "(removed)"), other_id,
                             family_given(second, "(removed)"),
                             (first.get("birthDate"), second.get("birthDate")), why, flagged_at)
