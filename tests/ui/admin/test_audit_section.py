"""The Admin tab's Audit trail as the auditor and the admin meet it, on a real clinic store:
the auditor's tab holds the audit trail and the emergency access review, nothing that
edits; an emergency access is found by the patient's name and the trail paged; the chain
verified, then found broken where a row was changed; and the admin sees patient ids, not names."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton

from app.bootstrap import open_workstation
from app.store import audit_log as audit
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10000
EMERGENCY = "emergency access: unconscious in the waiting room"  # as break-the-glass writes


def opened(qtbot, ws, background):
    workspace = Workspace(ws, background)
    qtbot.addWidget(workspace)
    workspace.resize(1300, 800)
    workspace.show()
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Audit trail")
    qtbot.waitUntil(lambda: not background.busy and section.page is not None, timeout=WAIT)
    return workspace, section


def shown(qtbot, section, background):
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return [[section.model.index(row, col).data() for col in range(8)]
            for row in range(section.model.rowCount())]


@pytest.fixture
def stations(clinic):
    """The clinic's admin and a new auditor, Audrey; Nina's emergency access to Liz Conn's
    chart and 1,200 earlier reads in the trail."""
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "audrey", "Audrey Auditor", "auditor", password_of("audrey"))
    conn_id = clinic.patient_ids["Conn"]
    with admin.store.write() as conn:
        audit.append_many(conn, [audit.Event(
            f"2026-01-01T{n // 60:02d}:{n % 60:02d}:00.000000+00:00", "drlee", "physician",
            "read", "success", conn_id, "Patient", "chart opened") for n in range(1200)] + [
            audit.Event(audit.now_text(), "nina", "nurse", "create", "success", conn_id,
                        "Task/grant-1", EMERGENCY)])
    auditor = clinic.sign_in("audrey")
    yield admin, auditor, conn_id
    admin.store.close()
    auditor.store.close()


def test_the_auditor_finds_an_emergency_access_by_name_and_can_change_nothing(
        qtbot, stations, background, tmp_path):
    _admin, auditor, _conn_id = stations
    workspace, section = opened(qtbot, auditor, background)

    assert "Admin" in [workspace.tabText(n) for n in range(workspace.count())]
    assert [s.title for s in workspace.admin.sections] == ["Audit trail", "Emergency access"]
    assert section.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert sorted(b.text().replace("&", "") for b in section.findChildren(QPushButton)) == [
        "Export CSV…", "Export PDF…", "Newer", "Older", "Show", "Verify chain"]
    total = section.page.total
    assert section.counted.text() == f"{total:,} entries; showing 1-500"
    qtbot.mouseClick(section.buttons["&Older"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.counted.text().endswith("501-1,000"), timeout=WAIT)

    qtbot.keyClicks(section.patient, "conn liz")
    qtbot.keyClicks(section.user, "nina\r")
    rows = shown(qtbot, section, background)
    assert section.counted.text() == "1 entry"
    assert rows[0][1:8] == ["nina", "nurse", "create", "success", "Conn, Liz", "Task/grant-1",
                            EMERGENCY]
    dialog = section.ask_export("csv")
    dialog.selectFile(str(tmp_path / "emergency.csv"))
    dialog.accept()
    qtbot.waitUntil(lambda: section.status.text().startswith("Wrote"), timeout=WAIT)
    assert section.status.text() == f"Wrote 1 entry to {tmp_path / 'emergency.csv'}."
    assert EMERGENCY in (tmp_path / "emergency.csv").read_text()

    section.since.setText("2026-03-02")
    qtbot.keyClicks(section.until, "2026-03-01\r")
    qtbot.waitUntil(lambda: "ends before it starts" in section.status.text(), timeout=WAIT)
    assert section.status.text() == ("Missing or invalid input: The time range ends before "
                                     "it starts; put the earlier time in From.")
    assert section.model.rowCount() == 0 and section.counted.text() == "No entries shown."


def test_verify_says_intact_then_where_a_changed_row_is(qtbot, stations, background):
    admin, auditor, _conn_id = stations
    _workspace, section = opened(qtbot, auditor, background)
    qtbot.mouseClick(section.buttons["&Verify chain"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "intact" in section.status.text(), timeout=WAIT)
    assert section.status.text().startswith("The audit trail is intact: ")
    with admin.store.write() as conn:
        conn.exec_driver_sql("UPDATE audit SET detail = 'nothing to see' WHERE detail = ?",
                             (EMERGENCY,))
        changed = conn.exec_driver_sql(
            "SELECT seq FROM audit WHERE detail = 'nothing to see'").scalar_one()
    qtbot.mouseClick(section.buttons["&Verify chain"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "broken" in section.status.text(), timeout=WAIT)
    assert f"audit row {changed} was changed after it was written" in section.status.text()


def test_the_admin_sees_patient_ids_not_names(qtbot, stations, background):
    admin, _auditor, conn_id = stations
    _workspace, section = opened(qtbot, admin, background)
    assert section.patient.placeholderText() == "patient id"
    qtbot.keyClicks(section.patient, f"{conn_id}\r")
    rows = shown(qtbot, section, background)
    assert rows and {row[5] for row in rows} == {conn_id}
