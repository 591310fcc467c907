"""Note templates that pull in the chart: {vitals}, {problems}, {medications} and
{allergies} filled when a note starts (an audited read), editable after; a template naming
a field Hearth does not fill is refused with a sentence naming the file and the field."""

import re

import pytest
from sqlalchemy import text

from app.clinical.notes.notes import Notes
from app.clinical.notes.template_fields import directions
from app.clinical.notes.templates import TEMPLATES, Template, offered, problem
from app.errors import InvalidRecord
from tests.conftest import password_of, sign_in
from tests.sync.stations import patient

DAY = r"\d\d [A-Z][a-z]{2} \d{4}"  # "02 Mar 2026"


@pytest.fixture
def doctor(admin, env, store_dir):
    """Dr Lee signed in, her Notes, and a patient with nothing charted yet."""
    ws = sign_in(admin, env, store_dir, "drlee", "physician")
    yield ws, Notes(ws.store, ws.policy), ws.patients.register(ws.session, patient("Okafor"))["id"]
    ws.store.close()


def test_a_new_soap_note_holds_the_patients_chart_and_is_edited_like_any_text(doctor):
    ws, notes, ann = doctor
    ws.vitals.record(ws.session, ann, {"systolic": "128", "diastolic": "82",
                                       "heart_rate": "72", "temperature": "37.2",
                                       "weight": "75.9"})
    ws.problems.add(ws.session, ann, "I10")
    ws.medications.start(ws.session, ann, "Metformin 500 mg tablet",
                         "1 tablet by mouth twice daily")
    ws.allergies.add(ws.session, ann, "Penicillin", "Hives", "severe")

    draft = notes.start_draft(ws.session, ann, "soap")

    lines = draft.text.splitlines()
    assert re.fullmatch(rf"- Blood pressure: 128/82 mmHg \({DAY}\)", lines[
        lines.index("Vital signs (latest recorded):") + 1])
    for shown in (r"- Heart rate: 72 /min", r"- Temperature: 37\.2 °C", r"- Weight: 75\.9 kg"):
        assert any(re.fullmatch(rf"{shown} \({DAY}\)", line) for line in lines), shown
    assert "- Essential (primary) hypertension (ICD-10-CM I10)" in lines
    assert "- Metformin 500 mg tablet: 1 tablet by mouth twice daily" in lines
    assert "- Penicillin: Hives (severe)" in lines
    assert "{" not in draft.text
    with ws.store.read() as conn:
        [(detail,)] = conn.execute(text(
            "SELECT detail FROM audit WHERE entity = :e AND action = 'read' AND seq > "
            "(SELECT max(seq) FROM audit WHERE detail LIKE 'allergy added%')"),
            {"e": f"Patient/{ann}"}).all()
    assert detail == ("chart read to fill the SOAP note template: medications, allergies, "
                      "vitals, problems")

    edited = draft.text.replace("Subjective:\n", "Subjective:\nTired for a week.\n").replace(
        "- Heart rate: 72", "- Heart rate: 74")
    notes.save_draft(ws.session, draft.id, edited)
    signed = notes.sign(ws.session, draft.id, password_of("drlee"))
    assert "Tired for a week." in signed.text and "- Heart rate: 74 /min" in signed.text


def test_allergies_say_no_known_allergies_only_when_that_is_recorded(doctor):
    ws, notes, ann = doctor
    before = notes.start_draft(ws.session, ann, "soap").text
    assert "Allergies:\nNone recorded (not the same as no known allergies)\n" in before
    assert "No active medications recorded" in before and "No vital signs recorded" in before
    ws.allergies.record_no_known_allergies(ws.session, ann)
    after = notes.start_draft(ws.session, ann, "soap").text
    assert re.search(rf"Allergies:\nNo known allergies \(recorded {DAY}\)\n", after)


def test_a_note_holding_only_what_its_template_filled_in_is_not_signed(doctor):
    ws, notes, ann = doctor
    draft = notes.start_draft(ws.session, ann, "progress")
    with pytest.raises(InvalidRecord, match=r"Only the template's headings \(and what it "
                                            r"filled in from the chart\)"):
        notes.sign(ws.session, draft.id, password_of("drlee"))


def test_a_template_naming_an_unknown_field_is_refused_naming_the_file_and_field(
        doctor, tmp_path, monkeypatch):
    ws, notes, ann = doctor
    (tmp_path / "soap.txt").write_text("Objective:\n{vital}\n", encoding="utf-8")
    broken = Template("soap", "SOAP note", "11506-3", "Progress note", folder=tmp_path)
    monkeypatch.setitem(TEMPLATES, "soap", broken)  # the clinic's edited file

    [listed] = [problem for template, problem in offered(TEMPLATES) if template is broken]
    assert listed == (
        "The note template soap.txt (SOAP note) names {vital}, which is not a field Hearth "
        "fills in (it fills {vitals}, {problems}, {medications}, {allergies}), so it cannot "
        "be used. Correct the file in resources/note-templates, or write {{vital}} to keep "
        "the braces as text.")
    with pytest.raises(InvalidRecord, match=re.escape(listed)):
        notes.start_draft(ws.session, ann, "soap")
    assert notes.drafts(ws.session, ann) == []
    assert all(problem is None for template, problem in offered(TEMPLATES)
               if template is not broken)


def test_a_template_file_that_is_gone_is_refused_naming_it(tmp_path):
    gone = Template("progress", "Progress note", "11506-3", "Progress note", folder=tmp_path)
    assert problem(gone) == ("The note template progress.txt (Progress note) could not be "
                             "read (No such file or directory), so it cannot be used.")


def test_other_braces_are_left_as_written(doctor, tmp_path, monkeypatch):
    ws, notes, ann = doctor
    (tmp_path / "soap.txt").write_text("BP {BP} { } {left arm} {{vitals}}: {vitals}",
                                       encoding="utf-8")
    monkeypatch.setitem(TEMPLATES, "soap", Template("soap", "SOAP note", "11506-3",
                                                    "Progress note", folder=tmp_path))
    draft = notes.start_draft(ws.session, ann, "soap")
    assert draft.text == "BP {BP} { } {left arm} {vitals}: No vital signs recorded"


@pytest.mark.parametrize("dosage, shown", [
    ({"text": "1 tablet by mouth twice daily"}, "1 tablet by mouth twice daily"),
    ({"timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
      "asNeededBoolean": False, "doseAndRate": [{"doseQuantity": {"value": 1.0}}]},
     "dose 1, once every 4 hours"),
    ({"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
      "doseAndRate": [{"doseQuantity": {"value": 500, "unit": "mg"}}],
      "route": {"text": "mouth"}}, "500 mg, twice a day, by mouth"),
    ({"asNeededBoolean": True}, "as needed"),
])
def test_structured_doses_read_as_directions(dosage, shown):
    assert directions(dosage) == shown
