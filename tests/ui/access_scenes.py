"""Screenshot scenes of restricted charts, run by tests.ui.screenshots (which see): Dr Lee
restricting Rosa's chart (the question, then the banner's "Restricted record"), and the
auditor's Emergency access section after a nurse broke the glass. Rosa's ward store of its
own, so the demo store's charts stay open to the other scenes. Not a test: people look."""

from pathlib import Path

from tests.ui.screenshots import chart_window, save, wait_until


def restricting_and_reviewing(work: Path, folder: Path) -> None:
    from app.bootstrap import open_workstation
    from app.clinical.access.break_glass import BreakGlass
    from app.ui.common.background import Background
    from app.ui.shell.workspace import Workspace
    from tests.clinical.chart.visit_ward import ROSA, build
    from tests.conftest import password_of

    root = work / "access" / "store"
    env = build(root, {"drlee": ("Dr Lee", "physician"), "nina": ("Nina Nurse", "nurse"),
                       "audrey": ("Audrey Tor", "auditor")})
    doc = open_workstation(env, root, "drlee", password_of("drlee"))
    doc.encounters.start_visit(doc.session, ROSA)  # seeing her today: on her care team
    background, chart = chart_window(doc, ROSA)
    wait_until(lambda: chart.restrict.isVisible() and not background.busy)
    box = chart.restrict.ask()
    save(box, folder, "restrict-chart-question")
    next(b for b in box.buttons() if b.text() == "Restrict").click()
    wait_until(lambda: chart.banner.restricted.isVisible() and not background.busy)
    save(chart, folder, "chart-restricted")
    chart.close()
    background.wait_until_idle()
    doc.close()

    nina = open_workstation(env, root, "nina", password_of("nina"))
    BreakGlass(nina.store, nina.policy).open(nina.session, ROSA, "Emergency care",
                                             "collapsed in the waiting room",
                                             password_of("nina"))
    nina.close()
    audrey = open_workstation(env, root, "audrey", password_of("audrey"))
    background = Background()
    workspace = Workspace(audrey, background)
    workspace.resize(1280, 600)
    workspace.show()
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Emergency access")
    wait_until(lambda: section.model.rowCount() == 1 and not background.busy)
    section.note.setPlainText("Checked with the charge nurse: Rosa collapsed in the waiting "
                              "room.")
    save(workspace, folder, "emergency-access-review")
    workspace.close()
    background.wait_until_idle()
    audrey.close()
