"""Issue 15's "Done when", through the screens a physician uses.

Dr Lee finds the patient on the Patients tab and opens the chart; records a penicillin
allergy picked from the coded list; on the Orders tab orders a CBC and the "Diabetes annual"
set, whose metformin line opens filled in the prescribing form; warfarin for a patient on
ibuprofen shows the interaction with its source and is not prescribed; amoxicillin is
stopped by the penicillin cross-reactivity and prescribed only with a reason, which the
admin then reads in the audit trail; the basket is signed; the requisition and prescription
are printed and read back. A lab file imported later answers the set's BMP: the Inbox lists
it flagged against the order, opens the chart at the report, and it is acknowledged.
A store whose safety pack cannot load says so on every order screen.

The patient and the ibuprofen they already take are set up through the services; the lab
file comes in through the real importer, as the admin would import it.
"""

import csv
import io

import pdfplumber
from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.clinical.safety.packs import load_knowledge
from app.ui.chart.allergy_dialog import AllergyDialog
from app.ui.chart.orders.basket_dialog import SignOrdersDialog
from app.ui.chart.orders.order_dialog import OrderTestDialog
from app.ui.chart.orders.order_set_dialog import OrderSetDialog
from app.ui.chart.prescribing.changes import ChangeDialog, RenewDialog
from app.ui.chart.prescribing.dialog import PrescribeDialog
from app.ui.chart.table import ITEM_ROLE
from app.ui.chart.view import ChartView
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD
from tests.sync.stations import patient
from tests.ui.chart.test_chart_entries import press
from tests.ui.chart.test_medication_changes import medications_tab
from tests.ui.chart.test_prescribe_dialog import IBUPROFEN_200MG, fill_sig, find, prescribe
from tests.ui.inbox.test_inbox_view import practice, sign_in, workspace_of  # noqa: F401
from tests.ui.inbox.test_results_inbox import import_file, lab_report, shown

WAIT = 10000
CLICK = Qt.MouseButton.LeftButton
GONE = "Medication safety checks: No medication safety pack is installed"


def open_chart_by_name(qtbot, screen: Workspace, family: str) -> ChartView:
    """Patients tab, the name typed, Enter: the chart of the one match."""
    screen.setCurrentWidget(screen.patients)
    qtbot.keyClicks(screen.patients.field, family)
    qtbot.keyClick(screen.patients.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(screen.currentWidget(), ChartView), timeout=WAIT)
    chart = screen.currentWidget()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    return chart


def add_penicillin_allergy(qtbot, chart: ChartView) -> None:
    """Add allergy…, "pen", Down onto the best match (the drug class), Enter."""
    dialog = press(chart.show_section("allergies"), "Add allergy…", AllergyDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    qtbot.keyClicks(dialog.substance, "pen")
    qtbot.keyClick(dialog.substance, Qt.Key.Key_Down)
    assert dialog.chosen.text() == "Penicillins · drug class"
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chart.banner.allergies.text() == "Allergies: Penicillins",
                    timeout=WAIT)


def opened(parent, kind):
    """The one `kind` of dialog open over `parent` (the one a button just opened)."""
    [dialog] = [d for d in parent.findChildren(kind) if d.isVisible()]
    return dialog


def pend(qtbot, background, dialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.save, CLICK)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def order_cbc_and_the_diabetes_set(qtbot, chart: ChartView, background) -> None:
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    qtbot.mouseClick(tab.buttons["test"], CLICK)
    dialog = opened(tab, OrderTestDialog)
    qtbot.keyClicks(dialog.search, "cbc")
    assert dialog.chosen().name == "CBC (complete blood count)"
    pend(qtbot, background, dialog)
    assert tab.message.text() == "CBC (complete blood count) pended: sign it in the basket."

    qtbot.mouseClick(tab.buttons["set"], CLICK)
    dialog = opened(tab, OrderSetDialog)
    dialog.sets.setCurrentIndex(dialog.sets.findText("Diabetes annual"))
    assert "Medications to prescribe: Metformin" in dialog.contents.text()
    pend(qtbot, background, dialog)
    metformin = tab.prescribing  # the set's line, opened filled in
    qtbot.waitUntil(lambda: metformin.drug() is not None, timeout=WAIT)
    assert metformin.sig.text() == "Take 500 mg by mouth twice a day for 90 days."
    assert (metformin.quantity.text(), metformin.refills.text()) == ("180", "3")
    with qtbot.waitSignal(metformin.finished, timeout=WAIT):
        prescribe(qtbot, metformin)
    qtbot.waitUntil(lambda: "Prescribed" in tab.message.text(), timeout=WAIT)
    assert tab.message.text() == ("4 tests pended. Prescribed: metformin hydrochloride 500 MG "
                                  "Oral Tablet.")
    assert tab.basket_bar.count.text().startswith("5 unsigned orders for Okafor, Ann")


def new_prescription(qtbot, chart: ChartView, typed: str) -> PrescribeDialog:
    """Medications tab, Prescribe…, the drug typed and the first match taken."""
    dialog = press(chart.show_section("medications"), "Prescribe…", PrescribeDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    find(qtbot, dialog, typed)
    return dialog


def warfarin_is_not_prescribed_over_the_interaction(qtbot, chart: ChartView) -> None:
    dialog = new_prescription(qtbot, chart, "warfarin 5")
    fill_sig(qtbot, dialog, unit="tablet", frequency="daily", days="30", quantity="30")
    prescribe(qtbot, dialog)
    qtbot.waitUntil(dialog.alerts.isVisible, timeout=WAIT)
    assert dialog.alerts.text().startswith(
        "Major drug-drug alert: Warfarin Sodium 5 MG Oral Tablet with Ibuprofen 200 MG Oral "
        "Tablet")
    assert "Source: Not on the ONC list. Malone DC" in dialog.alerts.text()
    assert "(Hearth high-priority interactions and allergy groups version 2026.1)." in (
        dialog.alerts.text())
    qtbot.mouseClick(dialog.cancel, CLICK)  # the prescriber thinks again
    assert "Warfarin" not in " ".join(m.title for m in chart.summary.active_medications)


def amoxicillin_is_stopped_then_prescribed_with_a_reason(qtbot, chart: ChartView,
                                                         reason: str) -> None:
    dialog = new_prescription(qtbot, chart, "amoxicillin 500 oral capsule")
    fill_sig(qtbot, dialog, refills="1")
    prescribe(qtbot, dialog)
    qtbot.waitUntil(dialog.alerts.isVisible, timeout=WAIT)
    assert dialog.alerts.text().startswith(
        "Contraindicated drug-allergy alert: amoxicillin 500 MG Oral Capsule for a patient "
        "allergic to Penicillins (penicillins)")
    assert dialog.save.text() == "Prescribe despite the alert"
    with qtbot.waitSignal(dialog.refused, timeout=WAIT):
        prescribe(qtbot, dialog)  # no reason given: still stopped
    assert dialog.isVisible() and dialog.message.text().endswith(
        "Choose another drug, or give your reason to prescribe it.")
    qtbot.keyClicks(dialog.override, reason)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        prescribe(qtbot, dialog)
    qtbot.waitUntil(lambda: "amoxicillin 500 MG Oral Capsule" in [
        m.title for m in chart.summary.active_medications], timeout=WAIT)


def sign_the_basket(qtbot, chart: ChartView, background) -> None:
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    qtbot.mouseClick(tab.basket_bar.review_button, CLICK)
    review = opened(chart.basket, SignOrdersDialog)  # the bar above every tab opens it
    assert review.orders.count() == 5
    pend(qtbot, background, review)
    assert tab.message.text() == "Signed 5 orders." and tab.basket_bar.isHidden()


def printed(qtbot, chart: ChartView, paper: str, path) -> str:
    """Print requisition… / Print prescription ▸ Signed today…, the file chosen: the PDF's
    words."""
    tab = chart.orders
    if paper == "prescription":  # a menu: signed today, or all current ones
        tab.prescription_menu.actions()[0].trigger()
    else:
        qtbot.mouseClick(tab.buttons[paper], CLICK)
    tab.printer.dialog.selectFile(str(path))
    tab.printer.dialog.accept()
    qtbot.waitUntil(lambda: f"saved to {path}" in tab.message.text(), timeout=WAIT)
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def audited_overrides(practice, patient_id: str) -> list[tuple[str, str]]:  # noqa: F811
    """The admin's audit export (AuditReview.export) for the patient: override rows."""
    admin = open_workstation(*practice, "admin", ADMIN_PASSWORD)
    try:
        out = io.StringIO()
        admin.audit.export(admin.session, out, patient=patient_id)
    finally:
        admin.close()
    return [(row["user"], row["detail"]) for row in csv.DictReader(io.StringIO(out.getvalue()))
            if "overridden" in row["detail"]]


def test_a_physician_orders_prescribes_signs_prints_and_reviews_the_result_on_the_screens(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    ws = sign_in("drlee")
    ann = ws.patients.register(ws.session, patient("Okafor"))["id"]
    ws.medications.start(ws.session, ann, "Ibuprofen 200 MG Oral Tablet",
                         "1 tablet three times daily", rxnorm=IBUPROFEN_200MG)
    screen = workspace_of(qtbot, ws, background)
    chart = open_chart_by_name(qtbot, screen, "Okafor")

    add_penicillin_allergy(qtbot, chart)
    order_cbc_and_the_diabetes_set(qtbot, chart, background)
    warfarin_is_not_prescribed_over_the_interaction(qtbot, chart)
    reason = "Tolerated amoxicillin in 2023; rash only"
    amoxicillin_is_stopped_then_prescribed_with_a_reason(qtbot, chart, reason)
    assert audited_overrides(practice, ann) == [(
        "drlee", "medication started: amoxicillin 500 MG Oral Capsule, Take 1 capsule by mouth "
        f"three times a day for 10 days; safety: 1 alert(s) overridden, reason: {reason}")]
    sign_the_basket(qtbot, chart, background)

    requisition = printed(qtbot, chart, "requisition", tmp_path / "labs.pdf")
    for test in ("CBC (complete blood count)", "HbA1c", "Lipid panel", "BMP",
                 "Urine albumin/creatinine ratio"):
        assert test in requisition
    prescription = printed(qtbot, chart, "prescription", tmp_path / "rx.pdf")
    for drug in ("metformin hydrochloride 500 MG", "amoxicillin 500 MG Oral Capsule"):
        assert drug in prescription
    assert "Quantity 180 Refills 3" in prescription  # metformin: 180 tablets, not "180 mg"
    assert "Quantity 30 capsule Refills 1" in prescription

    bmp = next(o for o in chart.orders.model.rows() if o.what.startswith("BMP"))
    import_file(practice, tmp_path, lab_report(ann, "w1", f"ServiceRequest/{bmp.id}"))
    results = screen.inbox.results
    screen.setCurrentWidget(screen.inbox)  # imported elsewhere: read when the tab is shown
    qtbot.waitUntil(lambda: screen.tabText(2) == "Inbox (1)", timeout=WAIT)
    assert shown(results) == ["Critical", "Okafor, Ann", "Basic metabolic panel",
                              "10:00 on 02 Mar 2026",
                              "BMP (basic metabolic panel), ordered today"]
    results.table.setFocus()
    qtbot.keyClick(results.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chart.sections.currentWidget() is chart.tabs.get("reports"),
                    timeout=WAIT)
    selected = lambda: chart.records("reports").table.currentIndex()  # noqa: E731 (re-read)
    qtbot.waitUntil(lambda: selected().isValid(), timeout=WAIT)
    assert selected().data(ITEM_ROLE).id == "rep-w1"

    screen.setCurrentWidget(screen.inbox)
    qtbot.mouseClick(results.acknowledge_button, CLICK)
    assert [r.text() for r in results.dialog.results] == ["Potassium 6.9 mmol/L CRITICAL HIGH"]
    qtbot.keyClicks(results.dialog.note, "Repeat K+ today")
    qtbot.mouseClick(results.dialog.save, CLICK)
    qtbot.waitUntil(lambda: screen.tabText(2) == "Inbox", timeout=WAIT)
    assert results.model.rowCount() == 0
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_without_its_safety_pack_every_order_screen_says_so(
        qtbot, sign_in, background, tmp_path):  # noqa: F811
    ws = sign_in("drlee")
    ben = ws.patients.register(ws.session, patient("Mensah", "Ben"))["id"]
    ws.medications.start(ws.session, ben, "Ibuprofen 200 MG Oral Tablet",
                         "1 tablet three times daily", rxnorm=IBUPROFEN_200MG)
    ws.safety.knowledge = load_knowledge(ws.store.paths.root, shipped=tmp_path / "gone")
    screen = workspace_of(qtbot, ws, background)
    chart = open_chart_by_name(qtbot, screen, "Mensah")
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    said = {"Orders tab": tab.banner}
    for name, button, kind in (("Order test", "test", OrderTestDialog),
                               ("Order set", "set", OrderSetDialog)):
        qtbot.mouseClick(tab.buttons[button], CLICK)
        dialog = opened(tab, kind)
        said[name] = getattr(dialog, "banner", None)
        dialog.reject()
    medications = medications_tab(qtbot, chart, "Ibuprofen 200 MG Oral Tablet")
    for name, button, kind in (("Prescribe", "Prescribe…", PrescribeDialog),
                               ("Renew", "Renew…", RenewDialog),
                               ("Change", "Change…", ChangeDialog)):
        dialog = press(medications, button, kind)
        said[name] = dialog.banner
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        dialog.reject()
    red = {name: banner is not None and not banner.isHidden() and banner.text().startswith(GONE)
           for name, banner in said.items()}
    assert red == dict.fromkeys(said, True)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
