"""Allergy substances are picked from a coded list: the drug catalogue's ingredients and
classes, coded as the safety checks match them, and SNOMED CT foods and environment
substances from a versioned file; a damaged file is named and free text still works."""

import pytest
from sqlalchemy import text

from app.clinical.charting.allergens import load_allergens
from app.clinical.charting.medications import RXNORM
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.safety.patient_lists import DRUG_CLASS
from app.clinical.safety.prescribing import SafetyAlerts
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)

SNOMED = "http://snomed.info/sct"
AMOXICILLIN_250MG = "308182"


def test_the_list_loads_with_its_source_and_version_and_finds_by_name_prefix():
    allergens = load_allergens()
    assert allergens.problems == ()
    assert allergens.about == ("Hearth allergen list: foods and environment version "
                               "2026.12.1; drugs from Hearth drug catalogue version 2026.12.1")
    assert "smart_synthea2019_snomed_codes.tsv" in allergens.source
    assert [(a.name, a.kind, a.category) for a in allergens.search("PEN", 3)] == [
        ("Penicillins", "drug class", "medication"),
        ("penicillin G", "drug ingredient", "medication"),
        ("penicillin V", "drug ingredient", "medication")]
    [peanut] = allergens.search("peanut")
    assert (peanut.kind, peanut.category, peanut.coding()) == ("food", "food", {
        "system": SNOMED, "code": "91935009", "display": "Allergy to peanuts"})
    assert allergens.search("latex")[0].category == "environment"
    assert allergens.search("grass pol")[0].name == "Grass pollen"
    assert allergens.named("penicillins").coding() == {
        "system": DRUG_CLASS, "code": "penicillin", "display": "Penicillins"}
    assert allergens.named("amoxicillin").coding()["system"] == RXNORM
    assert allergens.search("latex glove") == [] and allergens.named("penicilin") is None


def test_a_damaged_allergen_file_is_named_and_the_drugs_still_load(tmp_path):
    damaged = tmp_path / "allergens.json"
    damaged.write_text('{"name": "Clinic list", "substances": [')
    allergens = load_allergens(path=str(damaged))
    assert allergens.problems == (
        f"The allergen list file {damaged} could not be read (unexpected end of data: line 1 "
        "column 40 (char 39)): foods and environment substances cannot be picked; type them "
        "as free text.",)
    assert allergens.search("peanut") == [] and allergens.named("Penicillins") is not None


def test_a_bad_row_is_named_and_the_rest_load(tmp_path):
    clinic = tmp_path / "allergens.json"
    clinic.write_text('{"name": "Clinic list", "version": "1", "date": "2026-12-01", '
                      '"source": "us", "licence": "ours", "substances": ['
                      '{"name": "Peanut", "kind": "food", "code": "91935009", "term": "P"},'
                      '{"name": "Kiwi", "kind": "fruit", "code": "1", "term": "K"}]}')
    allergens = load_allergens(path=str(clinic))
    assert allergens.problems == (
        f"The allergen list file {clinic}: substances row 2 has kind 'fruit', not one of "
        "food, environment; that row was left out.",)
    assert [a.name for a in allergens.search("peanut")] == ["Peanut"]
    assert allergens.about.startswith("Clinic list version 1; drugs from")


def test_an_unusable_drug_catalogue_leaves_foods_and_says_so(tmp_path):
    allergens = load_allergens(lambda: load_catalogue(str(tmp_path / "gone.json")))
    [problem] = allergens.problems
    assert problem.startswith(f"Cannot read the drug catalogue file {tmp_path / 'gone.json'}")
    assert problem.endswith("Drug allergies cannot be picked from the list; one typed in is "
                            "recorded as free text, which no prescription is checked against.")
    assert allergens.named("Penicillins") is None and allergens.named("Peanut") is not None


def test_penicillins_picked_from_the_list_stops_amoxicillin(ward):
    doctor, ann = ward.doctor, ward.patient_id
    penicillins = doctor.allergies.allergens().named("Penicillins")
    doctor.allergies.add(doctor.session, ann, penicillins.name, "Hives", "moderate",
                         substance_code=penicillins.coding(), category=penicillins.category)
    with pytest.raises(SafetyAlerts, match=r"Contraindicated drug-allergy: Amoxicillin 250 MG "
                       r"Oral Capsule for a patient allergic to Penicillins \(penicillins\)"):
        doctor.medications.prescribe(doctor.session, ann, "Amoxicillin 250 MG Oral Capsule",
                                     "1 capsule three times daily", rxnorm=AMOXICILLIN_250MG)


def test_ordering_for_free_text_allergies_only_says_no_coded_check_ran(ward):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.allergies.add(doctor.session, ann, "penicilin", "Hives", "moderate",
                         category="medication")
    started = doctor.medications.prescribe(
        doctor.session, ann, "Amoxicillin 250 MG Oral Capsule", "1 capsule three times daily",
        rxnorm=AMOXICILLIN_250MG)
    assert started.alerts == ()
    with doctor.store.read() as conn:
        details = conn.execute(text("SELECT json_extract(json, '$.detail') FROM resource "
                                    "WHERE type = 'DetectedIssue'")).scalars().all()
    assert details == ["No coded check ran for the allergy 'penicilin' recorded as text."]
