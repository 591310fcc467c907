"""Screenshot scenes of ordering from the chart, run by tests.ui.screenshots (which see): the
Orders tab with the basket bar, the Order test dialog searching the catalogue, the basket's
review with a medication's stored alert, the question on closing a chart with unsigned
orders, and the red banner when the safety pack is missing. Not a test: people look at
them."""

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.clinical.charting.entries import create
from app.clinical.orders.service_requests import OrderLine
from app.clinical.records import Records
from app.clinical.safety.packs import load_knowledge
from app.clinical.visits.encounters import now, user_reference
from app.security.roles import Permission
from tests.ui.screenshots import clinician_window, save, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Boateng", "given": ["Kofi"]}],
           "gender": "male", "birthDate": "1962-03-09"}


def pend_warfarin_with_alert(ws, patient_id: str) -> None:
    """A medication draft as the prescribing path pends it, with the alert it showed (the
    prescribing dialog is not in this checkout)."""
    draft = {"resourceType": "MedicationRequest", "id": "scene-warfarin", "status": "draft",
             "intent": "order", "medicationCodeableConcept": {
                 "text": "Warfarin sodium 5 MG Oral Tablet", "coding": [{
                     "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                     "code": "855332"}]},
             "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": now(),
             "requester": user_reference(ws.session),
             "dosageInstruction": [{"text": "Take 5 mg by mouth once a day."}]}
    issue = {"resourceType": "DetectedIssue", "id": "scene-warfarin-alert",
             "status": "final", "code": {"text": "Drug interaction alert"},
             "severity": "high", "patient": {"reference": f"Patient/{patient_id}"},
             "implicated": [{"reference": "MedicationRequest/scene-warfarin"}],
             "detail": "Warfarin with an NSAID (ibuprofen): raised risk of bleeding.",
             "evidence": [{"code": [{"text": "Phansalkar et al., JAMIA 2012"}]}]}
    with Records(ws.store).write(ws.session, Permission.PEND_ORDERS) as work:
        create(work, draft, patient_id, "medication pended")
        create(work, issue, patient_id, "alert shown")


def orders_tab(env, info, folder: Path) -> None:
    """A new demo patient with a signed CBC, a pended lipid panel and thyroid set, and a
    pended warfarin with its interaction alert: the tab, the Order test dialog, the basket's
    review, the question on closing; then the same tab with the safety pack missing."""
    window = clinician_window(env, info)
    ws = window.ws
    kofi = ws.patients.register(ws.session, PATIENT)["id"]
    ws.orders.pend(ws.session, kofi, OrderLine("58410-2", "urgent", reason="Fatigue"))
    ws.orders.sign_basket(ws.session, kofi)
    ws.orders.pend(ws.session, kofi, OrderLine("Lipid panel", reason="Annual review"))
    pend_warfarin_with_alert(ws, kofi)
    chart = window.workspace.open_chart(kofi)
    wait_until(lambda: chart.orders is not None)
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    wait_until(lambda: tab.model.rowCount() == 3 and tab.basket_bar.isVisible())
    save(window, folder, "orders-tab")
    dialog = tab.order_test()
    dialog.search.setText("lipid")
    save(dialog, folder, "order-test-dialog")
    dialog.reject()
    review = tab.review()
    save(review, folder, "orders-review-and-sign")
    review.reject()
    window.workspace.close_current_chart()
    box = next(b for b in chart.findChildren(QMessageBox) if b.isVisible())
    save(box, folder, "orders-sign-on-leaving")
    next(b for b in box.buttons() if b.text() == "Cancel").click()
    ws.safety.knowledge = load_knowledge(ws.store.paths.root, shipped=Path("/nonexistent"))
    window.workspace.close_current_chart()
    box = next(b for b in chart.findChildren(QMessageBox) if b.isVisible())
    next(b for b in box.buttons() if b.text() == "Leave unsigned").click()
    chart = window.workspace.open_chart(kofi)
    wait_until(lambda: chart.orders is not None)
    chart.sections.setCurrentWidget(chart.orders)
    wait_until(lambda: chart.orders.model.rowCount() == 3)
    save(window, folder, "orders-tab-no-safety-pack")
    window.close()  # asks about the unsigned orders first
    box = next(b for b in chart.findChildren(QMessageBox) if b.isVisible())
    next(b for b in box.buttons() if b.text() == "Leave unsigned").click()
    wait_until(lambda: not window.isVisible())
