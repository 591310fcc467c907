"""Screenshot scenes of a restricted chart, run by tests.ui.screenshots (which see): the demo
nurse opening a chart the doctor restricted (the break-the-glass dialog, a reason chosen),
and a chart shut when her emergency access ended. Not a test: people look at them."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.cli.demo import DOCTOR, NURSE
from tests.ui.screenshots import demo_user, save, signed_in_window, wait_until


def restricted_chart(env, info, folder: Path) -> None:
    from app.bootstrap import open_workstation
    from app.clinical.access.break_glass import BreakGlass
    from app.clinical.access.care_team import on_care_team
    from app.clinical.access.restricted import Restriction
    from app.store.changes import Changes

    doctor, nurse = demo_user(info, DOCTOR), demo_user(info, NURSE)
    doc = open_workstation(env, info.root, doctor.name, doctor.password)
    with doc.store.read() as conn:
        ids = conn.exec_driver_sql("SELECT id FROM resource WHERE type = 'Patient' AND "
                                   "deleted = 0 ORDER BY id").scalars().all()
        pid, other = [p for p in ids if not on_care_team(conn, NURSE, p, 30,
                                                         datetime.now(UTC))][:2]
    restriction = Restriction(doc.store, doc.policy.access)
    for patient in (pid, other):
        restriction.set(doc.session, patient, True)
    window = signed_in_window(env, info.root, nurse.name, nurse.password, info.hints())
    chart = window.workspace.open_chart(pid)
    wait_until(lambda: chart.break_glass is not None)
    dialog = chart.break_glass
    dialog.reason.setCurrentText("Covering for a colleague")
    dialog.words.setPlainText("Dr Okafor is away; the patient phoned about her results")
    save(dialog, folder, "break-glass-dialog")
    dialog.reject()
    almost_over = datetime.now(UTC) - timedelta(minutes=240) + timedelta(seconds=10)
    nurse_ws = open_workstation(env, info.root, nurse.name, nurse.password)
    BreakGlass(nurse_ws.store, nurse_ws.policy, clock=lambda: almost_over).open(
        nurse_ws.session, other, "Emergency care", "", nurse.password)
    nurse_ws.close()
    shut = window.workspace.open_chart(other)
    wait_until(lambda: shut.summary is not None)
    wait_until(lambda: datetime.now(UTC) > almost_over + timedelta(minutes=240, seconds=1), 30)
    window.workspace.changed.emit(  # the next read after the window: refused, the chart shut
        Changes(frozenset({other}), sections=frozenset({"problems"})))
    wait_until(lambda: shut.summary is None and shut.message.isVisible())
    save(window, folder, "break-glass-ended")
    window.close()
    for patient in (pid, other):
        restriction.set(doc.session, patient, False)
    doc.close()
