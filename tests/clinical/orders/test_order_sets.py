"""Order sets: a set expands into pended tests for a physician to sign, its medication lines
come back as proposals with their sig (nothing saved), and a broken line is named, not
silently dropped."""

import pytest

from app.clinical.orders import order_sets
from app.clinical.orders.order_sets import expand
from app.clinical.orders.service_requests import Orders
from app.errors import PermissionDenied, UsageError
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)


def medication_orders(ws) -> int:
    with ws.store.read() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM resource WHERE type = 'MedicationRequest'").scalar_one()


def test_diabetes_annual_pends_its_tests_and_proposes_metformin(ward):
    doc = ward.doctor
    expanded = expand(Orders(doc.store), doc.session, ward.patient_id, "Diabetes annual")

    assert [o["code"]["text"] for o in expanded.pended] == [
        "HbA1c", "Lipid panel", "Urine albumin/creatinine ratio", "BMP (basic metabolic panel)"]
    assert {o["status"] for o in expanded.pended} == {"draft"}
    assert expanded.pended[0]["reasonCode"] == [{"text": "Type 2 diabetes mellitus: annual "
                                                         "review"}]
    [metformin] = expanded.medications
    assert (metformin.rxcui, metformin.sig.words) == (
        "861007", "Take 500 mg by mouth twice a day for 90 days.")
    assert expanded.problems == []
    assert medication_orders(doc) == 0  # proposed, not saved
    assert len(Orders(doc.store).basket(doc.session, ward.patient_id)) == 4


def test_a_broken_line_is_named_and_the_rest_expands(ward, monkeypatch):
    doc = ward.doctor
    broken = order_sets.OrderSet("broken", "Broken", "Checking", ("3016-3", "0000-0"),
                                 ({"rxcui": "161", "name": "Acetaminophen", "dose": "1",
                                   "unit": "g", "route": "oral", "frequency": "sometimes"},))
    monkeypatch.setattr(order_sets, "order_sets", lambda: {"broken": broken})

    expanded = expand(Orders(doc.store), doc.session, ward.patient_id, "broken")

    assert [o["code"]["text"] for o in expanded.pended] == ["TSH"]
    assert expanded.medications == []
    assert expanded.problems == [
        "Broken: test 0000-0 is not in the order catalogue; it was left out.",
        "Broken: medication Acetaminophen was left out: 'sometimes' is not a frequency Hearth "
        "knows: use one of daily, bid, tid, qid, q4h, q6h, q8h, q12h, at bedtime, every "
        "morning, weekly, as needed (add 'as needed' to any)."]


def test_an_unknown_set_or_a_clerk_is_refused(ward):
    with pytest.raises(UsageError, match="There is no order set 'Asthma': the sets are "
                       "Diabetes annual, Hypertension follow-up, Thyroid check."):
        expand(Orders(ward.doctor.store), ward.doctor.session, ward.patient_id, "Asthma")
    with pytest.raises(PermissionDenied, match="may not pend"):
        expand(Orders(ward.desk.store), ward.desk.session, ward.patient_id, "Diabetes annual")
