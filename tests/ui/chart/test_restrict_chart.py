"""Restricting a chart from the chart itself: the physician confirms, and the banner says
"Restricted record" to everyone who opens it; a nurse has no such button."""

from PySide6.QtWidgets import QMessageBox

from app.clinical.access.break_glass import BreakGlass
from tests.conftest import password_of
from tests.ui.chart.test_break_glass import WAIT, opened


def answer(box: QMessageBox, words: str) -> None:
    button = next(b for b in box.buttons() if b.text() == words)
    button.click()


def test_the_physician_restricts_the_chart_after_a_question(qtbot, clinic, background):
    doc = clinic.sign_in("drlee")
    pid = clinic.patient_ids["Conn"]
    doc.encounters.start_visit(doc.session, pid)  # seeing her today: on her care team
    chart = opened(qtbot, doc, background, pid)
    assert chart.restrict.isVisible() and chart.restrict.text() == "Restrict chart…"
    assert not chart.banner.restricted.isVisible()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)

    answer(chart.restrict.ask(), "Cancel")
    assert not background.busy and not chart.banner.restricted.isVisible()

    box = chart.restrict.ask()
    assert "Only the patient's care team will open it" in box.text()
    with qtbot.waitSignal(chart.updated, timeout=WAIT):
        answer(box, "Restrict")
    assert chart.banner.restricted.isVisible()
    assert chart.banner.restricted.text() == "Restricted record"
    assert chart.restrict.text() == "Unrestrict chart…"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    doc.close()


def test_a_nurse_sees_the_tag_but_cannot_restrict(qtbot, clinic, background):
    doc = clinic.sign_in("drlee")
    pid = clinic.patient_ids["Conn"]
    doc.encounters.start_visit(doc.session, pid)
    chart = opened(qtbot, doc, background, pid)
    with qtbot.waitSignal(chart.updated, timeout=WAIT):
        answer(chart.restrict.ask(), "Restrict")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    doc.close()
    nina = clinic.sign_in("nina")
    BreakGlass(nina.store, nina.policy).open(nina.session, pid, "Emergency care", "",
                                             password_of("nina"))
    chart = opened(qtbot, nina, background, pid)
    assert chart.banner.restricted.isVisible() and not chart.restrict.isVisible()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    nina.close()
