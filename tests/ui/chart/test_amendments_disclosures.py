"""The chart's Amendments and Disclosures tabs as a clinician uses them: a request recorded
from the chart, a denial without a reason refused in the dialog and then given, an
accepted one showing where it went; every print listed with whom it went to, and the list
printed for the patient, which then lists itself."""

import pytest
from PySide6.QtCore import Qt

from app.clinical.printing.printouts import Printouts, PrintRequest
from app.ui.chart.view import ChartView

WAIT = 10_000


@pytest.fixture
def patient(clinic) -> str:
    return next(iter(clinic.patient_ids.values()))


def opened(qtbot, ws, background, patient_id: str, tab: str):
    chart = ChartView(ws, background, patient_id)
    qtbot.addWidget(chart)
    chart.resize(1200, 800)
    chart.show()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    shown = getattr(chart, tab)
    chart.sections.setCurrentWidget(shown)
    qtbot.waitUntil(lambda: shown.read and not background.busy, timeout=WAIT)
    return shown


def record_request(qtbot, tab, words: str) -> None:
    dialog = tab.request_dialog()
    dialog.show()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    problem = dialog.record.findText("Problem:", flags=Qt.MatchFlag.MatchStartsWith)
    dialog.record.setCurrentIndex(problem)
    dialog.words.setPlainText(words)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save.click()


def test_a_request_is_recorded_then_denied_only_with_a_reason(qtbot, ws, background,
                                                              patient):
    tab = opened(qtbot, ws, background, patient, "amendments")
    assert tab.status.text() == "The patient has asked for no amendments."
    record_request(qtbot, tab, "I never smoked.")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT)
    (asked,) = tab.model.rows()
    assert (asked.text, asked.status) == ("I never smoked.", "requested")
    assert tab.status.text() == "1 amendment request, 1 waiting for a decision."
    tab.table.selectRow(0)
    dialog = tab.decision_dialog(accept=False)
    dialog.show()
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.message.tone == "alert", timeout=WAIT)
    assert "A denial needs its reason" in dialog.message.text()
    dialog.reason.setPlainText("Our intake form says otherwise.")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save.click()
    qtbot.waitUntil(lambda: tab.model.rows()[0].status == "denied", timeout=WAIT)
    assert tab.model.index(0, 4).data() == "Reason: Our intake form says otherwise."
    assert not tab.deny.isEnabled() and not tab.accept.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the chart's read again


def test_an_accepted_request_says_where_it_was_appended(qtbot, ws, background, patient):
    tab = opened(qtbot, ws, background, patient, "amendments")
    record_request(qtbot, tab, "The year is 2019.")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT)
    tab.table.selectRow(0)
    dialog = tab.decision_dialog(accept=True)
    dialog.show()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save.click()
    qtbot.waitUntil(lambda: tab.model.rows()[0].status == "accepted", timeout=WAIT)
    assert tab.model.index(0, 4).data() == "Appended to the record as a note"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_nurse_records_requests_but_does_not_decide_them(qtbot, clinic, background,
                                                           patient):
    nurse = clinic.sign_in("nina")
    tab = opened(qtbot, nurse, background, patient, "amendments")
    assert not tab.ask.isHidden() and tab.accept.isHidden() and tab.deny.isHidden()
    nurse.store.close()


def test_disclosures_list_each_print_and_print_for_the_patient(qtbot, ws, background,
                                                               patient, tmp_path):
    Printouts(ws.store).print(ws.session, PrintRequest(
        patient, "medications", tmp_path / "meds.pdf", to="Dr Ada Park"))
    tab = opened(qtbot, ws, background, patient, "disclosures")
    assert tab.model.rowCount() == 1
    assert [tab.model.index(0, c).data() for c in (1, 3)] == ["Dr Lee (physician)",
                                                              "Dr Ada Park"]
    assert tab.status.text().startswith("1 disclosure of ")
    tab.print_to(tmp_path / "accounting.pdf")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=WAIT)
    assert tab.model.rows()[1].to == "the patient"
    assert tab.status.text().startswith(f"Printed for the patient to {tmp_path}/accounting.pdf")
    assert (tmp_path / "accounting.pdf").stat().st_size > 0
