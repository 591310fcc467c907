"""Every way a drug reaches the chart is checked, on a real store: starting a medication is
refused on an interrupting alert until overridden with a reason, adding an allergy names the
drugs to review, a missing pack needs an acknowledgement, a drug typed as text says no check
ran; and each alert shown is kept as a FHIR DetectedIssue beside the order."""

import orjson
import pytest
from sqlalchemy import text

from app.clinical.charting.medications import RXNORM, Medications
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.safety.check import SafetyChecks
from app.clinical.safety.packs import load_knowledge
from app.clinical.safety.prescribing import AcknowledgementNeeded, SafetyAlerts
from app.security.policy import SafetyPolicy
from tests.clinical.charting.test_problems import audit_details, valid, ward  # noqa: F401

WARFARIN_5MG, IBUPROFEN_200MG, AMOXICILLIN_250MG = "855332", "310965", "308182"
PENICILLIN_V, PENICILLIN_V_POTASSIUM_250MG, CEPHALEXIN = "7984", "834061", "2231"
SNOMED_PENICILLIN_ALLERGY = {"system": "http://snomed.info/sct", "code": "91936005",
                             "display": "Allergy to penicillin"}


def start(ws, patient_id, name, rxnorm=None, **why):
    return ws.medications.prescribe(ws.session, patient_id, name, "1 tablet daily",
                                    rxnorm=rxnorm, **why)


def issues(ws, patient_id) -> list[dict]:
    with ws.store.read() as conn:
        rows = conn.execute(text("SELECT json FROM resource WHERE type = 'DetectedIssue' "
                                 "AND deleted = 0")).scalars()
        return [i for i in map(orjson.loads, rows)
                if i["patient"]["reference"] == f"Patient/{patient_id}"]


def medication_names(ws, patient_id) -> list[str]:
    return [i.title for i in ws.chart.summary(ws.session, patient_id).active_medications]


def test_warfarin_for_a_patient_on_ibuprofen_is_refused_naming_the_interaction(ward):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    with pytest.raises(SafetyAlerts) as refused:
        start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG)
    assert refused.value.message.startswith(
        "Warfarin 5 mg tablet was not saved: Major drug-drug: Warfarin Sodium 5 MG Oral Tablet "
        "with Ibuprofen 200 MG Oral Tablet (on the medication list): ")
    assert "Source: Not on the ONC list. Malone DC" in refused.value.message
    assert refused.value.message.endswith("Give a reason to override this alert, or choose "
                                          "another drug.")
    assert refused.value.exit_code == 2 and len(refused.value.alerts) == 1
    assert medication_names(doctor, ann) == ["Ibuprofen 200 MG Oral Tablet"]
    with pytest.raises(SafetyAlerts):
        start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG, override="   ")
    assert issues(doctor, ann) == []


def test_with_a_reason_it_saves_keeping_the_alert_and_the_override(ward):
    doctor, ann = ward.doctor, ward.patient_id
    ibuprofen = start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG).request
    started = start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG,
                    override="Ibuprofen stops tomorrow; INR checked on Friday")
    order = started.request
    [issue] = issues(doctor, ann)
    assert valid(issue) and issue["status"] == "final" and issue["severity"] == "high"
    assert issue["code"]["coding"][0]["code"] == "DRG"
    assert issue["implicated"] == [{"reference": f"MedicationRequest/{order['id']}"},
                                   {"reference": f"MedicationRequest/{ibuprofen['id']}"}]
    assert "serious bleeding" in issue["detail"]
    assert "Malone DC" in issue["evidence"][0]["code"][0]["text"]
    [mitigation] = issue["mitigation"]
    assert mitigation["action"]["text"] == ("Overridden: Ibuprofen stops tomorrow; INR "
                                            "checked on Friday")
    assert mitigation["author"]["display"] == doctor.session.full_name
    assert audit_details(doctor, order["id"])[-1] == (
        "medication started: Warfarin 5 mg tablet, 1 tablet daily; safety: 1 alert(s) "
        "overridden, reason: Ibuprofen stops tomorrow; INR checked on Friday")


@pytest.mark.parametrize("allergy", [
    {"system": RXNORM, "code": PENICILLIN_V, "display": "penicillin V"},
    SNOMED_PENICILLIN_ALLERGY])
@pytest.mark.parametrize("drug", [("Amoxicillin 250 MG Oral Capsule", AMOXICILLIN_250MG),
                                  ("Penicillin V potassium", PENICILLIN_V_POTASSIUM_250MG)])
def test_a_penicillin_for_a_penicillin_allergic_patient_is_refused(ward, allergy, drug):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.allergies.add(doctor.session, ann, "Penicillin", "Hives", "moderate",
                         substance_code=allergy, category="medication")
    with pytest.raises(SafetyAlerts, match=r"Contraindicated drug-allergy: .* for a patient "
                       r"allergic to Penicillin \(penicillins\): .*Source: Khan DA"):
        start(doctor, ann, *drug)
    assert medication_names(doctor, ann) == []


def test_a_milder_alert_never_refuses_and_is_kept_without_an_override(ward):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.allergies.add(doctor.session, ann, "Penicillin", "Hives", "moderate",
                         substance_code=SNOMED_PENICILLIN_ALLERGY)
    started = start(doctor, ann, "Cephalexin", CEPHALEXIN)
    assert [(a.severity, a.interrupts) for a in started.alerts] == [("moderate", False)]
    [issue] = issues(doctor, ann)
    assert (issue["severity"], issue["code"]["coding"][0]["code"]) == ("moderate", "ALGY")
    assert "mitigation" not in issue


def test_a_penicillin_allergy_added_for_a_patient_on_amoxicillin_names_the_drug(ward):
    doctor, ann = ward.doctor, ward.patient_id
    amoxicillin = start(doctor, ann, "Amoxicillin 250 MG Oral Capsule",
                        AMOXICILLIN_250MG).request
    recorded = doctor.allergies.record(doctor.session, ann, "Penicillin", "Hives", "severe",
                                       substance_code=SNOMED_PENICILLIN_ALLERGY)
    [alert] = recorded.alerts
    assert alert.kind == "drug-allergy" and alert.about == f"MedicationRequest/{amoxicillin['id']}"
    assert alert.message.startswith("Amoxicillin 250 MG Oral Capsule for a patient allergic to "
                                    "Penicillin (penicillins)")
    assert [a.title for a in doctor.chart.summary(doctor.session, ann).allergies] == [
        "Penicillin"]
    [issue] = issues(doctor, ann)
    assert valid(issue) and issue["implicated"] == [
        {"reference": f"AllergyIntolerance/{recorded.allergy['id']}"},
        {"reference": f"MedicationRequest/{amoxicillin['id']}"}]


def test_a_missing_pack_refuses_the_order_unless_acknowledged(ward, tmp_path):
    doctor, ann = ward.doctor, ward.patient_id
    no_pack = SafetyChecks(doctor.store, load_catalogue(), SafetyPolicy(),
                           load_knowledge(doctor.store.paths.root, shipped=tmp_path / "gone"))
    medications = Medications(doctor.store, safety=no_pack)
    with pytest.raises(AcknowledgementNeeded, match="Warfarin 5 mg tablet was not saved: No "
                       "medication safety pack is installed.* Acknowledge this to order "
                       "anyway."):
        medications.start(doctor.session, ann, "Warfarin 5 mg tablet", "5 mg daily",
                          rxnorm=WARFARIN_5MG)
    assert medication_names(doctor, ann) == []
    medications.start(doctor.session, ann, "Warfarin 5 mg tablet", "5 mg daily",
                      rxnorm=WARFARIN_5MG, acknowledged=True)
    [issue] = issues(doctor, ann)
    assert issue["code"]["text"] == "Medication safety check incomplete"
    assert issue["detail"].startswith("No medication safety pack is installed")
    assert issue["mitigation"][0]["action"]["text"].startswith(
        "Acknowledged that no safety check could run")


def test_a_drug_given_as_text_saves_saying_no_check_ran(ward):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.allergies.add(doctor.session, ann, "Penicillin", "Hives", "moderate",
                         substance_code=SNOMED_PENICILLIN_ALLERGY)
    started = start(doctor, ann, "Penicillin V potassium")
    assert started.alerts == ()
    [issue] = issues(doctor, ann)
    assert valid(issue) and issue["detail"] == (
        "No medication safety check ran: Penicillin V potassium was given as text, not "
        "picked from the drug catalogue.")
    assert medication_names(doctor, ann) == ["Penicillin V potassium"]


def test_the_workstation_checks_with_its_policy_everywhere(ward):
    doctor = ward.doctor
    assert doctor.safety is doctor.medications.safety is doctor.allergies.safety
    assert doctor.safety.catalogue is load_catalogue()
