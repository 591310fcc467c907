"""Patient documents as a clinician and a patient read them, parsed back from the PDF: the
letterhead on every page (clinic, document, name, birth date, MRN, "Page X of Y"), every
entry, nothing off the paper, one disclosure in the audit trail, and a sentence (no file
left behind) for what cannot be printed."""

import bisect

import pdfplumber
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.errors import NotFound, PermissionDenied, UsageError
from tests.clinical.chart.visit_ward import EMPTY_VISIT, ROSA, VISIT
from tests.clinical.printing.print_ward import (
    CLINIC,
    CLINIC_ID,
    HAL,
    HISTORY,
    LONG_DRUG,
    LONG_WORD,
    NOTE_PARAGRAPHS,
    ZOE,
    build,
)
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """The printing charts; a physician and a front-desk clerk signed in."""
    root = tmp_path_factory.mktemp("printing") / "store"
    env = build(root, {"drlee": ("Dr Lee", "physician"), "frank": ("Frank Desk", "front-desk")})
    stations = {u: open_workstation(env, root, u, password_of(u)) for u in ("drlee", "frank")}
    yield stations
    for ws in stations.values():
        ws.store.close()


@pytest.fixture
def doctor(clinic):
    return clinic["drlee"]


def printed(ws, tmp_path, patient, document, **how):
    request = PrintRequest(patient, document, tmp_path / f"{document}.pdf", **how)
    return Printouts(ws.store).print(ws.session, request, environ={"LANG": "en_GB.UTF-8"})


def pages(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [" ".join(page.extract_text().split()) for page in pdf.pages]


def rows(path) -> list[str]:
    """What the paper says, one line per table row (between two ruled lines), each cell's
    words read whole even when the cell wraps: cells are runs of words more than 8 points
    apart, a cell's lines start at the same left edge."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rules = sorted({round(line["top"]) for line in page.lines})
            bands: dict[int, dict[int, list]] = {}
            for word in page.extract_words():
                band = bisect.bisect(rules, word["top"])
                bands.setdefault(band, {}).setdefault(round(word["top"]), []).append(word)
            for band in sorted(bands):
                cells: dict[int, list[str]] = {}
                for top in sorted(bands[band]):
                    left, last = None, None
                    for word in sorted(bands[band][top], key=lambda w: w["x0"]):
                        if last is None or word["x0"] - last > 8:
                            left = round(word["x0"])
                        cells.setdefault(left, []).append(word["text"])
                        last = word["x1"]
                found.append(" ".join(" ".join(cells[x]) for x in sorted(cells)))
    return found


def last_audit(ws) -> tuple:
    with ws.store.read() as conn:
        return tuple(conn.execute(text("SELECT action, outcome, patient, entity, detail FROM "
                                       "audit ORDER BY seq DESC LIMIT 1")).one())


def test_the_after_visit_summary_tells_the_patient_what_happened_and_what_next(doctor,
                                                                               tmp_path):
    done = printed(doctor, tmp_path, ROSA, "after-visit-summary", visit=VISIT)
    said = rows(done.path)
    assert said[:4] == ["After-visit summary Ruiz, Rosa · born 1961-07-14",
                        "Visit 2026-03-02, Diabetes follow-up",
                        "Seen by Dr Amy Shah, Dr. Chidi Okafor",
                        "Reason for visit Tiredness for three weeks"]
    assert said[5].startswith("Body weight 71.5 kg 2026-03-02")
    assert said[7:9] == ["Type 2 diabetes mellitus ICD-10-CM E11.9", "Anaemia ICD-10-CM D64.9"]
    assert said[10] == "HbA1c ordered"
    assert said[12:14] == [
        "Metformin 500 mg tablet 1 tablet by mouth twice daily with meals new at this visit",
        "Salbutamol 100 mcg inhaler 2 puffs inhaled every 4 hours as needed"]
    assert not any("Codeine" in row for row in said)  # stopped: not taken now
    assert said[15].endswith("Follow-up Dr Amy Shah Booked")
    assert said[16].startswith(f"Printed by {doctor.session.user} at")
    assert said[16].endswith("Page 1 of 1") and len(said) == 17
    assert (done.title, done.pages, done.paper) == ("After-visit summary", 1, "a4")


def test_the_letterhead_names_the_clinic_of_the_policy(doctor, tmp_path):
    request = PrintRequest(ROSA, "problems", tmp_path / "p.pdf")
    done = Printouts(doctor.store, f"Organization/{CLINIC_ID}").print(doctor.session, request)
    assert rows(done.path)[0] == f"{CLINIC} · Problem list Ruiz, Rosa · born 1961-07-14"


def test_printing_is_one_disclosure_in_the_audit_trail(doctor, tmp_path):
    done = printed(doctor, tmp_path, ROSA, "medications")
    assert last_audit(doctor) == (
        "export", "success", ROSA, f"Patient/{ROSA}",
        f"disclosure: medication list printed to {done.path} (a4): 3 entries")


def test_the_medication_list_gives_current_drugs_with_their_sigs_then_past_ones(doctor,
                                                                               tmp_path):
    said = rows(printed(doctor, tmp_path, ROSA, "medications").path)
    assert said[1:6] == [
        "Current medications Medication How to take it Since Prescriber",
        "Metformin 500 mg tablet 1 tablet by mouth twice daily with meals 2026-03-02 "
        "Dr Amy Shah",
        "Salbutamol 100 mcg inhaler 2 puffs inhaled every 4 hours as needed 2024-05-10",
        "Past medications Medication How it was taken Started Status",
        "Codeine 30 mg tablet 1 tablet every 6 hours as needed 2021-06-01 stopped"]


def test_the_problem_list_leaves_out_a_problem_entered_in_error_and_says_so(doctor, tmp_path):
    said = rows(printed(doctor, tmp_path, ROSA, "problems").path)
    assert said[1:7] == [
        "Active problems Problem Code Since Status",
        "Anaemia ICD-10-CM D64.9 2026-03-02 active",
        "Type 2 diabetes mellitus ICD-10-CM E11.9 2019-04-01 active",
        "Past problems Problem Code Since Resolved",
        "Fracture of wrist 2015-02-01 2015-05-01",
        "1 problem marked entered in error is not printed."]
    assert not any("Gout" in row for row in said)


def test_the_immunization_record_lists_each_dose_and_one_not_given(doctor, tmp_path):
    said = rows(printed(doctor, tmp_path, ROSA, "immunizations").path)
    assert said[2:4] == ["2025-10-01 Influenza, seasonal, injectable CVX 140 1 FL-2291 given",
                         "2024-03-11 Td (adult) CVX 113 NOT given"]


def test_the_visit_note_prints_the_latest_visits_signed_note(doctor, tmp_path):
    done = printed(doctor, tmp_path, ROSA, "visit-note")  # no --visit: the latest visit
    [page] = pages(done.path)
    assert "Visit 2026-03-02, Diabetes follow-up" in page
    assert "Progress note · by Dr Amy Shah · 2026-03-02 Seen." in page
    assert last_audit(doctor)[4].endswith(f": 1 entry of Encounter/{VISIT}")


def test_a_visit_without_a_signed_note_prints_nothing_and_says_why(doctor, tmp_path):
    with pytest.raises(UsageError, match=f"the visit of 2026-02-01 .Encounter/{EMPTY_VISIT}. "
                                         "has no signed note. No file was written."):
        printed(doctor, tmp_path, ROSA, "visit-note", visit=EMPTY_VISIT)
    assert list(tmp_path.iterdir()) == []
    assert last_audit(doctor)[:2] == ("export", "failure")


def test_a_long_name_and_a_long_drug_stay_inside_the_page_on_letter(doctor, tmp_path):
    done = printed(doctor, tmp_path, ZOE, "medications", paper="letter")
    with pdfplumber.open(done.path) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (612, 792)
        outside = [c["text"] for c in page.chars if c["x0"] < 36 or c["x1"] > page.width - 36
                   or c["top"] < 36 or c["bottom"] > page.height - 36]
        said = " ".join(page.extract_text().split())
    assert outside == []
    assert "Ångström-Øyelaran, Zoë Françoise · born 1990-02-28 · MRN MRN-ZÖ-42" in said
    assert "999-11-2222" not in said  # a social security number stays off paper
    drug = "".join(f"{LONG_DRUG}5 mL by mouth twice daily, {LONG_WORD}2026-01-05".split())
    assert drug in ["".join(row.split()) for row in rows(done.path)]  # whole, in its row


def test_a_60_page_history_prints_whole_with_the_letterhead_on_every_page(doctor, tmp_path):
    done = printed(doctor, tmp_path, HAL, "problems")
    read = pages(done.path)
    assert len(read) == done.pages >= 55 and done.entries == HISTORY
    for number, page in enumerate(read, start=1):
        assert page.startswith("Problem list Long, Hal · born 1940-01-01 · MRN MRN-HAL-1")
        assert page.endswith(f"Page {number} of {len(read)}")
    found = " ".join(read)
    assert all(f"History entry {n:04d}:" in found for n in range(HISTORY))


def test_what_cannot_be_printed_is_refused_with_a_sentence_and_no_file(clinic, tmp_path):
    doctor = clinic["drlee"]
    with pytest.raises(UsageError, match="Long, Hal has no visits"):
        printed(doctor, tmp_path, HAL, "superbill")
    with pytest.raises(UsageError, match="--visit is for a visit's documents"):
        printed(doctor, tmp_path, ROSA, "medications", visit=VISIT)
    with pytest.raises(NotFound, match="There is no patient nobody. No file was written."):
        printed(doctor, tmp_path, "nobody", "problems")
    assert last_audit(doctor)[:3] == ("export", "failure", "nobody")
    with pytest.raises(NotFound, match=f"Encounter/{VISIT} is not a visit in Long, Hal's"):
        printed(doctor, tmp_path, HAL, "after-visit-summary", visit=VISIT)
    with pytest.raises(UsageError, match="Long, Hal has no visits"):
        printed(doctor, tmp_path, HAL, "after-visit-summary")
    with pytest.raises(UsageError, match="is a folder: give the problem list a file name"):
        Printouts(doctor.store).print(doctor.session, PrintRequest(ROSA, "problems", tmp_path))
    with pytest.raises(PermissionDenied):
        printed(clinic["frank"], tmp_path, ROSA, "problems")
    assert list(tmp_path.iterdir()) == []


def test_a_long_note_flows_over_pages_every_paragraph_printed(doctor, tmp_path):
    done = printed(doctor, tmp_path, ZOE, "visit-note")
    read = pages(done.path)
    assert len(read) == done.pages >= 4
    for number, page in enumerate(read, start=1):
        assert page.startswith("Visit note Ångström-Øyelaran, Zoë Françoise")
        assert page.endswith(f"Page {number} of {len(read)}")
    found = " ".join(read)
    assert "Consultation · signed by Dr Amy Shah · 2026-01-05" in found
    assert all(f"Paragraph {n:03d}:" in found for n in range(NOTE_PARAGRAPHS))
