"""The day sheet: a provider's (or the whole clinic's) day on paper, for the front desk.

A printed list of who is coming in names patients, so the day is read in ONE audited read
(one row naming every patient printed), whatever its length. The file appears whole or not
at all: the PDF is written to a temporary file beside the one asked for and renamed over it
only once complete, so a full disk or a crash never leaves a half-written sheet that looks
like the day's list. Where it cannot be written is found out before anything is read.

The provider is asked for as a person would name them (`hearth schedule day-sheet
--provider USER`): a Hearth user who sees patients (their Practitioner found as booking
finds it, app.clinical.visits.providers), a Practitioner id, or a practitioner's name.
Anything else is refused with a sentence.

Paper: A4 or US Letter. Without a choice, the locale's territory decides (LC_ALL, LC_PAPER,
then LANG: the countries that use Letter, else A4), as a desktop's print dialog does.
"""

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy
from sqlalchemy import Connection

from app.clinical.chart.banner import age_text
from app.clinical.fhir.names import family_given, main_name, medical_record_number
from app.clinical.printing.letterhead import clinic_name
from app.clinical.printing.pages import PAPERS
from app.clinical.records import Records
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.day_sheet_pdf import render
from app.clinical.visits.providers import provider
from app.clinical.visits.schedule import DAY_QUERY, PAGE_QUERY, PEOPLE_QUERY
from app.errors import NotFound, UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.security.users import find_user
from app.store.store import Store
from fhir_common import fhir_json

# Territories whose paper is US Letter (CLDR's measurementData "paperSize": US, Canada,
# Mexico, Chile, Colombia, Costa Rica, Guatemala, Panama, the Philippines, Puerto Rico,
# El Salvador, Venezuela, Belize, the Dominican Republic, Nicaragua).
LETTER_TERRITORIES = {"US", "CA", "MX", "CL", "CO", "CR", "GT", "PA", "PH", "PR", "SV", "VE",
                      "BZ", "DO", "NI"}
STATUS_TEXT = {"proposed": "Proposed", "pending": "Pending", "booked": "Booked",
               "arrived": "Arrived", "checked-in": "Checked in", "fulfilled": "Seen",
               "cancelled": "Cancelled", "noshow": "No-show", "waitlist": "Waitlist"}
PRACTITIONERS = sqlalchemy.text("SELECT id, json FROM resource WHERE type = 'Practitioner' "
                                "AND deleted = 0")


@dataclass(frozen=True)
class DaySheetRequest:
    """What to print: `provider` None is the whole clinic; `paper` "a4", "letter" or None
    (the locale's); `clinic` the name at the top (None: the clinic the policy names)."""

    day: date
    output: Path
    provider: str | None = None
    paper: str | None = None
    clinic: str | None = None


@dataclass(frozen=True)
class SheetRow:
    """One appointment as printed."""

    start: datetime
    end: datetime | None
    patient: str  # "Family, Given"
    mrn: str
    born: str
    age: str
    type: str
    status: str  # as a clerk says it: "Booked", "No-show"
    provider: str  # "Given Family"


@dataclass(frozen=True)
class DaySheetPrinted:
    path: Path
    appointments: int
    pages: int
    paper: str


class DaySheet:
    def __init__(self, store: Store, organization: str | None = None,
                 billing: BillingPolicy | None = None):
        self._store = store
        self._records = Records(store)
        self._organization = organization  # the policy's "Organization/<id>", if any
        self._billing = billing or BillingPolicy()  # its organization_name, when none is set

    def print(self, session: Session, request: DaySheetRequest,
              environ: Mapping[str, str] = os.environ) -> DaySheetPrinted:
        session.require(Permission.READ_DEMOGRAPHICS)
        paper = request.paper or default_paper(environ)
        if paper not in PAPERS:
            raise UsageError(f"{paper!r} is not a paper size: use a4 or letter.")
        output = request.output.expanduser().absolute()
        partial = _start_file(output)
        try:
            with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
                wanted = _provider(work.conn, request.provider)
                provider = wanted and wanted.name
                clinic = request.clinic or clinic_name(work.conn, self._organization,
                                                       self._billing.organization_name)
                rows = _rows(work.conn, request.day, wanted)
                patients = ", ".join(dict.fromkeys(r.patient_id for r in rows if r.patient_id))
                work.read("Appointment", f"day sheet of {request.day.isoformat()} for "
                                         f"{provider or 'the whole clinic'}: {len(rows)} "
                                         f"appointments; patients: {patients or 'none'}")
            printed = [row.row for row in rows]
            pages = render(partial, paper, clinic, request.day, provider, printed,
                           printed_by=session.user, printed_at=datetime.now().astimezone())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return DaySheetPrinted(output, len(printed), pages, paper)


def default_paper(environ: Mapping[str, str]) -> str:
    """"letter" where the locale's territory prints on Letter, else "a4"."""
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        if value := environ.get(name):
            territory = value.partition(".")[0].partition("@")[0].partition("_")[2]
            return "letter" if territory.upper() in LETTER_TERRITORIES else "a4"
    return "a4"


@dataclass(frozen=True)
class _Read:
    row: SheetRow
    patient_id: str | None


def _start_file(output: Path, what: str = "the day sheet",
                example: str = "day-sheet.pdf") -> Path:
    """An empty temporary file beside `output`, or a sentence saying why it cannot be
    (`what` is written, e.g. "the requisition", with `example` as a file name to give)."""
    if output.is_dir():
        raise UsageError(f"{output} is a folder: give {what} a file name, such as "
                         f"{output / example}.")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part",
                                        dir=output.parent)
    except OSError as exc:
        raise UsageError(f"Cannot write {what} to {output}: "
                         f"{exc.strerror or exc}. Nothing was written.") from exc
    os.close(handle)
    return Path(name)


@dataclass(frozen=True)
class _Provider:
    """Whose day: the name printed, and their Practitioner when it is known."""

    name: str
    reference: str | None = None

    def booked(self, reference: str | None, name: str) -> bool:
        return reference == self.reference if self.reference else _same(name, self.name)


def _provider(conn: Connection, asked: str | None) -> _Provider | None:
    """The provider the clerk named: a Hearth user who sees patients (their Practitioner,
    as booking finds it), a Practitioner id, or a practitioner's name."""
    if asked is None:
        return None
    text = " ".join(asked.split())
    if not text:
        raise UsageError("Say which provider with --provider, or leave it out for the whole "
                         "clinic.")
    user = find_user(conn, text)
    if user is not None:
        try:
            who = provider(conn, text)
        except BookingRefused:
            raise UsageError(f"{user.full_name or text} ({text}) is {user.role}, not a "
                             "clinician with appointments; name a physician or a nurse, or "
                             "leave --provider out for the whole clinic.") from None
        return _Provider(who.name, who.reference)
    doctors = {rid: _given_family(fhir_json.loads(body))
               for rid, body in conn.execute(PRACTITIONERS)}
    rid = text.removeprefix("Practitioner/")
    if rid in doctors:
        return _Provider(doctors[rid], f"Practitioner/{rid}")
    if any(_same(name, text) for name in doctors.values()):
        return _Provider(text)
    raise NotFound(f"There is no provider '{asked}': give a Hearth user name, a "
                   "practitioner's name or a Practitioner id.")


def _rows(conn: Connection, day: date, wanted: _Provider | None) -> list[_Read]:
    since, until = (_utc(datetime.combine(d, time.min).astimezone())
                    for d in (day, day + timedelta(days=1)))
    ids = [row.id for row in conn.execute(DAY_QUERY, {"since": since, "until": until})]
    records = dict(conn.execute(PAGE_QUERY, {"ids": ids}).all()) if ids else {}
    appointments = [fhir_json.loads(records[rid]) for rid in ids]
    patients = _people(conn, "Patient", appointments)
    doctors = _people(conn, "Practitioner", appointments)
    read = []
    for appointment in appointments:
        patient_ref, doctor_ref = _actor(appointment, "Patient"), _actor(appointment,
                                                                        "Practitioner")
        doctor = doctors.get(doctor_ref.get("reference", ""))
        doctor_name = _given_family(doctor) if doctor else doctor_ref.get("display", "")
        if wanted is not None and not wanted.booked(doctor_ref.get("reference"), doctor_name):
            continue
        patient = patients.get(patient_ref.get("reference", ""))
        read.append(_Read(SheetRow(
            start=datetime.fromisoformat(appointment["start"]).astimezone(),
            end=datetime.fromisoformat(appointment["end"]).astimezone()
            if appointment.get("end") else None,
            patient=family_given(patient, "(no name)") if patient
            else patient_ref.get("display", "(no patient)"),
            mrn=(patient and medical_record_number(patient)) or "",
            born=(patient or {}).get("birthDate", ""),
            age=age_text(patient, day) if patient and patient.get("birthDate") else "",
            type=_type_text(appointment),
            status=STATUS_TEXT.get(appointment.get("status", ""), appointment.get("status", "")),
            provider=doctor_name), patient and patient["id"]))
    return read


def _people(conn: Connection, kind: str, appointments: list[dict]) -> dict[str, dict]:
    ids = sorted({ref.removeprefix(f"{kind}/") for a in appointments
                  if (ref := _actor(a, kind).get("reference"))})
    found = {}
    for start in range(0, len(ids), 500):  # SQLite bounds a statement's parameters
        rows = conn.execute(PEOPLE_QUERY, {"type": kind, "ids": ids[start:start + 500]})
        found |= {f"{kind}/{rid}": fhir_json.loads(body) for rid, body in rows}
    return found


def _actor(appointment: dict, kind: str) -> dict:
    for participant in appointment.get("participant", []):
        actor = participant.get("actor") or {}
        if str(actor.get("reference", "")).startswith(f"{kind}/"):
            return actor
    return {}


def _type_text(appointment: dict) -> str:
    concept = appointment.get("appointmentType") or {}
    return concept.get("text") or (concept.get("coding") or [{}])[0].get("display", "")


def _given_family(person: dict) -> str:
    name = main_name(person)
    return " ".join([*name.get("given", []), name.get("family", "")]).strip() or name.get(
        "text", "")


def _same(one: str, other: str) -> bool:
    return one.casefold().split() == other.casefold().split()


def _utc(moment: datetime) -> str:
    """As SQLite's datetime() writes a UTC time (schedule.DAY_QUERY compares them as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
