"""A restricted chart opened by a nurse outside the care team: the break-the-glass dialog
asks a reason and her password, then the chart opens; when the emergency window has ended,
the next read shuts the chart with a sentence saying when."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.restricted import Restriction
from app.store.changes import Changes
from app.ui.chart.view import ChartView
from tests.conftest import password_of

WAIT = 10000


@pytest.fixture
def restricted(clinic):
    """Mrs Conn's chart, restricted by Dr Lee; Nina the nurse signed in."""
    doc = clinic.sign_in("drlee")
    pid = clinic.patient_ids["Conn"]
    Restriction(doc.store, doc.policy.access).set(doc.session, pid, True)
    doc.close()
    nina = clinic.sign_in("nina")
    yield nina, pid
    nina.store.close()


def opened(qtbot, ws, background, pid) -> ChartView:
    chart = ChartView(ws, background, pid)
    qtbot.addWidget(chart)
    chart.show()
    with qtbot.waitSignal(chart.titled, timeout=WAIT):
        pass
    return chart


def test_the_nurse_breaks_the_glass_and_the_chart_opens(qtbot, restricted, background):
    nina, pid = restricted
    chart = opened(qtbot, nina, background, pid)
    dialog = chart.break_glass
    assert dialog is not None and dialog.isVisible() and not chart.sections.isVisible()
    assert dialog.heading.text() == ("This chart is restricted: break the glass to open it (you "
                                     "are not on the patient's care team).")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Say why" in dialog.message.text(), timeout=WAIT)
    assert dialog.isVisible(), dialog.message.text()
    dialog.reason.setCurrentText("Emergency care")
    dialog.words.setPlainText("collapsed in the waiting room")
    dialog.password.setText(password_of("nina"))
    with qtbot.waitSignal(chart.titled, timeout=WAIT) as titled:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert titled.args[0].startswith("Conn, ")
    assert chart.sections.isVisible() and not dialog.isVisible()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_when_the_window_has_ended_the_next_read_closes_the_chart(qtbot, restricted,
                                                                 background):
    nina, pid = restricted
    almost_over = datetime.now(UTC) - timedelta(minutes=240) + timedelta(seconds=2)
    grant = BreakGlass(nina.store, nina.policy, clock=lambda: almost_over).open(
        nina.session, pid, "Covering for a colleague", "", password_of("nina"))
    chart = opened(qtbot, nina, background, pid)
    assert chart.sections.isVisible()
    qtbot.wait(int((grant.end - datetime.now(UTC)).total_seconds() * 1000) + 200)
    with qtbot.waitSignal(chart.titled, timeout=WAIT) as titled:
        nina.changes.publish(Changes(frozenset({pid}), sections=frozenset({"problems"})))
    assert titled.args == ["Chart closed"]
    ended = grant.end.astimezone().strftime("%H:%M")
    assert chart.message.text() == (f"Your emergency access to this chart ended at {ended}. "
                                    "Break the glass again to reopen it.")
    assert not chart.sections.isVisible() and not chart.banner.isVisible()
    assert chart.glass.isVisible()  # the way back in, without closing the tab
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
