"""One restricted chart must not empty a physician's Inbox: its results are left out and
the Inbox says so, the rest are listed as ever, and the tab's count is of what is listed."""

from app.clinical.access.restricted import Restriction
from app.ui.inbox.view import inbox_title
from tests.sync.stations import patient
from tests.ui.inbox.test_inbox_view import practice, sign_in, workspace_of  # noqa: F401
from tests.ui.inbox.test_results_inbox import WAIT, import_file, lab_report, shown


def test_a_restricted_charts_result_is_left_out_and_said(qtbot, sign_in, practice,  # noqa: F811
                                                         background, tmp_path):
    ws = sign_in("drlee")
    open_id = ws.patients.register(ws.session, patient("Adeyemi"))["id"]
    shut_id = ws.patients.register(ws.session, patient("Quiet"))["id"]
    Restriction(ws.store, ws.policy.access).set(ws.session, shut_id, True)
    import_file(practice, tmp_path, lab_report(open_id, "r1", "ServiceRequest/elsewhere-1")
                + lab_report(shut_id, "r2", "ServiceRequest/elsewhere-2"))

    results = workspace_of(qtbot, ws, background).inbox.results

    qtbot.waitUntil(lambda: results.model.rowCount() == 1, timeout=WAIT)
    assert shown(results)[1] == "Adeyemi, Ann"
    assert results.message.text().endswith(
        "1 item of a restricted chart is not shown: open the chart to break the glass.")


def test_the_tabs_count_leaves_out_what_the_list_withholds(qtbot, sign_in, practice,  # noqa: F811
                                                           background, tmp_path):
    ws = sign_in("drlee")
    shut_id = ws.patients.register(ws.session, patient("Hidden"))["id"]
    Restriction(ws.store, ws.policy.access).set(ws.session, shut_id, True)
    import_file(practice, tmp_path, lab_report(shut_id, "r3", "ServiceRequest/elsewhere-3"))
    workspace = workspace_of(qtbot, ws, background)
    inbox = workspace.inbox
    with qtbot.waitSignal(inbox.counted, timeout=WAIT):
        inbox.recount()  # as it does every 30 s
    listed = inbox.model.rowCount() + inbox.results.model.rowCount()
    assert workspace.tabText(workspace.indexOf(inbox)) == inbox_title(listed)
    assert inbox.results.message.text().endswith(
        "not shown: open the chart to break the glass.")
