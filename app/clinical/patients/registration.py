"""Registering a new patient at the front desk: checked, numbered, checked for duplicates,
saved with their insurance in one transaction.

A screen or the CLI fills a `NewPatient` and calls `Registration.register`. In ONE unit of
work of the write path (EDIT_DEMOGRAPHICS): the duplicate check runs
(app.clinical.patients.duplicates) and its read is audited; if anyone registered may be
this person, nothing is saved and the candidates come back, unless the desk has seen them
and confirmed a new record (`despite_candidates`); otherwise the MRN is assigned
(app.clinical.patients.mrn) and the Patient and its Coverage (beneficiary: the patient) are
saved together with one audit row. Because the check and the save share the transaction, a
registration made meanwhile on this workstation cannot slip between them.

A form with mistakes is refused before anything is read, with one sentence per mistake
(app.clinical.patients.registration_checks).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from app.clinical.fhir.names import medical_record_number
from app.clinical.patients import mrn as mrns
from app.clinical.patients.duplicates import Candidate, Person, candidates
from app.clinical.patients.insurance_card import Insurance, coverage_of
from app.clinical.patients.registration_checks import (
    birth_date_problem,
    email_problem,
    language_problem,
    phone_problem,
    required,
    sex_problem,
)
from app.clinical.records import ChangeFeed, Records
from app.errors import NotFound, UsageError
from app.security.policy import RegistrationPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

EMERGENCY_CONTACT = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                                 "code": "C", "display": "Emergency Contact"}]}
COVERAGE_COMPARTMENT = ("SELECT id FROM patient_compartment WHERE patient_id = ? "
                        "AND type = 'Coverage' ORDER BY id")


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class Identifier:
    """Another number the patient is known by (a national id, a previous clinic's MRN)."""

    system: str
    value: str
    type: dict | None = None  # FHIR Identifier.type (app.clinical.patients.identifier_kinds)


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    relationship: str = ""  # as the patient says it: "daughter", "neighbour"
    phone: str = ""


@dataclass(frozen=True)
class NewPatient:
    family: str
    given: str  # given names, space-separated: "Ann Marie"
    birth_date: str  # YYYY-MM-DD
    sex: str  # male | female | other | unknown
    phone: str = ""
    email: str = ""
    address: Address | None = None
    identifiers: tuple[Identifier, ...] = ()
    language: str = ""  # BCP 47: en, es-MX
    emergency_contact: EmergencyContact | None = None
    insurance: Insurance | None = None

    def problems(self, today: date) -> list[tuple[str, str]]:
        """(field, sentence) for each thing wrong with the form, so a screen marks the
        field; [] when it may be saved."""
        found = [("family", required(self.family, "family name")),
                 ("given", required(self.given, "given name")),
                 ("birth_date", birth_date_problem(self.birth_date, today)),
                 ("sex", sex_problem(self.sex)), ("phone", phone_problem(self.phone)),
                 ("email", email_problem(self.email)),
                 ("language", language_problem(self.language))]
        found += [("identifiers", f"The identifier {i.value!r} needs its system (whose "
                                  "number it is).")
                  for i in self.identifiers if i.value.strip() and not i.system.strip()]
        found += [("identifiers", f"The {i.type['text']} has no number." if i.type
                   else f"An identifier of {i.system} has no number.")
                  for i in self.identifiers if not i.value.strip()]
        if contact := self.emergency_contact:
            found += [("emergency_contact", required(contact.name, "emergency contact's name")),
                      ("emergency_contact",
                       phone_problem(contact.phone, "The emergency contact's phone"))]
        if cover := self.insurance:
            found += [(f"insurance.{where}", problem) for where, problem in
                      cover.problems(today)]
        return [(where, problem) for where, problem in found if problem]

    def person(self) -> Person:
        return Person(self.family, self.given, self.birth_date.strip(),
                      (self.phone,) if self.phone.strip() else ())


class RegistrationRefused(UsageError):
    """A form with mistakes: every sentence, and the list for a form to mark its fields."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(" ".join(sentence for _, sentence in problems))
        self.problems = [sentence for _, sentence in problems]
        self.fields = [where for where, _ in problems]  # NewPatient's field names


@dataclass(frozen=True)
class Registered:
    """What a registration did: the patient saved (None when candidates held it back)."""

    patient: dict | None
    coverage: dict | None
    mrn: str | None
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class PatientRecord:
    """A patient's demographics as the desk reads them: the record, its MRN, its cover."""

    patient: dict
    mrn: str | None
    coverages: list[dict]


class Registration:
    def __init__(self, store: Store, policy: RegistrationPolicy, feed: ChangeFeed | None = None):
        self._store = store
        self._policy = policy
        self._records = Records(store, feed)

    def register(self, session: Session, new: NewPatient,
                 despite_candidates: bool = False) -> Registered:
        """Save `new` unless it may be someone registered already (see the module)."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if problems := new.problems(date.today()):
            raise RegistrationRefused(problems)
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            found = candidates(work.conn, new.person())
            _audit_check(work, new.person(), found)
            if found and not despite_candidates:
                return Registered(None, None, None, found)
            mrn = mrns.assign(work.conn, self._policy, self._store.store_id)
            patient = _patient(new, mrn)
            coverage = coverage_of(new.insurance, patient["id"]) if new.insurance else None
            despite = ", ".join(c.patient_id for c in found)
            detail = f"registered with MRN {mrn['value']}" + (
                f", despite possible duplicates: {despite}" if found else "")
            work.save_entry([patient, *([coverage] if coverage else [])], "create", detail)
        return Registered(patient, coverage, mrn["value"], found)

    def check(self, session: Session, person: Person,
              exclude: str | None = None) -> list[Candidate]:
        """The duplicate check alone, audited: for a form as it is filled in, and for an
        edit of `exclude`, who is never their own duplicate."""
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            found = candidates(work.conn, person, exclude)
            _audit_check(work, person, found)
        return found

    def show(self, session: Session, wanted: str) -> PatientRecord:
        """A patient's demographics and insurance, by id or by MRN, the read audited (a
        failed one too). An MRN of this clinic's form that no patient holds is checked: a
        mistyped one is named as such, not just "not found"."""
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            patient_id = wanted
            if work.get("Patient", wanted) is None:
                patient_id = mrns.holder(work.conn, wanted) or wanted
                if patient_id == wanted and mrns.FORM.fullmatch(wanted.strip().upper()) and (
                        problem := mrns.mrn_problem(wanted)):
                    raise UsageError(problem)
            patient = work.patient(patient_id, "demographics and insurance")
            ids = [] if patient is None else [row[0] for row in work.conn.exec_driver_sql(
                COVERAGE_COMPARTMENT, (patient_id,))]
            coverages = [c for c in (work.get("Coverage", cid) for cid in ids) if c]
        if patient is None:
            raise NotFound(f"There is no patient {wanted}.")
        return PatientRecord(patient, medical_record_number(patient), coverages)


def _audit_check(work, person: Person, found: list[Candidate]) -> None:
    shown = ", ".join(c.patient_id for c in found)
    work.audit("query", entity="Patient",
               detail=f"duplicate check for {person.family}, {person.given} born "
                      f"{person.birth_date}: {len(found)} candidates" + (f": {shown}" if shown
                                                                          else ""))


def _patient(new: NewPatient, mrn: dict) -> dict:
    """The FHIR R4 Patient of a checked form; what was left blank is left out."""
    telecom = ([{"system": "phone", "value": new.phone.strip(), "use": "home"}]
               if new.phone.strip() else []) + (
        [{"system": "email", "value": new.email.strip()}] if new.email.strip() else [])
    patient = {
        "resourceType": "Patient", "id": str(uuid.uuid4()), "active": True,
        "identifier": [mrn, *({**({"type": i.type} if i.type else {}),
                               "system": i.system.strip(), "value": i.value.strip()}
                              for i in new.identifiers)],
        "name": [{"use": "official", "family": new.family.strip(),
                  "given": new.given.split()}],
        "telecom": telecom, "gender": new.sex.strip(), "birthDate": new.birth_date.strip(),
        "address": [_address(new.address)] if new.address and _address(new.address) else [],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                    "code": new.language.strip()}]},
                           "preferred": True}] if new.language.strip() else [],
        "contact": [_contact(new.emergency_contact)] if new.emergency_contact else [],
    }
    return {key: value for key, value in patient.items() if value not in ([], "")}


def _address(address: Address) -> dict:
    parts = {"line": [line.strip() for line in address.lines if line.strip()],
             "city": address.city.strip(), "state": address.state.strip(),
             "postalCode": address.postal_code.strip(), "country": address.country.strip()}
    return {key: value for key, value in parts.items() if value}


def _contact(contact: EmergencyContact) -> dict:
    relationship = [EMERGENCY_CONTACT] + (
        [{"text": contact.relationship.strip()}] if contact.relationship.strip() else [])
    return {"relationship": relationship, "name": {"text": contact.name.strip()},
            **({"telecom": [{"system": "phone", "value": contact.phone.strip()}]}
               if contact.phone.strip() else {})}
