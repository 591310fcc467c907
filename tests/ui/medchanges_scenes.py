"""Screenshot scenes of renewing and changing a medication, run by tests.ui.screenshots
(which see): the Medications tab with an order's safety alert under the list, Renew refused
by an interaction and asking for the override reason, and Change with the new directions in
plain words. Not a test: people look at them."""

from pathlib import Path

from tests.ui.screenshots import chart_window, rosa_on_ibuprofen, save, wait_until


def medication_changes(work: Path, folder: Path) -> None:
    """Rosa (tests/clinical/chart/visit_ward.py) on ibuprofen three times a day, then warfarin
    ordered over the interaction with a reason; nothing is saved by the dialogs."""
    from app.clinical.orders.sig import build_sig
    from tests.clinical.chart.visit_ward import ROSA
    from tests.clinical.safety.test_prescribing_checks import WARFARIN_5MG

    ws = rosa_on_ibuprofen(work / "rosa-medications" / "store")
    ws.medications.prescribe(ws.session, ROSA, "Warfarin 5 mg tablet",
                             build_sig("1", "tablet", "oral", "daily", None, 30, 2),
                             rxnorm=WARFARIN_5MG, override="Ibuprofen for 7 days only; "
                             "INR on Friday")
    background, chart = chart_window(ws, ROSA)
    tab = chart.show_section("medications")
    model = chart.records("medications").model
    wait_until(lambda: model.total and model.rowCount() == model.total)
    row = next(r for r in range(model.rowCount()) if model.item(r).title.startswith("Warfarin"))
    tab.records.table.selectRow(row)
    wait_until(lambda: tab.alerts.text.isVisible())
    save(chart, folder, "chart-medication-alerts")
    tab.buttons["Renew…"].click()
    renew = tab.dialog
    renew.save.click()
    wait_until(lambda: renew.override.isVisible())
    renew.override.setText("Ibuprofen stops on Friday")
    save(renew, folder, "medication-renew-alert")
    renew.reject()
    tab.buttons["Change…"].click()
    change = tab.dialog
    wait_until(change.save.isEnabled)
    change.dose.setText("2")
    change.frequency.setCurrentText("bid")
    save(change, folder, "medication-change")
    change.reject()
    chart.close()
    background.wait_until_idle()
    ws.store.close()
