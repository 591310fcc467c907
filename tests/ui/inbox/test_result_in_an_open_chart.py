"""A result imported while its patient's chart is open (by `hearth import`, which this
window does not hear) is still found when the Inbox opens it: the chart reads the section
again rather than show the Reports tab with nothing selected."""

from PySide6.QtCore import Qt

from app.ui.chart.table import ITEM_ROLE
from tests.ui.inbox.test_inbox_view import practice, sign_in, workspace_of  # noqa: F401
from tests.ui.inbox.test_results_inbox import import_file, lab_report, signed_order

WAIT = 10000


def test_the_inbox_opens_a_new_result_in_a_chart_opened_before_it_arrived(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    ws = sign_in("drlee")
    patient_id, order = signed_order(ws, "Asante")
    workspace = workspace_of(qtbot, ws, background)
    chart = workspace.open_chart(patient_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    chart.show_section("reports")  # read now: no report yet
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert chart.tab_label("reports") == "Reports (0)"

    import_file(practice, tmp_path, lab_report(patient_id, "o1",
                                               f"ServiceRequest/{order['id']}"))
    results = workspace.inbox.results
    workspace.setCurrentWidget(workspace.inbox)
    qtbot.waitUntil(lambda: results.model.rowCount() == 1, timeout=WAIT)
    results.table.setFocus()
    qtbot.keyClick(results.table, Qt.Key.Key_Return)

    selected = lambda: chart.records("reports").table.currentIndex()  # noqa: E731 (replaced)
    qtbot.waitUntil(lambda: selected().isValid(), timeout=WAIT)
    assert selected().data(ITEM_ROLE).id == "rep-o1"
    assert chart.tab_label("reports") == "Reports (1)"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
