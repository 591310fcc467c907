"""The medication safety check on a real store: interactions with their source, allergy
cross-reactivity, what could not be checked said in words, one audited read, no write."""

from datetime import date
from importlib.resources import files
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.clinical.charting.allergies import Allergies
from app.clinical.charting.medications import RXNORM, Medications
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.records import Records
from app.clinical.safety.check import CheckNotRun, SafetyChecks, UnknownDrug
from app.clinical.safety.pack import SEVERITIES
from app.clinical.safety.packs import load_knowledge
from app.clinical.safety.patient_lists import DRUG_CLASS
from app.errors import UsageError
from app.security.policy import SAFETY_TIERS, Policy, SafetyPolicy
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)

WARFARIN_5MG, IBUPROFEN_200MG, AMOXICILLIN_250MG = "855332", "310965", "308182"
CEPHALEXIN, PENICILLIN_V = "2231", "7984"


def checks(ws, interrupt_at="major", **knowledge) -> SafetyChecks:
    return SafetyChecks(ws.store, load_catalogue(), SafetyPolicy(interrupt_at),
                        load_knowledge(ws.store.paths.root, **knowledge) if knowledge else None)


def on(ws, patient_id, name, rxnorm=None):
    Medications(ws.store).start(ws.session, patient_id, name, "1 tablet daily", rxnorm=rxnorm)


def allergic(ws, patient_id, substance, code=None):
    Allergies(ws.store).add(ws.session, patient_id, substance, "Hives", "moderate",
                            substance_code=code and {"system": RXNORM, "code": code})


def test_warfarin_for_a_patient_on_ibuprofen_shows_the_interaction_and_its_source(ward):
    on(ward.doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    result = checks(ward.doctor).check(ward.doctor.session, ward.patient_id, WARFARIN_5MG)
    [alert] = result.alerts
    assert (alert.kind, alert.severity, alert.interrupts) == ("drug-drug", "major", True)
    assert alert.message.startswith("Warfarin Sodium 5 MG Oral Tablet with Ibuprofen 200 MG "
                                    "Oral Tablet (on the medication list): ")
    assert "serious bleeding" in alert.message and "Malone DC" in alert.source
    assert alert.pack == "Hearth high-priority interactions and allergy groups"
    assert result.unchecked == () and result.status.sentence is None


def test_the_policy_decides_which_tier_interrupts(ward):
    on(ward.doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    result = checks(ward.doctor, "contraindicated").check(
        ward.doctor.session, ward.patient_id, WARFARIN_5MG)
    assert [(a.severity, a.interrupts) for a in result.alerts] == [("major", False)]


def test_amoxicillin_for_a_penicillin_allergy_alerts_and_a_cephalosporin_less_so(ward):
    allergic(ward.doctor, ward.patient_id, "Penicillin V", PENICILLIN_V)
    service = checks(ward.doctor)
    [alert] = service.check(ward.doctor.session, ward.patient_id, AMOXICILLIN_250MG).alerts
    assert (alert.kind, alert.severity) == ("drug-allergy", "contraindicated")
    assert alert.message.startswith("Amoxicillin 250 MG Oral Capsule for a patient allergic "
                                    "to Penicillin V (penicillins): ")
    assert "Khan DA" in alert.source
    [lower] = service.check(ward.doctor.session, ward.patient_id, CEPHALEXIN).alerts
    assert (lower.kind, lower.severity, lower.interrupts) == ("drug-allergy", "moderate", False)


def test_an_allergy_recorded_as_text_is_said_to_be_unchecked(ward):
    allergic(ward.doctor, ward.patient_id, "Penicillin")
    result = checks(ward.doctor).check(ward.doctor.session, ward.patient_id, AMOXICILLIN_250MG)
    assert result.alerts == ()
    assert result.unchecked == (
        "No coded check ran for the allergy 'Penicillin' recorded as text.",)


def test_a_second_drug_with_the_same_ingredient_is_duplicate_therapy(ward):
    on(ward.doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    on(ward.doctor, ward.patient_id, "Herbal sleep tea")
    result = checks(ward.doctor).check(ward.doctor.session, ward.patient_id, "198405")
    assert [(a.kind, a.message) for a in result.alerts] == [(
        "duplicate-therapy", "Ibuprofen 100 MG Oral Tablet and Ibuprofen 200 MG Oral Tablet "
        "(on the medication list) both contain ibuprofen.")]
    assert result.unchecked == ("No coded check ran against the medication 'Herbal sleep "
                                "tea' recorded as text.",)


def test_a_check_is_one_audited_read_and_writes_nothing(ward):
    on(ward.doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    with ward.doctor.store.read() as conn:
        before = conn.execute(text("SELECT count(*) FROM resource")).scalar_one()
        audited = conn.execute(text("SELECT count(*) FROM audit")).scalar_one()
    checks(ward.doctor).check(ward.doctor.session, ward.patient_id, WARFARIN_5MG)
    with ward.doctor.store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM resource")).scalar_one() == before
        rows = conn.execute(text("SELECT action, patient, detail FROM audit "
                                 "ORDER BY seq")).all()[audited:]
    assert [tuple(r) for r in rows] == [("read", ward.patient_id, "medication safety check "
                                         "of Warfarin Sodium 5 MG Oral Tablet (RxNorm 855332)")]


def test_an_unknown_code_is_named_and_nothing_is_checked(ward):
    service = checks(ward.doctor)
    with pytest.raises(UnknownDrug, match="RxNorm code 99999999 is not in the drug catalogue"):
        service.check(ward.doctor.session, ward.patient_id, "99999999")
    with pytest.raises(UnknownDrug, match="'warfarin' is not an RxNorm code"):
        service.check(ward.doctor.session, ward.patient_id, "warfarin")


def test_with_no_pack_the_check_refuses_to_run_with_a_sentence(ward, tmp_path):
    service = checks(ward.doctor, shipped=tmp_path / "gone.json")
    assert service.knowledge.status.needs_acknowledgement
    with pytest.raises(CheckNotRun, match="No medication safety pack is installed"):
        service.check(ward.doctor.session, ward.patient_id, WARFARIN_5MG)


def test_an_outdated_pack_still_checks_but_says_so(ward):
    service = checks(ward.doctor, today=date(2031, 1, 1))
    status = service.check(ward.doctor.session, ward.patient_id, WARFARIN_5MG).status
    assert status.state == "outdated" and status.needs_acknowledgement
    assert "was due for review on 2027-12-01" in status.sentence


def test_the_policy_tiers_are_the_packs_severities_and_a_wrong_one_is_named():
    assert SAFETY_TIERS == SEVERITIES and Policy.default().safety.interrupt_at == "major"
    raw = orjson.loads(files("hearth_resources").joinpath("default-policy.json").read_bytes())
    raw["safety"] = {"interrupt_at": "severe"}
    with pytest.raises(UsageError, match="The policy's safety.interrupt_at is 'severe'; it "
                       "must be one of contraindicated, major, moderate, minor."):
        Policy.from_json(orjson.dumps(raw))
    assert Path(load_knowledge(None).packs[0].file).name == "onc-high-priority.json"


def saved(ws, resource: dict) -> None:
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        work.save(resource, "create")


def test_allergies_coded_by_class_or_snomed_and_drugs_named_by_reference_are_checked(ward):
    doctor, ann = ward.doctor, {"reference": f"Patient/{ward.patient_id}"}
    saved(doctor, {"resourceType": "AllergyIntolerance", "id": "a-nsaid", "patient": ann,
                   "code": {"coding": [{"system": DRUG_CLASS, "code": "nsaid"}],
                            "text": "NSAIDs"}})
    saved(doctor, {"resourceType": "AllergyIntolerance", "id": "a-pen", "patient": ann,
                   "code": {"coding": [{"system": "http://snomed.info/sct",
                                        "code": "91936005"}], "text": "Allergy to penicillin"}})
    saved(doctor, {"resourceType": "MedicationStatement", "id": "s-warfarin", "status":
                   "active", "subject": ann, "medicationReference": {"reference": "#w"},
                   "contained": [{"resourceType": "Medication", "id": "w", "code": {
                       "coding": [{"system": RXNORM, "code": "11289"}], "text": "Warfarin"}}]})
    service = checks(doctor)
    nsaid = service.check(doctor.session, ward.patient_id, IBUPROFEN_200MG).alerts
    assert sorted((a.kind, a.about) for a in nsaid) == [
        ("drug-allergy", "AllergyIntolerance/a-nsaid"),
        ("drug-drug", "MedicationStatement/s-warfarin")]
    [penicillin] = service.check(doctor.session, ward.patient_id, AMOXICILLIN_250MG).alerts
    assert penicillin.about == "AllergyIntolerance/a-pen"


def test_stopped_medications_and_allergies_in_error_are_not_checked_against(ward):
    on(ward.doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    allergic(ward.doctor, ward.patient_id, "Penicillin V", PENICILLIN_V)
    doctor = ward.doctor
    page = doctor.chart.section(doctor.session, ward.patient_id, "medications")
    Medications(doctor.store).stop(doctor.session, page.items[0].id, "Pain gone")
    page = doctor.chart.section(doctor.session, ward.patient_id, "allergies")
    Allergies(doctor.store).enter_in_error(doctor.session, page.items[0].id, "Wrong patient")
    service = checks(doctor)
    assert service.check(doctor.session, ward.patient_id, WARFARIN_5MG).alerts == ()
    assert service.check(doctor.session, ward.patient_id, AMOXICILLIN_250MG).alerts == ()
