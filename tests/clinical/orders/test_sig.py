"""The sig builder: the words a patient reads and the FHIR Dosage for common prescriptions,
a sentence for what cannot be a sig, and a warning (not a refusal) above a maximum dose."""

import orjson
import pytest

from app.clinical.fhir.validation import validation_errors
from app.clinical.orders.dose_limits import dose_limits
from app.clinical.orders.sig import build_sig
from app.errors import InvalidRecord


@pytest.mark.parametrize(("fields", "words"), [
    (("1", "tablet", "oral", "BID", 10), "Take 1 tablet by mouth twice a day for 10 days."),
    (("2", "capsules", "PO", "tid"), "Take 2 capsules by mouth three times a day."),
    (("500", "mg", "oral", "q8h", 7), "Take 500 mg by mouth every 8 hours for 7 days."),
    (("1", "tablet", "oral", "daily"), "Take 1 tablet by mouth once a day."),
    (("10", "units", "subcutaneous", "at bedtime"), "Inject 10 units under the skin at bedtime."),
    (("2", "puffs", "inhaled", "q4h as needed"), "Inhale 2 puffs by mouth every 4 hours as "
                                                 "needed."),
    (("0.5", "tablet", "sublingual", "prn"), "Place 0.5 tablet under the tongue as needed."),
])
def test_common_sigs_read_as_plain_words(fields, words):
    assert build_sig(*fields).words == words


def test_the_dosage_is_fhir_with_a_coded_route_and_the_dispense_request():
    sig = build_sig("1", "tablet", "oral", "bid", 10, quantity=20, refills=0)
    request = {"resourceType": "MedicationRequest", "id": "x", "status": "draft",
               "intent": "order", "medicationCodeableConcept": {"text": "Amoxicillin"},
               "subject": {"reference": "Patient/p"}, "dosageInstruction": [sig.dosage],
               "dispenseRequest": sig.dispense}
    assert validation_errors("MedicationRequest", orjson.dumps(request)) == []
    assert sig.dosage["timing"]["repeat"] == {
        "frequency": 2, "period": 1, "periodUnit": "d",
        "boundsDuration": {"value": 10, "unit": "days", "system": "http://unitsofmeasure.org",
                           "code": "d"}}
    assert sig.dosage["route"]["coding"][0]["code"] == "26643006"  # SNOMED CT oral route
    assert sig.dispense["quantity"] == {"value": 20, "unit": "tablet"}
    assert sig.dispense["numberOfRepeatsAllowed"] == 0


def test_a_quantity_for_a_dose_by_weight_is_a_count_of_the_product_not_milligrams():
    sig = build_sig("500", "mg", "oral", "bid", 90, quantity=180, refills=3)
    assert sig.dispense["quantity"] == {"value": 180}  # 180 tablets, never "180 mg"


@pytest.mark.parametrize(("fields", "sentence"), [
    (("1", "tablet", "oral", "twice-ish"), "'twice-ish' is not a frequency Hearth knows: use "
                                           "one of daily, bid, tid"),
    (("one", "tablet", "oral", "bid"), "The dose 'one' is not a number: write it as 1, 0.5 or "
                                       "500."),
    (("0", "tablet", "oral", "bid"), "The dose 0 must be more than zero."),
    (("1", "furlong", "oral", "bid"), "'furlong' is not a unit Hearth knows"),
    (("1", "tablet", "by ear", "bid"), "'by ear' is not a route Hearth knows"),
])
def test_what_cannot_be_a_sig_gets_a_sentence(fields, sentence):
    with pytest.raises(InvalidRecord) as refused:
        build_sig(*fields)
    assert refused.value.message.startswith(sentence)


def test_a_dose_above_the_adult_maximum_warns_but_is_built():
    acetaminophen = dose_limits()["161"]
    assert build_sig("1000", "mg", "oral", "qid", limit=acetaminophen).warnings == ()
    sig = build_sig("1", "g", "oral", "q4h", limit=acetaminophen)
    assert sig.words == "Take 1 g by mouth every 4 hours."
    assert sig.warnings == ("6000 mg a day of acetaminophen is above the adult maximum of "
                            "4000 mg a day (FDA acetaminophen labeling: do not exceed 4,000 mg "
                            "in 24 hours (adults)).",)
