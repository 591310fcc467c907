"""Issue 16's "Done when", tried as a new user would, through the window's screens.

Dr Lee signs in, finds Ann on the Patients tab, starts and finishes her visit from the
visit bar, opens it from the Encounters tab and codes it (both diagnoses proposed from her
problem list, G0439 typed), then prints its superbill from the coding dialog: the code,
Acme Health's fee and the total are on the paper. From the chart, Print… (Ctrl+P) prints
the after-visit summary and the immunization record. Bea from billing signs in at the same
window: on the Claims tab she submits the claim and exports the 837P, which pyx12 finds no
error in; Sync now sends the claim to a real FHIR server, where it is read back over HTTP;
the Reports tab shows this week's visits with a bar for it.

The clinic a new user finds (the fees, Ann's insurance card, problems and flu shot, the IT
policy naming the server and who bills) is set up through the services (billing_walk.clinic).
"""

from datetime import date

import httpx
from PySide6.QtCore import Qt

from app.ui.chart.billing.coding_dialog import READY
from app.ui.reports.periods import this_week
from app.ui.shell.window import WorkstationWindow
from tests.clinical.billing.test_837 import pyx12_errors
from tests.sync.conftest import fresh_fhir_server  # noqa: F401 (a fixture)
from tests.ui.billing_walk import (
    CLICK,
    WAIT,
    clinic,
    code_the_visit,
    export_837,
    finish_a_visit,
    open_latest_visit,
    print_to,
    signed_in,
    submit_on_the_claims_tab,
)
from tests.ui.test_orders_walkthrough import open_chart_by_name


def test_a_visit_is_coded_billed_sent_printed_and_counted_on_the_screens(
        qtbot, keyring_session, fresh_fhir_server, tmp_path):  # noqa: F811
    env, ann = clinic(tmp_path / "store", fresh_fhir_server.base_url)
    window = WorkstationWindow(env, tmp_path / "store")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    signed_in(qtbot, window, "drlee")
    chart = open_chart_by_name(qtbot, window.workspace, "Okafor")

    finish_a_visit(qtbot, chart)
    visit = open_latest_visit(qtbot, chart, window.background)
    qtbot.mouseClick(visit.code_button, CLICK)
    coding = visit.coding
    code_the_visit(qtbot, coding)
    assert coding.diagnoses.codes() == ("I10", "E11.9")  # her problems, newest first
    assert coding.readiness.text() == READY
    claim_id = coding.coded.claim["id"]
    qtbot.mouseClick(coding.print_button, CLICK)
    superbill = print_to(qtbot, coding.printing, None, tmp_path / "superbill.pdf")
    assert coding.printing.chosen().name == "superbill"
    assert "1 G0439 1 1, 2 Annual wellness visit, includes a 98.40 USD" in superbill
    assert "Total 98.40 USD" in superbill and "Okafor, Ann" in superbill
    coding.close()
    visit.close()

    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(chart.sections, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    summary = print_to(qtbot, chart.printing, "After-visit summary", tmp_path / "avs.pdf")
    assert "After-visit summary Okafor, Ann" in summary and "Your medications" in summary
    shots = print_to(qtbot, chart.printing, "Immunization record", tmp_path / "shots.pdf")
    assert "2025-10-01 Influenza, seasonal, injectable CVX 140" in shots
    chart.printing.close()

    window.switch_user()
    signed_in(qtbot, window, "bea")
    screen = window.workspace
    screen.setCurrentWidget(screen.claims)
    submit_on_the_claims_tab(qtbot, screen.claims, claim_id)
    export_837(qtbot, screen.claims, date.today(), tmp_path / "batch.837")
    assert pyx12_errors(tmp_path / "batch.837") == []

    screen.setCurrentWidget(screen.sync)
    qtbot.mouseClick(screen.sync.sync_button, CLICK)
    url = f"{fresh_fhir_server.base_url}Claim/{claim_id}"
    qtbot.waitUntil(lambda: httpx.get(url).json().get("status") == "active", timeout=WAIT)
    sent = httpx.get(url).json()
    assert sent["total"] == {"value": 98.4, "currency": "USD"}
    assert sent["patient"] == {"reference": f"Patient/{ann}"}
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in sent["diagnosis"]] \
        == ["I10", "E11.9"]

    reports = screen.reports
    screen.setCurrentWidget(reports)
    reports.report.setCurrentIndex(reports.report.findData("visits-per-week"))
    first, last = this_week(date.today())
    assert (reports.first.date().toPython(), reports.last.date().toPython()) == (first, last)
    qtbot.mouseClick(reports.run_button, CLICK)
    qtbot.waitUntil(lambda: reports.table is not None, timeout=WAIT)
    assert reports.total.text() == "Total: Visits 1"
    assert reports.plot.bar_heights() == [1]
    window.switch_user()
    window.background.wait_until_idle()
