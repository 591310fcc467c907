"""Screenshot scenes of issue 17's walkthrough on the second workstation, run by
tests.ui.screenshots (which see): a nurse broke the glass on workstation A with no server;
after A and B sync with a real SEKMET server, the auditor on B sees the access awaiting
review and finds it in B's own audit trail by the patient's name. Not a test: people look
at them.

Run alone (inside its own private keyring, offscreen or under Xvfb):

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.security_walk_scenes /tmp/shots
"""

import sys
import tempfile
from pathlib import Path

from PySide6.QtTest import QTest

from tests.ui.screenshots import save, signed_in_window, wait_until

NOTE = "Fell in the car park; ED transfer confirmed with the charge nurse"


def arrived_emergency_access(env, work: Path, folder: Path) -> None:
    from tests.sync.conftest import start_fhir_server
    from tests.sync.stations import PASSWORD

    with start_fhir_server(work / "walk-server") as server:
        front_workstation(env, work / "walk-a", server)
        back_workstation(env, work / "walk-b", server)
    window = signed_in_window(env, work / "walk-b", "audrey", PASSWORD)
    admin = window.workspace.admin
    window.workspace.setCurrentWidget(admin)
    review = admin.section("Emergency access")
    wait_until(lambda: review.model.rowCount() == 1)
    review.note.setPlainText(NOTE)
    save(window, folder, "security-walk-review-arrived")
    trail = admin.section("Audit trail")
    wait_until(lambda: trail.page is not None)
    QTest.keyClicks(trail.patient, "Quiet")
    trail.show_first()
    wait_until(lambda: "Reading" not in trail.counted.text())
    rows = [trail.model.index(r, 7).data() for r in range(trail.model.rowCount())]
    trail.table.selectRow(next(r for r, d in enumerate(rows) if "another workstation" in d))
    save(window, folder, "security-walk-trail-by-name")
    window.close()


def front_workstation(env, root: Path, server) -> None:
    """A: Dr Doc restricts Rosa Quiet's chart; Nina breaks the glass, then A syncs."""
    from app.bootstrap import open_workstation
    from app.clinical.access.break_glass import BreakGlass
    from app.clinical.access.restricted import Restriction
    from tests.sync.stations import PASSWORD, patient, sync, workstation

    doc = workstation(env, root, "doc")
    admin = open_workstation(env, root, "admin", "admin pass 12")
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", PASSWORD)
    admin.close()
    rosa = doc.patients.register(doc.session, patient("Quiet", "Rosa"))["id"]
    doc.encounters.start_visit(doc.session, rosa)
    Restriction(doc.store, doc.policy.access).set(doc.session, rosa, True)
    nina = open_workstation(env, root, "nina", PASSWORD)
    BreakGlass(nina.store, nina.policy).open(nina.session, rosa, "Emergency care",
                                             "fell in the car park", PASSWORD)
    nina.close()
    sync(doc, server)
    doc.close()


def back_workstation(env, root: Path, server) -> None:
    """B: a physician pulls; Audrey the auditor is added."""
    from app.bootstrap import open_workstation
    from tests.sync.stations import PASSWORD, sync, workstation

    bob = workstation(env, root, "bob")
    admin = open_workstation(env, root, "admin", "admin pass 12")
    admin.users.add(admin.session, "audrey", "Audrey Tor", "auditor", PASSWORD)
    admin.close()
    sync(bob, server)
    bob.close()


def main(folder: Path) -> None:
    from keyring.backends import SecretService
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import Environment
    from app.ui.common import theme
    from tests.conftest import TEST_POLICY
    from tests.faults.keyring_bus import private_keyring

    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with private_keyring(), tempfile.TemporaryDirectory(prefix="hearth-walk-") as work:
        env = Environment(keyring_backend=SecretService.Keyring, policy=TEST_POLICY)
        arrived_emergency_access(env, Path(work), folder)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
