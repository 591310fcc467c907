"""A patient's demographics as the front desk sees and edits them.

Reading is ONE audited read: the Patient, its insurance (Coverage) and the patient's
upcoming appointments, so the desk's screen says in one audit row what it disclosed. The
desk does not read charts; this is what it may see instead.

An edit is the registration form's fields applied to the stored Patient: the same checks
as a registration (RegistrationRefused names each field, so a form marks it), then
Patients.update, which keeps history (a new version; the audit detail names what changed)
and merges a change saved meanwhile to other fields. Only a field the form changed is
replaced (the first official name, the first phone or email, the first address, the
preferred language), so saving an edit of the phone leaves the address exactly as stored;
the MRN, other identifiers, names and numbers, and the emergency contacts are kept. The
insurance card (a Coverage of its own, app.clinical.patients.insurance) is saved in the same
unit of work when the form changed it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy

from app.clinical.edit_versions import rebase
from app.clinical.fhir.names import medical_record_number
from app.clinical.patients.insurance import changed_coverage
from app.clinical.patients.patients import update_in
from app.clinical.patients.registration import (
    COVERAGE_COMPARTMENT,
    Address,
    Insurance,
    NewPatient,
    RegistrationRefused,
)
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.visits.schedule import Appointment, listed
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

UPCOMING_QUERY = sqlalchemy.text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type"
    " AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient"
    " AND c.type = 'Appointment'"
    " AND json_extract(r.json, '$.status') NOT IN ('cancelled', 'entered-in-error',"
    " 'noshow', 'fulfilled')"
    " AND datetime(json_extract(r.json, '$.start')) >= :since"
)
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"


@dataclass(frozen=True)
class PatientDemographics:
    patient: dict  # as stored: an edit is made from it (and based on it)
    mrn: str | None
    coverages: list[dict]
    upcoming: list[Appointment]  # from today on (today's visit too, even if late), by time;
    # cancelled, missed and finished ones left out


class Demographics:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def read(self, session: Session, patient_id: str) -> PatientDemographics:
        """The patient, their insurance and their appointments from the start of today (the
        visit they may be here for now, and those to come), audited as one read."""
        since = _utc_text(datetime.combine(date.today(), time()).astimezone())
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            patient = work.patient(patient_id,
                                   "demographics, insurance and upcoming appointments")
            ids = [] if patient is None else [row[0] for row in work.conn.exec_driver_sql(
                COVERAGE_COMPARTMENT, (patient_id,))]
            coverages = [c for c in (work.get("Coverage", cid) for cid in ids) if c]
            booked = [] if patient is None else [fhir_json.loads(json) for (json,) in
                                                 work.conn.execute(UPCOMING_QUERY, {
                                                     "patient": patient_id, "since": since})]
            upcoming = sorted(listed(work.conn, booked), key=lambda a: (a.start, a.id))
        if patient is None:  # raised after the unit of work, so the failed read is audited
            raise NotFound(f"There is no patient {patient_id}.")
        return PatientDemographics(patient, medical_record_number(patient), coverages, upcoming)

    def edit(self, session: Session, shown: dict, typed: NewPatient,
             coverage: dict | None = None) -> dict:
        """Save what was typed over the patient `shown` and their insurance card `coverage`
        (both as read; app.clinical.patients.insurance), in one unit of work; returns the
        patient as saved."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if problems := typed.problems(date.today()):
            raise RegistrationRefused(problems)
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            saved = update_in(work, edited(shown, typed), shown)
            card = changed_coverage(coverage, typed.insurance, shown["id"])
            if card is not None:
                _save_card(work, card, coverage, typed.insurance)
        return saved


def _save_card(work: Work, card: dict, shown: dict | None, typed: Insurance | None) -> None:
    """The insurance card saved as a version of the Coverage shown (a change saved there
    meanwhile merged, or the edit refused), or made new."""
    if shown is None:
        work.save(card, "create", f"insurance {typed.payer.strip()} added")
        return
    stored = work.get("Coverage", shown["id"])
    if stored is None:
        raise NotFound(f"The insurance record {shown['id']} is no longer stored.")
    saved, _ = rebase(stored, card, shown, f"The insurance card of {shown['id']}")
    work.save(saved, "update", "insurance ended (cancelled)" if typed is None
              else f"insurance changed to {typed.payer.strip()} {typed.member_id.strip()}")


def _utc_text(moment: datetime) -> str:
    """As SQLite's datetime() writes an instant in UTC, to compare with stored starts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def form_of(patient: dict) -> NewPatient:
    """The form's fields as the stored patient fills them (what `edited` replaces)."""
    name = _official(patient.get("name", []))
    address = (patient.get("address") or [{}])[0]
    return NewPatient(
        name.get("family", ""), " ".join(name.get("given", [])), patient.get("birthDate", ""),
        patient.get("gender", ""), _telecom(patient, "phone"), _telecom(patient, "email"),
        Address(tuple(address.get("line", [])), address.get("city", ""),
                address.get("state", ""), address.get("postalCode", ""),
                address.get("country", "")),
        language=_language(patient))


def edited(patient: dict, typed: NewPatient) -> dict:
    """`patient` with each field the form changed replaced; what the form left as it showed
    it is kept exactly as stored (its codings, extensions and second lines included)."""
    was, saved = form_of(patient), dict(patient)
    if (typed.family.strip(), typed.given.split()) != (was.family, was.given.split()):
        names = [dict(n) for n in patient.get("name", [])] or [{"use": "official"}]
        first = next((i for i, n in enumerate(names) if n.get("use") == "official"), 0)
        names[first] = {key: value for key, value in names[first].items() if key != "text"}
        names[first].update(family=typed.family.strip(), given=typed.given.split())
        saved["name"] = names  # the text left out would say the old name
    saved["birthDate"], saved["gender"] = typed.birth_date.strip(), typed.sex.strip()
    telecom = list(patient.get("telecom", []))
    if typed.phone.strip() != was.phone:
        telecom = _replace(telecom, "phone", typed.phone.strip(), {"use": "home"})
    if typed.email.strip() != was.email:
        telecom = _replace(telecom, "email", typed.email.strip(), {})
    saved["telecom"] = telecom
    if _address_text(typed.address) != _address_text(was.address):
        addresses = patient.get("address", [])
        use = {"use": addresses[0]["use"]} if addresses and "use" in addresses[0] else {}
        address = _address(typed.address) if typed.address else {}
        saved["address"] = ([{**use, **address}] if address else []) + addresses[1:]
    if typed.language.strip() != was.language:
        saved["communication"] = _with_language(patient.get("communication", []),
                                                typed.language.strip())
    return {key: value for key, value in saved.items() if value not in ([], "")}


def _address_text(address: Address | None) -> tuple[str, ...]:
    """An address as the form shows it (its lines on one), to tell whether it was changed."""
    if address is None:
        return ("",) * 5
    return (", ".join(line.strip() for line in address.lines if line.strip()),
            address.city.strip(), address.state.strip(), address.postal_code.strip(),
            address.country.strip())


def _official(names: list[dict]) -> dict:
    return next((n for n in names if n.get("use") == "official"), names[0] if names else {})


def _telecom(patient: dict, system: str) -> str:
    return next((t.get("value", "") for t in patient.get("telecom", [])
                 if t.get("system") == system), "")


def _replace(telecom: list[dict], system: str, value: str, new: dict) -> list[dict]:
    """The first `system` entry given `value` (removed when blank); the others kept."""
    at = next((i for i, t in enumerate(telecom) if t.get("system") == system), None)
    if at is None:
        return telecom + ([{"system": system, "value": value, **new}] if value else [])
    if not value:
        return telecom[:at] + telecom[at + 1:]
    return telecom[:at] + [{**telecom[at], "value": value}] + telecom[at + 1:]


def _address(address: Address) -> dict:
    parts = {"line": [line.strip() for line in address.lines if line.strip()],
             "city": address.city.strip(), "state": address.state.strip(),
             "postalCode": address.postal_code.strip(), "country": address.country.strip()}
    return {key: value for key, value in parts.items() if value}


def _preferred(spoken: list[dict]) -> int | None:
    """Which language the form shows: the preferred one, else the first."""
    return next((i for i, c in enumerate(spoken) if c.get("preferred")), 0 if spoken else None)


def _language(patient: dict) -> str:
    spoken = patient.get("communication", [])
    at = _preferred(spoken)
    chosen = {} if at is None else spoken[at]
    codings = chosen.get("language", {}).get("coding", [])
    return codings[0].get("code", "") if codings else chosen.get("language", {}).get("text", "")


def _with_language(spoken: list[dict], code: str) -> list[dict]:
    """The preferred language replaced by `code` (none when blank); other languages kept."""
    others = [c for i, c in enumerate(spoken) if i != _preferred(spoken)]
    if not code:
        return others
    return [{"language": {"coding": [{"system": LANGUAGE_SYSTEM, "code": code}]},
             "preferred": True}, *others]
