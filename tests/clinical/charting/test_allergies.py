"""Allergies and the explicit "no known allergies": valid FHIR, never both at once, history
kept, written only by clinicians."""

import pytest

from app.clinical.charting.allergies import Allergies
from app.errors import InvalidRecord, NotFound, PermissionDenied
from tests.clinical.charting.test_problems import (  # noqa: F401 (the ward fixture)
    active_titles,
    audit_details,
    status,
    valid,
    versions,
    ward,
    writes,
)

PENICILLIN = {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7980",
              "display": "Penicillin G"}


def test_an_allergy_records_substance_reaction_severity_and_criticality(ward):
    allergy = Allergies(ward.nurse.store).add(
        ward.nurse.session, ward.patient_id, "Penicillin", "Hives", "moderate", "high",
        substance_code=PENICILLIN, category="medication")
    assert valid(allergy)
    assert allergy["code"] == {"text": "Penicillin", "coding": [PENICILLIN]}
    assert allergy["reaction"] == [{"manifestation": [{"text": "Hives"}],
                                    "severity": "moderate"}]
    assert (allergy["criticality"], allergy["category"]) == ("high", ["medication"])
    assert (status(allergy, "clinicalStatus"), status(allergy, "verificationStatus")) == (
        "active", "confirmed")
    assert active_titles(ward.nurse, ward.patient_id, "allergies") == ["Penicillin"]
    assert audit_details(ward.nurse, allergy["id"]) == [
        "allergy added: Penicillin (Hives, moderate)"]


def test_what_an_allergy_needs_and_may_not_repeat(ward):
    allergies, session = Allergies(ward.doctor.store), ward.doctor.session
    with pytest.raises(InvalidRecord, match="Say what the patient is allergic to"):
        allergies.add(session, ward.patient_id, " ", "Hives", None)
    with pytest.raises(InvalidRecord, match="a severity belongs to a reaction"):
        allergies.add(session, ward.patient_id, "Latex", "", "severe")
    with pytest.raises(InvalidRecord, match="'terrible' is not a severity"):
        allergies.add(session, ward.patient_id, "Latex", "Rash", "terrible")
    with pytest.raises(NotFound, match="There is no patient nobody"):
        allergies.add(session, "nobody", "Latex", "Rash", "mild")
    allergies.add(session, ward.patient_id, "Latex", None, None)
    with pytest.raises(InvalidRecord, match="latex is already recorded as an active allergy"):
        allergies.add(session, ward.patient_id, "latex", "Rash", "mild")


def test_no_known_allergies_is_an_explicit_record_and_an_allergy_supersedes_it(ward):
    allergies, session = Allergies(ward.doctor.store), ward.doctor.session
    nka = allergies.record_no_known_allergies(session, ward.patient_id)
    assert valid(nka)
    assert nka["code"]["coding"][0] == {"system": "http://snomed.info/sct",
                                        "code": "716186003", "display": "No known allergy"}
    assert allergies.record_no_known_allergies(session, ward.patient_id)["id"] == nka["id"]
    assert active_titles(ward.doctor, ward.patient_id, "allergies") == ["No known allergy"]

    peanut = allergies.add(session, ward.patient_id, "Peanut", "Anaphylaxis", "severe")
    superseded = versions(ward.doctor, nka["id"])[-1]
    assert valid(superseded) and status(superseded, "clinicalStatus") == "inactive"
    assert superseded["note"][-1]["text"] == (
        "No longer true: an allergy to Peanut was recorded.")
    page = ward.doctor.chart.section(session, ward.patient_id, "allergies")
    assert sorted((i.title, i.status) for i in page.items) == [
        ("No known allergy", "inactive"), ("Peanut", "active")]

    with pytest.raises(InvalidRecord, match="No known allergies cannot be recorded: Peanut is "
                                            "recorded as active"):
        allergies.record_no_known_allergies(session, ward.patient_id)
    allergies.inactivate(session, peanut["id"], "Tolerated peanut challenge 2024")
    assert status(allergies.record_no_known_allergies(session, ward.patient_id),
                  "clinicalStatus") == "active"


def test_inactive_and_entered_in_error_allergies_are_kept_with_the_reason(ward):
    allergies, session = Allergies(ward.doctor.store), ward.doctor.session
    sulfa = allergies.add(session, ward.patient_id, "Sulfonamides", "Rash", "mild")
    wrong = allergies.add(session, ward.patient_id, "Shellfish", "Swelling", "severe")
    inactive = allergies.inactivate(session, sulfa["id"], "Desensitised 2023")
    in_error = allergies.enter_in_error(session, wrong["id"], "Charted on the wrong patient")
    assert valid(inactive) and valid(in_error)
    assert status(inactive, "clinicalStatus") == "inactive"
    assert status(in_error, "verificationStatus") == "entered-in-error"
    assert "clinicalStatus" not in in_error  # FHIR R4 ait-2
    assert in_error["note"][-1]["text"] == "Entered in error: Charted on the wrong patient"
    assert audit_details(ward.doctor, wrong["id"])[-1] == (
        "allergy marked entered in error: Charted on the wrong patient")
    with pytest.raises(InvalidRecord, match="Sulfonamides is not active"):
        allergies.inactivate(session, sulfa["id"], "again")
    with pytest.raises(InvalidRecord, match="Shellfish was entered in error"):
        allergies.inactivate(session, wrong["id"], "again")
    shown = ward.doctor.chart.summary(session, ward.patient_id).allergies  # what the banner gets
    assert [a.id for a in shown] == [sulfa["id"]]  # the mistake is no longer an allergy


def test_editing_an_allergy_replaces_its_reaction_and_adds_a_note(ward):
    allergies, session = Allergies(ward.doctor.store), ward.doctor.session
    added = allergies.add(session, ward.patient_id, "Penicillin", "Hives", "moderate", "low")
    edited = allergies.edit(session, added["id"], severity="severe", criticality="high",
                            note="Worse on the second course")
    assert valid(edited)
    assert edited["reaction"] == [{"manifestation": [{"text": "Hives"}], "severity": "severe"}]
    assert edited["criticality"] == "high"
    assert edited["note"][-1]["text"] == "Worse on the second course"
    assert audit_details(ward.doctor, added["id"])[-1] == (
        "allergy edited: severity moderate -> severe; criticality low -> high; note: Worse "
        "on the second course")
    again = allergies.edit(session, added["id"], reaction="Anaphylaxis", note="ED visit")
    assert valid(again)
    assert again["reaction"] == [{"manifestation": [{"text": "Anaphylaxis"}],
                                  "severity": "severe"}]
    assert [n["text"] for n in again["note"]] == ["Worse on the second course", "ED visit"]
    assert allergies.current(session, added["id"]) == again
    assert audit_details(ward.doctor, added["id"])[-1] == "allergy opened for editing"
    assert len(versions(ward.doctor, added["id"])) == 3

    with pytest.raises(InvalidRecord, match="nothing was changed"):
        allergies.edit(session, added["id"])
    with pytest.raises(InvalidRecord, match="already has that reaction"):
        allergies.edit(session, added["id"], reaction="Anaphylaxis", severity="severe")
    with pytest.raises(InvalidRecord, match="'awful' is not a severity"):
        allergies.edit(session, added["id"], severity="awful")
    bare = allergies.add(session, ward.patient_id, "Latex", None, None)
    with pytest.raises(InvalidRecord, match="a severity belongs to a reaction"):
        allergies.edit(session, bare["id"], severity="mild")


def test_only_an_active_allergy_can_be_edited(ward):
    allergies, session = Allergies(ward.doctor.store), ward.doctor.session
    old = allergies.add(session, ward.patient_id, "Sulfonamides", "Rash", "mild")
    wrong = allergies.add(session, ward.patient_id, "Shellfish", "Swelling", "severe")
    allergies.inactivate(session, old["id"], "Desensitised 2023")
    allergies.enter_in_error(session, wrong["id"], "Wrong patient")
    before = writes(ward.doctor)
    with pytest.raises(InvalidRecord, match="Sulfonamides is not active: only an active "
                                            "allergy can be edited"):
        allergies.edit(session, old["id"], severity="severe")
    with pytest.raises(InvalidRecord, match="Shellfish was entered in error"):
        allergies.edit(session, wrong["id"], note="after all")
    nka = allergies.record_no_known_allergies(session, ward.patient_id)
    with pytest.raises(InvalidRecord, match="records that there is no allergy"):
        allergies.edit(session, nka["id"], reaction="Hives")
    assert writes(ward.doctor)[1] == before[1] + 1  # only the NKA record


@pytest.mark.parametrize("who", ["desk", "billing"])
def test_front_desk_and_billing_may_not_record_allergies(ward, who):
    allergy = Allergies(ward.doctor.store).add(ward.doctor.session, ward.patient_id, "Latex",
                                               None, None)
    ws = getattr(ward, who)
    allergies, before = Allergies(ws.store), writes(ws)
    for attempt in (
        lambda: allergies.add(ws.session, ward.patient_id, "Peanut", "Hives", "mild"),
        lambda: allergies.record_no_known_allergies(ws.session, ward.patient_id),
        lambda: allergies.inactivate(ws.session, allergy["id"], "old"),
        lambda: allergies.enter_in_error(ws.session, allergy["id"], "wrong"),
        lambda: allergies.edit(ws.session, allergy["id"], note="hm"),
        lambda: allergies.current(ws.session, allergy["id"]),
    ):
        with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
            attempt()
    assert writes(ws) == before
