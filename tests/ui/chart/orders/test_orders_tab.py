"""The chart's Orders tab as a clinician uses it: order a lipid panel and an order set, sign
the basket, see the orders active; print the requisition; a nurse's orders wait for a
physician; a pack-less store shows the red banner. Real store, real widgets (offscreen)."""

import pdfplumber
from PySide6.QtCore import Qt

from app.clinical.orders.service_requests import OrderLine
from app.clinical.safety.packs import load_knowledge
from app.ui.chart.orders.basket_dialog import SignOrdersDialog
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.ui.chart.test_chart_view import WAIT, open_chart


def orders_tab(qtbot, ws, background, patient_id):
    chart = open_chart(qtbot, ws, background, patient_id)
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)  # shown: its list is read
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return chart, tab


def listed(tab) -> list[tuple[str, str]]:
    return sorted((row.what, row.status) for row in tab.model.rows())


def save(qtbot, background, dialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the tab's read again


def test_a_physician_orders_lipids_and_a_set_then_signs_the_basket(qtbot, ward, background):
    chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    assert tab.banner.isHidden() and chart.orders.basket_bar.isHidden()

    dialog = tab.order_test()
    qtbot.keyClicks(dialog.search, "lipid")
    assert dialog.chosen().name == "Lipid panel"
    dialog.priority.setCurrentIndex(dialog.priority.findData("urgent"))
    dialog.reason_words.setText("Family history of early heart disease")
    save(qtbot, background, dialog)
    assert listed(tab) == [("Lipid panel", "pended")]
    assert tab.basket_bar.count.text().startswith("1 unsigned order for Okafor, Ann")

    dialog = tab.order_set()
    dialog.sets.setCurrentIndex(dialog.sets.findText("Thyroid check"))
    assert dialog.contents.text().startswith("Tests: TSH")
    save(qtbot, background, dialog)
    assert tab.message.text() == "2 tests pended."
    assert tab.basket_bar.count.text().startswith("3 unsigned orders")

    review = tab.review()
    assert isinstance(review, SignOrdersDialog) and review.orders.count() == 3
    save(qtbot, background, review)

    assert {status for _what, status in listed(tab)} == {"active"} and len(listed(tab)) == 3
    assert tab.basket_bar.isHidden() and tab.message.text() == "Signed 3 orders."


def test_an_order_sets_medication_opens_filled_in_and_is_prescribed(qtbot, ward, background):
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    dialog = tab.order_set()
    dialog.sets.setCurrentIndex(dialog.sets.findText("Diabetes annual"))
    save(qtbot, background, dialog)
    assert tab.message.text() == "4 tests pended."

    prescribing = tab.prescribing  # the set's metformin line, filled in, checked on saving
    qtbot.waitUntil(lambda: prescribing.drug() is not None, timeout=WAIT)
    assert prescribing.drug().rxcui == "861007"  # the set's metformin 500 mg
    with qtbot.waitSignal(prescribing.finished, timeout=WAIT):
        prescribing.save.click()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert tab.message.text().startswith("4 tests pended. Prescribed: metformin")
    assert tab.prescribing is None


def test_a_requisition_is_printed_where_chosen_and_reads_back(qtbot, ward, background,
                                                               tmp_path):
    doctor = ward.doctor
    doctor.orders.pend(doctor.session, ward.patient_id, OrderLine("Lipid panel"))
    doctor.orders.sign_basket(doctor.session, ward.patient_id)
    _chart, tab = orders_tab(qtbot, doctor, background, ward.patient_id)

    tab.buttons["requisition"].click()
    assert tab.printer.dialog.windowTitle() == "Save the requisition"
    tab.printer.dialog.selectFile(str(tmp_path / "ann-labs.pdf"))
    tab.printer.dialog.accept()
    qtbot.waitUntil(lambda: "saved to" in tab.message.text(), timeout=WAIT)

    assert tab.message.text() == (f"The requisition (1 order, 1 page) was saved to "
                                  f"{tmp_path / 'ann-labs.pdf'}.")
    with pdfplumber.open(tmp_path / "ann-labs.pdf") as pdf:
        said = " ".join(pdf.pages[0].extract_text().split())
    assert "Laboratory and imaging requisition" in said and "Lipid panel" in said


def test_nothing_signed_to_print_is_said_and_nothing_written(qtbot, ward, background,
                                                              tmp_path):
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    tab.printer.print_to("prescription", tmp_path / "rx.pdf")
    qtbot.waitUntil(lambda: tab.message.isVisible(), timeout=WAIT)
    assert tab.message.text() == ("Nothing to print: Okafor, Ann has no signed medication "
                                  "orders. No file was written.")
    assert tab.message.tone == "alert" and not (tmp_path / "rx.pdf").exists()


def test_a_nurses_pended_order_waits_for_a_physician(qtbot, ward, background):
    _chart, tab = orders_tab(qtbot, ward.nurse, background, ward.patient_id)
    dialog = tab.order_test()
    qtbot.keyClicks(dialog.search, "3016-3")
    save(qtbot, background, dialog)

    assert tab.message.text() == "TSH pended for a physician to sign."
    assert tab.basket_bar.count.text() == ("1 unsigned order for Okafor, Ann: they wait for a "
                                           "physician to sign them.")
    review = tab.review()
    assert review.save.isHidden()
    assert review.message.text() == "These orders wait for a physician to sign them."
    review.reject()


def test_a_store_without_its_safety_pack_says_so_on_the_orders_tab(qtbot, ward, background,
                                                                   tmp_path):
    doctor = ward.doctor
    doctor.safety.knowledge = load_knowledge(doctor.store.paths.root, shipped=tmp_path / "gone")
    _chart, tab = orders_tab(qtbot, doctor, background, ward.patient_id)
    assert not tab.banner.isHidden() and tab.banner.tone == "alert"
    assert tab.banner.text().startswith("Medication safety checks: No medication safety pack "
                                        "is installed")


def test_cancelling_an_order_needs_a_reason_and_the_order_stays_listed(qtbot, ward,
                                                                        background):
    ward.doctor.orders.pend(ward.doctor.session, ward.patient_id, OrderLine("TSH"))
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    tab.table.selectRow(0)
    dialog = tab.cancel_order()

    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.message.tone == "alert", timeout=WAIT)
    said = dialog.message.text()
    dialog.reason.setText("Drawn last week at the hospital")
    save(qtbot, background, dialog)

    assert "why the order is cancelled" in said
    assert listed(tab) == [("TSH", "cancelled")] and tab.basket_bar.isHidden()


def test_a_search_that_matches_nothing_says_so_and_pends_nothing(qtbot, ward, background):
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    dialog = tab.order_test()
    qtbot.keyClicks(dialog.search, "unicorn panel")
    dialog.save.click()
    assert dialog.isVisible() and dialog.message.text() == (
        "Choose a test or study from the list: nothing matches what is typed.")
    dialog.reject()
    assert tab.basket_bar.lines == []


def test_the_basket_shows_as_the_chart_opens_and_the_tab_lists_once_clicked(qtbot, ward,
                                                                              background):
    ward.doctor.orders.pend(ward.doctor.session, ward.patient_id, OrderLine("TSH"))
    chart = open_chart(qtbot, ward.doctor, background, ward.patient_id)
    assert chart.basket.isVisible()
    assert chart.basket.count.text() == "1 unsigned order for Okafor, Ann: review and sign them."
    assert [chart.tabs.get(k) for k in ("orders", "amendments", "disclosures")] == [None] * 3

    bar = chart.sections.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(bar.count() - 3).center())  # Orders, Amendments, ...
    tab = chart.tabs.get("orders")
    assert chart.sections.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT)
    assert listed(tab) == [("TSH", "pended")] and tab.basket_bar is chart.basket
