"""The day sheet PDF: what a front desk clerk reads on the printed page, parsed back."""

from datetime import date, datetime, timedelta

import pdfplumber
import pytest
from sqlalchemy import text

from app.clinical.fhir.names import medical_record_number
from app.clinical.visits.day_sheet import DaySheet, DaySheetRequest, default_paper
from app.clinical.visits.schedule import Schedule
from app.errors import NotFound, PermissionDenied, UsageError
from app.security.policy import BillingPolicy
from fhir_common import fhir_json
from tests.conftest import signed_in_users

# Samuel Predovic: the first practitioner (by id) of the Synthea data, here also a user
USERS = {"desk": ("Frank Desk", "front-desk"), "admin2": ("Ada Second", "admin"),
         "predovic": ("Samuel Predovic", "physician")}
BUSY = date(2032, 3, 2)  # 60 appointments
QUIET = date(2032, 3, 3)  # three, one cancelled


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    stations = signed_in_users(tmp_path_factory.mktemp("day-sheet") / "store", USERS)
    ws = next(stations)
    desk = ws["desk"]
    with desk.store.read() as conn:
        patients = [row[0] for row in conn.execute(text(
            "SELECT id FROM resource WHERE type = 'Patient' ORDER BY id"))]
        doctors = conn.execute(text(
            "SELECT 'Practitioner/' || id, json_extract(json, '$.name[0].given[0]') || ' ' || "
            "json_extract(json, '$.name[0].family') FROM resource WHERE type = 'Practitioner' "
            "ORDER BY id LIMIT 2")).all()
    schedule = Schedule(desk.store)
    start = datetime.combine(BUSY, datetime.min.time()).replace(hour=8)
    for n in range(60):
        schedule.book(desk.session, patients[n % len(patients)], doctors[n % 2][0],
                      start + timedelta(minutes=10 * n), 10, "Follow-up")
    quiet = datetime.combine(QUIET, datetime.min.time())
    schedule.book(desk.session, patients[0], doctors[0][0], quiet.replace(hour=9), 20,
                  "Check-up")
    gone = schedule.book(desk.session, patients[0], doctors[0][0], quiet.replace(hour=10), 20,
                         "Routine")
    schedule.book(desk.session, patients[0], doctors[1][0], quiet.replace(hour=11), 20,
                  "Walk-in")
    with desk.store.write() as conn:  # cancelled elsewhere (SCHEDULING owns cancelling)
        conn.execute(text("UPDATE resource SET json = json_set(json, '$.status', 'cancelled') "
                          "WHERE type = 'Appointment' AND id = :id"), {"id": gone.id})
    yield ws, patients, doctors
    next(stations, None)


def pages_text(path) -> list[str]:
    """Each page's words, one space apart (a long MRN wraps onto a line of its own)."""
    with pdfplumber.open(path) as pdf:
        return [" ".join(page.extract_text().split()) for page in pdf.pages]


def test_a_busy_day_prints_every_appointment_on_numbered_pages(clinic, tmp_path):
    ws, patients, doctors = clinic
    out = tmp_path / "day.pdf"
    printed = DaySheet(ws["desk"].store).print(
        ws["desk"].session, DaySheetRequest(BUSY, out, paper="a4", clinic="Riverside Clinic"))
    pages = pages_text(out)
    assert printed.appointments == 60 and printed.pages == len(pages) >= 2
    head = "Riverside Clinic · Day sheet Tuesday 02 March 2032 · Whole clinic"
    assert all(page.startswith(head) and page.endswith(f"Page {n} of {len(pages)}")
               for n, page in enumerate(pages, start=1))  # a loose page says its day
    header = "Time Patient Type Provider Status Notes"
    assert all("Printed by desk at" in page and header in page for page in pages)
    whole = " ".join(pages)
    assert "60 appointments: 60 booked" in pages[0]
    assert all(f"{8 + n // 6:02d}:{n % 6 * 10:02d}" in whole for n in range(60))
    assert all(doctor[1].split()[-1] in whole for doctor in doctors)  # each provider named


def test_the_sheet_names_the_clinic_as_its_other_printouts_do(clinic, tmp_path):
    ws, _, _ = clinic
    out = tmp_path / "day.pdf"
    named = BillingPolicy(organization_name="Lakeside Health Centre")
    DaySheet(ws["desk"].store, billing=named).print(ws["desk"].session,
                                                    DaySheetRequest(QUIET, out, paper="a4"))
    assert pages_text(out)[0].startswith("Lakeside Health Centre · Day sheet "
                                         "Wednesday 03 March 2032 · Whole clinic")


def test_one_providers_day_shows_names_mrn_birth_date_and_status(clinic, tmp_path):
    ws, patients, doctors = clinic
    out = tmp_path / "doc.pdf"
    printed = DaySheet(ws["desk"].store).print(
        ws["desk"].session, DaySheetRequest(QUIET, out, provider=doctors[0][1], paper="letter"))
    page = pages_text(out)[0]
    with ws["desk"].store.read() as conn:
        body = conn.execute(text("SELECT json FROM resource WHERE type = 'Patient' AND "
                                 "id = :id"), {"id": patients[0]}).scalar_one()
    patient = fhir_json.loads(body)
    family, given = patient["name"][0]["family"], patient["name"][0]["given"][0]
    born, mrn = patient["birthDate"], medical_record_number(patient)
    assert printed.appointments == 2 and printed.paper == "letter"
    assert f"Provider: {doctors[0][1]}" in page
    assert f"{family}, {given}" in page and f"born {born}" in page and f"MRN {mrn}" in page
    assert "09:00–09:20" in page and "Booked" in page and "Cancelled" in page
    assert "Walk-in" not in page  # the other provider's
    with pdfplumber.open(out) as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (612, 792)


def test_a_provider_named_by_user_or_id_and_an_unknown_one(clinic, tmp_path):
    ws, _, doctors = clinic
    sheet, desk = DaySheet(ws["desk"].store), ws["desk"]
    by_id = sheet.print(desk.session, DaySheetRequest(QUIET, tmp_path / "a.pdf",
                                                      provider=doctors[1][0]))
    assert by_id.appointments == 1
    by_user = sheet.print(desk.session, DaySheetRequest(QUIET, tmp_path / "u.pdf",
                                                        provider="predovic"))
    assert (doctors[0][1], by_user.appointments) == ("Samuel Predovic", 2)
    with pytest.raises(UsageError, match=r"Frank Desk \(desk\) is front-desk, not a clinician"):
        sheet.print(desk.session, DaySheetRequest(QUIET, tmp_path / "c.pdf", provider="desk"))
    with pytest.raises(NotFound, match="There is no provider 'Dr Nobody'"):
        sheet.print(desk.session, DaySheetRequest(QUIET, tmp_path / "b.pdf",
                                                  provider="Dr Nobody"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "u.pdf"]  # no half files


def test_an_unwritable_place_is_said_before_anything_is_read(clinic, tmp_path):
    ws, _, _ = clinic
    with pytest.raises(UsageError, match="Cannot write the day sheet to .*nowhere"):
        DaySheet(ws["desk"].store).print(
            ws["desk"].session, DaySheetRequest(QUIET, tmp_path / "nowhere" / "day.pdf"))
    with pytest.raises(UsageError, match="is a folder"):
        DaySheet(ws["desk"].store).print(ws["desk"].session, DaySheetRequest(QUIET, tmp_path))


def test_the_print_is_one_audited_read_naming_the_patients(clinic, tmp_path):
    ws, patients, _ = clinic
    desk = ws["desk"]
    DaySheet(desk.store).print(desk.session, DaySheetRequest(QUIET, tmp_path / "d.pdf"))
    with desk.store.read() as conn:
        detail = conn.execute(text("SELECT detail FROM audit WHERE user = 'desk' "
                                   "ORDER BY seq DESC LIMIT 1")).scalar_one()
    assert detail.startswith("day sheet of 2032-03-03 for the whole clinic: 3 appointments")
    assert patients[0] in detail


def test_paper_follows_the_locale_unless_chosen(clinic, tmp_path):
    assert default_paper({"LANG": "en_US.UTF-8"}) == "letter"
    assert default_paper({"LC_PAPER": "fr_CA.UTF-8", "LANG": "en_GB.UTF-8"}) == "letter"
    assert default_paper({"LANG": "de_DE.UTF-8"}) == "a4" == default_paper({})
    ws, _, _ = clinic
    with pytest.raises(UsageError, match="'legal' is not a paper size"):
        DaySheet(ws["desk"].store).print(ws["desk"].session,
                                         DaySheetRequest(QUIET, tmp_path / "p.pdf", paper="legal"))


def test_a_role_that_may_not_read_demographics_prints_nothing(clinic, tmp_path):
    ws, _, _ = clinic
    with pytest.raises(PermissionDenied, match="read patient demographics"):
        DaySheet(ws["admin2"].store).print(ws["admin2"].session,
                                          DaySheetRequest(QUIET, tmp_path / "x.pdf"))
    assert not list(tmp_path.iterdir())
