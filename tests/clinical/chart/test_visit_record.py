"""Opening a visit shows what was charted in it: diagnoses, notes, vitals, results and orders,
each with when and by whom, read in one audited read of the patient's own chart."""

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.chart.visit_record import VisitRecords
from app.errors import NotFound
from tests.clinical.chart.visit_ward import EMPTY_VISIT, ROSA, VISIT, build
from tests.conftest import password_of


@pytest.fixture(scope="module")
def doctor(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("visits") / "store"
    ws = open_workstation(build(root, {"drlee": ("Dr Lee", "physician")}), root, "drlee",
                          password_of("drlee"))
    yield ws
    ws.store.close()


def shown(visit, group):
    return [(line.item.title, line.author, line.role) for line in visit.lines[group]]


def test_a_visit_shows_what_was_charted_in_it_and_by_whom(doctor):
    visit = VisitRecords(doctor.store).read(doctor.session, ROSA, VISIT)
    assert visit.encounter.title == "Diabetes follow-up"
    assert visit.participants == ["Dr Amy Shah", "Dr. Chidi Okafor"]
    assert visit.reasons == ["Tiredness for three weeks"]
    assert shown(visit, "diagnoses") == [
        ("Type 2 diabetes mellitus", "Dr Amy Shah", None),
        ("Anaemia", "Dr. Chidi Okafor", "Discharge diagnosis")]  # named by Encounter.diagnosis
    assert shown(visit, "notes") == [("Progress note", "Dr Amy Shah", None)]
    assert shown(visit, "vitals") == [("Body weight", "Nina Nurse", None)]
    assert [line.item.title for line in visit.lines["results"]] == ["Hemoglobin", "Leukocytes"]
    assert shown(visit, "orders") == [("Metformin 500 mg tablet", "Dr Amy Shah", None),
                                      ("HbA1c", "Dr Amy Shah", None)]
    assert visit.others == {"procedures": 1, "reports": 1}  # counted, not hidden


def test_a_visit_with_nothing_charted_says_so(doctor):
    assert VisitRecords(doctor.store).read(doctor.session, ROSA, EMPTY_VISIT).empty


def test_opening_a_visit_is_one_audited_read_of_its_patient(doctor):
    VisitRecords(doctor.store).read(doctor.session, ROSA, VISIT)
    with doctor.store.read() as conn:
        last = conn.execute(text("SELECT patient, detail FROM audit ORDER BY rowid DESC "
                                 "LIMIT 1")).one()
    assert tuple(last) == (ROSA, f"visit Encounter/{VISIT} with what was charted in it")


def test_a_visit_is_opened_only_from_its_own_patients_chart(doctor):
    with pytest.raises(NotFound, match="not a visit in this patient's chart"):
        VisitRecords(doctor.store).read(doctor.session, "someone-else", VISIT)
