"""Print prescription from the Orders tab: a menu whose first choice prints the medication
orders signed today and whose second prints every current one. Real store, real widgets."""

import pdfplumber

from app.clinical.visits.encounters import now
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.clinical.orders.test_prescription_choice import a_month_ago, ordered
from tests.ui.chart.orders.test_orders_tab import orders_tab
from tests.ui.chart.test_chart_view import WAIT


def print_from_menu(qtbot, tab, choice: int, path) -> str:
    tab.prescription_menu.actions()[choice].trigger()
    tab.printer.dialog.selectFile(str(path))
    tab.printer.dialog.accept()
    qtbot.waitUntil(lambda: f"saved to {path}" in tab.message.text(), timeout=WAIT)
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)


def test_print_prescription_offers_todays_orders_first_then_all_current(qtbot, ward,
                                                                        background, tmp_path):
    doctor = ward.doctor
    ordered(doctor, ward.patient_id, "Ibuprofen 200 MG Oral Tablet", a_month_ago())
    ordered(doctor, ward.patient_id, "Warfarin 5 mg tablet", now())
    _chart, tab = orders_tab(qtbot, doctor, background, ward.patient_id)

    assert [a.text() for a in tab.prescription_menu.actions()] == [
        "Signed &today…", "&All current medication orders…"]
    said = print_from_menu(qtbot, tab, 0, tmp_path / "today.pdf")
    assert "Warfarin 5 mg tablet" in said and "Ibuprofen" not in said
    assert tab.message.text().startswith("The prescription (1 order signed today, 1 page) "
                                        "was saved to")

    said = print_from_menu(qtbot, tab, 1, tmp_path / "all.pdf")
    assert "Warfarin" in said and "Ibuprofen" in said
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
