"""Which prescriptions print: by default (from the chart) those signed today, what the
prescriber hands over at the end of a visit; all current ones when asked; the ones named.
A free-text order's quantity reads "not stated" only when nothing was given."""

from datetime import datetime, timedelta

import pytest

from app.clinical.charting.entries import create
from app.clinical.orders.sig import build_sig
from app.clinical.records import Records
from app.clinical.visits.encounters import now, user_reference
from app.errors import UsageError
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.orders.test_order_prints import bea, print_orders, words  # noqa: F401

WARFARIN_5MG, IBUPROFEN_200MG = "855332", "310965"


def ordered(ws, patient_id: str, name: str, when: str, sig=None, rxnorm=None) -> str:
    """An active medication order dated `when`, as one signed that day arrives."""
    sig = sig or build_sig(1, "tablet", "oral", "daily")
    order = {"resourceType": "MedicationRequest", "id": name.split()[0].lower(),
             "status": "active", "intent": "order",
             "medicationCodeableConcept": {"text": name} | ({"coding": [{
                 "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": rxnorm}]}
                 if rxnorm else {}),
             "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": when,
             "requester": user_reference(ws.session), "dosageInstruction": [sig.dosage]}
    if sig.dispense:
        order["dispenseRequest"] = sig.dispense
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        create(work, order, patient_id, "medication ordered")
    return order["id"]


def a_month_ago() -> str:
    return (datetime.now().astimezone() - timedelta(days=30)).isoformat()


def test_today_prints_only_the_orders_signed_today_and_current_prints_all(ward, bea,
                                                                          tmp_path):
    doctor = ward.doctor
    ordered(doctor, bea, "Ibuprofen 200 MG Oral Tablet", a_month_ago(), rxnorm=IBUPROFEN_200MG)
    ordered(doctor, bea, "Warfarin 5 mg tablet", now(), rxnorm=WARFARIN_5MG)

    today = print_orders(doctor, bea, tmp_path / "today.pdf", kind="prescription",
                         which="today")
    every = print_orders(doctor, bea, tmp_path / "all.pdf", kind="prescription")

    said, _ = words(today.path)
    assert today.orders == 1 and "Warfarin 5 mg tablet" in said and "Ibuprofen" not in said
    said, _ = words(every.path)
    assert every.orders == 2 and "Warfarin" in said and "Ibuprofen" in said


def test_orders_named_by_id_print_alone_and_an_unknown_id_is_named(ward, bea, tmp_path):
    doctor = ward.doctor
    ordered(doctor, bea, "Ibuprofen 200 MG Oral Tablet", a_month_ago(), rxnorm=IBUPROFEN_200MG)
    ordered(doctor, bea, "Warfarin 5 mg tablet", now(), rxnorm=WARFARIN_5MG)

    named = print_orders(doctor, bea, tmp_path / "one.pdf", kind="prescription",
                         which=("ibuprofen",))
    assert named.orders == 1 and "Warfarin" not in words(named.path)[0]
    with pytest.raises(UsageError) as refused:
        print_orders(doctor, bea, tmp_path / "two.pdf", kind="prescription",
                     which=("ibuprofen", "metformin-9"))
    assert refused.value.message == ("Nothing was printed: metformin-9 is not a signed order "
                                     "among Nwosu, Bea's medication orders.")
    assert not (tmp_path / "two.pdf").exists()


def test_today_with_only_older_orders_says_how_to_print_them(ward, bea, tmp_path):
    ordered(ward.doctor, bea, "Ibuprofen 200 MG Oral Tablet", a_month_ago())
    with pytest.raises(UsageError) as refused:
        print_orders(ward.doctor, bea, tmp_path / "rx.pdf", kind="prescription",
                     which="today")
    assert refused.value.message == (
        "Nothing to print: Nwosu, Bea has no medication orders signed today (1 signed "
        "earlier: print all current ones to include them). No file was written.")
    with pytest.raises(UsageError) as refused:
        print_orders(ward.doctor, bea, tmp_path / "rx.pdf", kind="prescription",
                     which="yesterday")
    assert refused.value.message == ("'yesterday' is not a choice of orders: use current, "
                                     "today or the orders' ids.")


def test_a_free_text_order_with_a_days_supply_prints_it_as_the_quantity(ward, bea, tmp_path):
    doctor = ward.doctor
    ordered(doctor, bea, "Grandma's cough syrup", now(),
            build_sig(5, "mL", "oral", "tid", duration_days=10))
    ordered(doctor, bea, "Zinc lozenge", now(), build_sig(1, "tablet", "oral", "daily"))

    said, _ = words(print_orders(doctor, bea, tmp_path / "rx.pdf", kind="prescription").path)

    assert "free text: no RxNorm code" in said
    assert "Quantity 10 days' supply" in said  # a supply was given: it is stated
    assert "Quantity not stated" in said  # the lozenge: nothing was given
