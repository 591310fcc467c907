"""Two workstations see each other's orders, alerts and signatures through the server: what
A pends and the alert A went on past reach B; B signs A's basket, and A sees it signed.

A real SEKMET server between workstation A and workstation B (tests/sync/conftest.py).
"""

from app.clinical.orders.order_list import current_orders
from app.clinical.orders.service_requests import OrderLine
from app.clinical.records import Records
from tests.clinical.safety.test_prescribing_checks import IBUPROFEN_200MG, WARFARIN_5MG, start
from tests.sync.stations import patient, sync


def orders_of(ws, patient_id: str) -> list[tuple[str, str]]:
    return sorted((row.what, row.status) for row in current_orders(
        Records(ws.store, ws.changes), ws.session, patient_id))


def test_orders_alerts_and_signatures_reach_the_other_workstation(a, b, fhir_server):
    ann = a.patients.register(a.session, patient("Mensah", "Ann"))["id"]
    start(a, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    warfarin = start(a, ann, "Warfarin 5 mg tablet", WARFARIN_5MG,
                     override="INR checked weekly by the anticoagulation clinic").request
    a.orders.pend(a.session, ann, OrderLine("Lipid panel"))
    sync(a, fhir_server)
    sync(b, fhir_server)

    assert orders_of(b, ann) == orders_of(a, ann)
    assert ("Lipid panel", "pended") in orders_of(b, ann)
    [alert] = b.record_alerts.read(b.session, ann, f"MedicationRequest/{warfarin['id']}")
    assert "Ibuprofen" in alert.detail and alert.source
    assert alert.action == "Overridden: INR checked weekly by the anticoagulation clinic"

    [signed] = b.orders.sign_basket(b.session, ann)  # B's physician signs A's pended panel
    sync(b, fhir_server)
    sync(a, fhir_server)
    assert ("Lipid panel", "active") in orders_of(a, ann)
    assert a.orders.basket(a.session, ann) == []
    assert a.conflicts.list(a.session) == b.conflicts.list(b.session) == []
    assert signed["requester"]["display"] == b.session.full_name
