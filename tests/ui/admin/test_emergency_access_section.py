"""The auditor's review queue in the Admin tab, on a real store: a nurse's break-the-glass
is listed (the patient by id: the auditor reads no names), escalating without a note is
refused with a sentence, and marking it reviewed takes it off the waiting list."""

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.restricted import Restriction
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10000


def shown(section) -> list[list[str]]:
    proxy = section.table.model()
    return [[proxy.index(r, c).data() for c in range(proxy.columnCount())]
            for r in range(proxy.rowCount())]


@pytest.fixture
def auditor(clinic):
    """Audrey the auditor, after Nina broke the glass into Mrs Conn's restricted chart."""
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "audrey", "Audrey Tor", "auditor", password_of("audrey"))
    admin.close()
    doc, pid = clinic.sign_in("drlee"), clinic.patient_ids["Conn"]
    Restriction(doc.store, doc.policy.access).set(doc.session, pid, True)
    doc.close()
    nina = clinic.sign_in("nina")
    BreakGlass(nina.store, nina.policy).open(nina.session, pid, "Emergency care",
                                             "collapsed in the waiting room",
                                             password_of("nina"))
    nina.close()
    ws = clinic.sign_in("audrey")
    yield ws, pid
    ws.close()


def test_the_auditor_reviews_a_nurses_emergency_access(qtbot, auditor, background):
    ws, pid = auditor
    workspace = Workspace(ws, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 700)
    workspace.show()
    assert workspace.admin is not None
    assert [s.title for s in workspace.admin.sections] == ["Audit trail", "Emergency access"]
    section = workspace.admin.choose(1)
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=WAIT)
    [row] = shown(section)
    assert row[0] == "Awaiting review" and row[2] == "Nina Nurse (nina)"
    assert row[3] == "Conn, Liz" and row[4].startswith("Emergency care")
    assert row[5].startswith("4 hours, until ")
    assert section.status.text() == "1 emergency access awaits review."

    qtbot.mouseClick(section.escalated, Qt.MouseButton.LeftButton)
    assert section.status.text() == ("Say why you escalate this emergency access "
                                     "(a note is needed).")
    section.note.setPlainText("Nurse was on shift in A&E; checked with the charge nurse.")
    qtbot.mouseClick(section.reviewed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.model.rowCount() == 0, timeout=WAIT)
    assert section.status.text() == ("Nina Nurse (nina)'s access to Conn, Liz: reviewed. "
                                     "No emergency access awaits review.")
    assert not section.reviewed.isEnabled() and not section.escalated.isEnabled()

    section.show_done.setChecked(True)
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=WAIT)
    [row] = shown(section)
    assert row[0] == ("Reviewed: Nurse was on shift in A&E; checked with the charge "
                      "nurse.")
    assert not section.reviewed.isEnabled()  # a decided access is not decided again
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
