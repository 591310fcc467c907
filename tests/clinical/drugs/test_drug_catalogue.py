"""The shipped drug catalogue: Synthea's RxNorm products map to their ingredients and classes,
the common outpatient drugs are there, a typed name finds them, and unknown text is told."""

import csv
from pathlib import Path

import pytest

from app.clinical.drugs.catalogue import load_catalogue, unknown_drug_warning

TESTS = Path(__file__).resolve().parents[2]
SAMPLE = TESTS / "data" / "terminology" / "synthea_rxnorm_sample.tsv"
SHARED = TESTS.parents[1] / "shared" / "data" / "terminology" / "smart_synthea2019_rxnorm_codes.tsv"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def codes(path: Path) -> dict[str, str]:
    with path.open(newline="") as rows:
        return {row["code"]: row["display"] for row in csv.DictReader(rows, delimiter="\t")}


def test_a_synthea_product_names_its_ingredient_and_class(catalogue):
    tablet = catalogue.drug("834061")
    assert tablet.name == "Penicillin V Potassium 250 MG Oral Tablet"
    assert tablet.kind == "product"
    assert catalogue.ingredients("834061") == {"7984"}
    assert catalogue.drug("7984").name == "penicillin V"
    assert catalogue.classes("7984") == {"penicillin"}
    assert tablet.classes == {"penicillin"}


def test_a_combination_product_has_every_ingredient(catalogue):
    assert catalogue.ingredients("562251") == {"723", "48203"}  # amoxicillin, clavulanate
    assert catalogue.drug("562251").classes == {"penicillin", "beta-lactamase-inhibitor"}
    assert catalogue.ingredients("1049221") == {"161", "7804"}  # acetaminophen, oxycodone
    assert "opioid" in catalogue.drug("1049221").classes


def test_an_ingredient_is_its_own_ingredient_and_unknown_codes_have_none(catalogue):
    assert catalogue.ingredients("11289") == {"11289"}
    assert catalogue.classes("11289") == {"anticoagulant-vka"}
    assert catalogue.drug("99999999") is None
    assert catalogue.ingredients("99999999") == frozenset()


def test_the_copied_synthea_codes_are_in_the_catalogue_under_their_names(catalogue):
    for code, display in codes(SAMPLE).items():
        assert catalogue.drug(code) is not None, code
        assert catalogue.drug(code).name.casefold() == display.casefold()


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared/data/terminology absent")
def test_every_synthea_rxnorm_code_is_in_the_catalogue(catalogue):
    missing = sorted(set(codes(SHARED)) - set(catalogue.drugs))
    assert missing == []


def test_the_common_outpatient_drugs_and_classes_are_there(catalogue):
    ingredients = {d.name: d for d in catalogue.drugs.values() if d.kind == "ingredient"}
    for name in ("amoxicillin", "penicillin V", "cephalexin", "azithromycin", "clarithromycin",
                 "ciprofloxacin", "sulfamethoxazole", "trimethoprim", "ibuprofen", "naproxen",
                 "aspirin", "warfarin", "apixaban", "lisinopril", "losartan", "spironolactone",
                 "metformin", "atorvastatin", "simvastatin", "sertraline", "fluoxetine",
                 "phenelzine", "tramadol", "oxycodone", "alprazolam", "sildenafil",
                 "nitroglycerin", "fluconazole", "ketoconazole", "methotrexate", "allopurinol"):
        assert name in ingredients, name
    assert len(ingredients) >= 60
    for class_id in ("penicillin", "cephalosporin", "sulfonamide-antibiotic", "nsaid",
                     "anticoagulant-vka", "statin", "ssri", "maoi", "macrolide",
                     "azole-antifungal", "opioid", "benzodiazepine", "ace-inhibitor", "arb",
                     "potassium-sparing-diuretic", "nitrate", "pde5-inhibitor"):
        assert catalogue.class_name(class_id), class_id
    assert catalogue.class_name("nsaid") == "NSAIDs"


def test_the_shipped_file_states_its_source_and_loads_whole(catalogue):
    assert catalogue.version and catalogue.date
    assert "RxNorm" in catalogue.source and "Synthea" in catalogue.source
    assert "NLM" in catalogue.licence
    assert catalogue.problems == ()


def test_typing_the_start_of_a_name_finds_its_products(catalogue):
    found = [drug.name for drug in catalogue.search("amox")]
    assert found[0] == "amoxicillin"  # the ingredient first, then its products
    assert "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet" in found
    assert [d.name for d in catalogue.search("Amox 500")] == [
        "Amoxicillin 500 MG Oral Tablet", "amoxicillin 500 MG Oral Capsule"]


def test_a_product_is_found_by_its_ingredient_and_by_its_code(catalogue):
    assert "Lasix 40mg" in [drug.name for drug in catalogue.search("furosemide")]
    assert catalogue.search("855332")[0].name == "Warfarin Sodium 5 MG Oral Tablet"
    assert len(catalogue.search("a", limit=5)) == 5
    assert catalogue.search("  ") == []
    assert catalogue.search("zzzcillin") == []


def test_text_that_matches_no_drug_is_not_made_a_drug_and_is_told(catalogue):
    assert catalogue.named("penicillin v potassium 250 mg oral tablet").rxcui == "834061"
    assert catalogue.named("Warfarin").rxcui == "11289"
    assert catalogue.named("grandma's tonic") is None
    assert unknown_drug_warning(" grandma's tonic ", catalogue) == (
        "\u201cgrandma's tonic\u201d is not in the drug catalogue (Hearth drug catalogue "
        f"version {catalogue.version}); no safety check can run for it.")
