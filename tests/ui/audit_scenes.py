"""Screenshot scenes of the Admin tab's Audit trail, run by tests.ui.screenshots (which see):
the auditor finds an emergency access by the patient's name and verifies the chain; the
admin sees the same trail by patient id. Not a test: people look at them.

Break-the-glass is not on this branch yet, so the emergency access is one audit row written
as that feature writes it (a "create" of the grant whose detail starts "emergency access")."""

from pathlib import Path

from PySide6.QtTest import QTest

from tests.ui.screenshots import demo_user, save, signed_in_window, wait_until

AUDITOR = ("demo-auditor", "Demo Auditor", "auditor review 1")
REASON = "emergency access: patient unconscious, chart needed for allergies"


def audit_trail(env, info, folder: Path) -> None:
    from app.bootstrap import open_workstation
    from app.cli.demo import ADMIN, NURSE
    from app.store import audit_log as audit

    admin = demo_user(info, ADMIN)
    station = open_workstation(env, info.root, admin.name, admin.password)
    station.users.add(station.session, AUDITOR[0], AUDITOR[1], "auditor", AUDITOR[2])
    with station.store.write() as conn:
        patient_id, family = conn.exec_driver_sql(
            "SELECT id, json_extract(json, '$.name[0].family') FROM resource "
            "WHERE type = 'Patient' AND deleted = 0 ORDER BY id LIMIT 1").one()
        audit.append(conn, audit.Event(audit.now_text(), NURSE, "nurse", "create", "success",
                                       patient_id, "Task/emergency-access-1", REASON))
    station.close()

    window = signed_in_window(env, info.root, AUDITOR[0], AUDITOR[2], info.hints())
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Audit trail")
    wait_until(lambda: section.page is not None)
    QTest.keyClicks(section.patient, family)
    QTest.keyClicks(section.user, NURSE)
    section.show_first()
    wait_until(lambda: section.page is not None and "Reading" not in section.counted.text())
    section.verify()
    wait_until(lambda: "audit trail is" in section.status.text())
    save(window, folder, "admin-audit-trail-by-name")
    window.close()

    window = signed_in_window(env, info.root, admin.name, admin.password, info.hints())
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Audit trail")
    wait_until(lambda: section.page is not None)
    save(window, folder, "admin-audit-trail-admin")
    window.close()
