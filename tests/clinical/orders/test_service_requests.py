"""Lab and imaging orders on a real store: pended as drafts, signed together by a physician
as one unit of work, pended but never signed by a nurse, refused to the front desk and
billing with the permission named, cancelled with a reason and never deleted."""

import orjson
import pytest

from app.clinical.charting.problems import Problems
from app.clinical.fhir.validation import validation_errors
from app.clinical.orders.service_requests import OrderLine, Orders
from app.errors import InvalidRecord, PermissionDenied, UsageError
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)

CBC, LIPIDS = "58410-2", "57698-3"


def orders(ws) -> Orders:
    return Orders(ws.store, ws.changes)


def stored(ws, order: dict) -> dict:
    with ws.store.read() as conn:
        return orjson.loads(conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = 'ServiceRequest' AND id = ?",
            (order["id"],)).scalar_one())


def test_a_physician_pends_cbc_and_lipids_and_signs_both_together(ward):
    doc = ward.doctor
    diabetes = Problems(doc.store).add(doc.session, ward.patient_id, "E11.9")
    pended = orders(doc).pend_many(doc.session, ward.patient_id, [
        OrderLine(CBC, "urgent", note="Fasting not needed"),
        OrderLine("Lipid panel", condition_id=diabetes["id"])])
    assert [o["status"] for o in pended] == ["draft", "draft"]
    assert [o["id"] for o in orders(doc).basket(doc.session, ward.patient_id)] == [
        o["id"] for o in pended]

    signed = orders(doc).sign_basket(doc.session, ward.patient_id)

    cbc, lipids = (stored(doc, o) for o in signed)
    assert validation_errors("ServiceRequest", orjson.dumps(cbc)) == []
    assert (cbc["status"], cbc["intent"], cbc["priority"]) == ("active", "order", "urgent")
    assert cbc["code"]["coding"][0] == {
        "system": "http://loinc.org", "code": CBC,
        "display": "Complete blood count (hemogram) panel - Blood by Automated count"}
    assert [n["text"] for n in cbc["note"]] == ["Specimen: Venous blood (EDTA, lavender top)",
                                                "Fasting not needed"]
    assert lipids["reasonReference"] == [{"reference": f"Condition/{diabetes['id']}"}]
    assert cbc["requester"]["display"] == lipids["requester"]["display"] == "Drlee"
    assert cbc["meta"]["lastUpdated"] == lipids["meta"]["lastUpdated"]  # one unit of work
    assert orders(doc).basket(doc.session, ward.patient_id) == []


def test_a_basket_is_signed_whole_or_not_at_all(ward):
    doc = ward.doctor
    cbc = orders(doc).pend(doc.session, ward.patient_id, OrderLine(CBC))
    cancelled = orders(doc).pend(doc.session, ward.patient_id, OrderLine(LIPIDS))
    orders(doc).cancel(doc.session, cancelled["id"], "Done last week elsewhere")

    with pytest.raises(InvalidRecord, match="Lipid panel is revoked, not pended"):
        orders(doc).sign(doc.session, [cbc["id"], cancelled["id"]])
    assert stored(doc, cbc)["status"] == "draft"


def test_a_nurse_pends_for_a_physician_but_cannot_sign(ward):
    nurse, doc = ward.nurse, ward.doctor
    pended = orders(nurse).pend(nurse.session, ward.patient_id, OrderLine("HbA1c"))

    with pytest.raises(PermissionDenied, match="may not sign lab, imaging and medication "
                       "orders"):
        orders(nurse).sign(nurse.session, [pended["id"]])
    assert stored(nurse, pended)["status"] == "draft"

    signed = orders(doc).sign(doc.session, [pended["id"]])[0]
    assert signed["requester"]["display"] == "Drlee"
    assert signed["note"][-1]["text"] == "Pended by Nina"


@pytest.mark.parametrize("who", ["desk", "billing"])
def test_front_desk_and_billing_cannot_order(ward, who):
    clerk = getattr(ward, who)
    with pytest.raises(PermissionDenied, match="may not pend lab, imaging and medication "
                       "orders"):
        orders(clerk).pend(clerk.session, ward.patient_id, OrderLine(CBC))


def test_a_cancelled_order_is_kept_with_its_reason(ward):
    doc, nurse = ward.doctor, ward.nurse
    order = orders(doc).pend(doc.session, ward.patient_id, OrderLine("CT head without contrast",
                                                                     "stat"))
    orders(doc).sign(doc.session, [order["id"]])
    with pytest.raises(PermissionDenied, match="may not sign"):
        orders(nurse).cancel(nurse.session, order["id"], "Patient declined")

    orders(doc).cancel(doc.session, order["id"], "Patient declined")

    kept = stored(doc, order)
    assert kept["status"] == "revoked"
    assert kept["note"][-1]["text"] == "Cancelled: Patient declined"
    assert kept["code"]["coding"][0]["system"] == "urn:hearth:imaging"


def test_bad_input_is_a_sentence(ward):
    doc = ward.doctor
    with pytest.raises(InvalidRecord, match="Priority 'soon' is not one of routine, urgent, "
                       "asap, stat."):
        orders(doc).pend(doc.session, ward.patient_id, OrderLine(CBC, "soon"))
    with pytest.raises(UsageError, match="'Vitamin Q' is not in the order catalogue"):
        orders(doc).pend(doc.session, ward.patient_id, OrderLine("Vitamin Q"))
    with pytest.raises(InvalidRecord, match="There is no problem nope in this patient's chart"):
        orders(doc).pend(doc.session, ward.patient_id, OrderLine(CBC, condition_id="nope"))
    with pytest.raises(InvalidRecord, match="Say why the order is cancelled."):
        orders(doc).cancel(doc.session, "x", " ")
