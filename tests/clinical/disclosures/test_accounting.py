"""The accounting of disclosures as a privacy officer and a patient read it: each print
listed with when, by whom, what and to whom; the list printed for the patient parses back
and is itself recorded; only those who read charts or the audit trail may see it."""

from datetime import UTC, datetime, timedelta

import pdfplumber
import pytest

from app.bootstrap import open_workstation
from app.clinical.disclosures.accounting import Disclosures
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.errors import NotFound, PermissionDenied, UsageError
from tests.clinical.amendments.amendment_ward import OTTO, build
from tests.clinical.chart.visit_ward import EMPTY_VISIT, ROSA
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("disclosures") / "store"
    env = build(root)
    stations = {u: open_workstation(env, root, u, password_of(u))
                for u in ("drlee", "audrey", "frank")}
    yield stations
    for ws in stations.values():
        ws.store.close()


def printed(ws, path, patient, document, **how):
    return Printouts(ws.store).print(ws.session, PrintRequest(patient, document, path, **how),
                                     environ={"LANG": "en_GB.UTF-8"})


def listed(ws, patient):
    return Disclosures(ws.store).of_patient(ws.session, patient)


def test_a_print_is_listed_with_when_by_whom_and_to_whom(clinic, tmp_path):
    doctor = clinic["drlee"]
    printed(doctor, tmp_path / "meds.pdf", ROSA, "medications", to="Dr Ada Park, Cardiology")
    name, found = listed(doctor, ROSA)
    newest = found[-1]
    assert name == "Ruiz, Rosa"
    assert newest.by == "Dr Lee (physician)" and newest.to == "Dr Ada Park, Cardiology"
    assert newest.what.startswith(f"Medication list printed to {tmp_path / 'meds.pdf'} (a4)")
    assert datetime.now(UTC) - datetime.fromisoformat(newest.at) < timedelta(minutes=1)


def test_a_recipient_reads_back_exactly_and_a_print_without_one_says_so(clinic, tmp_path):
    doctor = clinic["drlee"]
    odd = 'Smith; Jones "Law" LLP'
    printed(doctor, tmp_path / "a.pdf", OTTO, "problems", to=odd)
    printed(doctor, tmp_path / "b.pdf", OTTO, "problems")
    assert [d.to for d in listed(doctor, OTTO)[1][-2:]] == [odd, "not recorded"]


def test_a_failed_print_disclosed_nothing_and_is_not_listed(clinic, tmp_path):
    doctor = clinic["drlee"]
    before = listed(doctor, ROSA)[1]
    with pytest.raises(UsageError):
        printed(doctor, tmp_path / "n.pdf", ROSA, "visit-note", visit=EMPTY_VISIT, to="Rosa")
    assert listed(doctor, ROSA)[1] == before


def test_the_list_printed_for_the_patient_parses_back_and_is_recorded(clinic, tmp_path):
    doctor = clinic["drlee"]
    printed(doctor, tmp_path / "first.pdf", ROSA, "immunizations", to="Springfield School")
    out = tmp_path / "accounting.pdf"
    done = printed(doctor, out, ROSA, "disclosures", to="the patient")
    with pdfplumber.open(out) as pdf:
        said = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert said.startswith("Accounting of disclosures Ruiz, Rosa · born 1961-07-14")
    assert "Immunization record printed" in said and "Springfield School" in said
    assert "Dr Lee (physician)" in said and done.entries == said.count("printed to")
    assert listed(doctor, ROSA)[1][-1].what.startswith("Accounting of disclosures printed")
    assert listed(doctor, ROSA)[1][-1].to == "the patient"


def test_the_auditor_may_read_it_and_the_front_desk_may_not(clinic):
    assert listed(clinic["audrey"], ROSA)[0] == "Ruiz, Rosa"
    with pytest.raises(PermissionDenied):
        listed(clinic["frank"], ROSA)


@pytest.mark.parametrize(("to", "said"), [
    ("  ", "The recipient is empty: name who the document is for"),
    ("x" * 201, "The recipient is 201 characters long")])
def test_a_bad_recipient_is_refused_and_nothing_is_printed(clinic, tmp_path, to, said):
    out = tmp_path / "meds.pdf"
    with pytest.raises(UsageError, match=said):
        printed(clinic["drlee"], out, ROSA, "medications", to=to)
    assert not out.exists()


def test_an_unknown_patient_is_a_sentence(clinic):
    with pytest.raises(NotFound, match="There is no patient nobody."):
        listed(clinic["drlee"], "nobody")
