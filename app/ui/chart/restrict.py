"""The chart's "Restrict chart…" / "Unrestrict chart…" button, for the roles the policy's
access.restrict_roles names (default the physician); no one else sees it.

A restricted chart opens only to the patient's care team, or to a clinician who breaks the
glass (app.clinical.access), so the button asks first and says what will happen. The mark
is written through the write path (app.clinical.access.restricted, audited); the chart
hears the change and reads its banner again, which then shows "Restricted record".
"""

from PySide6.QtWidgets import QMessageBox, QPushButton

from app.bootstrap import Workstation
from app.clinical.access.grants import is_restricted
from app.ui.common.background import Background
from app.ui.operations import access
from fhir_common.messages import sentence

RESTRICT = ("Restrict this chart? Only the patient's care team will open it; anyone else must "
            "break the glass (a reason and their password), and an auditor reviews each time.")
UNRESTRICT = ("Remove the restriction? Every clinician who may read charts will open this "
              "chart again without breaking the glass.")


class RestrictButton(QPushButton):
    def __init__(self, ws: Workstation, background: Background, patient_id: str):
        super().__init__("Restrict chart…")
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.restricted = False
        self.dialog: QMessageBox | None = None  # the question, while it is open
        self.allowed = str(ws.session.role) in ws.policy.access.restrict_roles
        self.setAutoDefault(False)
        self.hide()
        self.clicked.connect(self.ask)

    def show_for(self, patient: dict) -> None:
        """Say what the button would do for the chart as now stored (if this role may)."""
        self.restricted = is_restricted(patient)
        self.setText("Unrestrict chart…" if self.restricted else "Restrict chart…")
        self.setAccessibleName("Remove the chart's restriction" if self.restricted
                               else "Mark this chart restricted")
        self.setVisible(self.allowed)

    def ask(self) -> QMessageBox:
        wanted = not self.restricted
        box = QMessageBox(QMessageBox.Icon.Question,
                          "Restrict chart" if wanted else "Unrestrict chart",
                          RESTRICT if wanted else UNRESTRICT, parent=self)
        yes = box.addButton("Restrict" if wanted else "Unrestrict",
                            QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.buttons()[-1])
        box.finished.connect(lambda _r: box.clickedButton() is yes and self._set(wanted))
        self.dialog = box
        box.open()
        return box

    def _set(self, wanted: bool) -> None:
        self.setEnabled(False)
        access.restrict(self, self._background, self._ws, self._patient_id, wanted).success(
            lambda _changed: self.setEnabled(True)).failure(self._refused).run()

    def _refused(self, exc: Exception) -> None:
        self.setEnabled(True)
        box = QMessageBox(QMessageBox.Icon.Warning, "Chart not changed", sentence(exc),
                          parent=self)
        self.dialog = box
        box.open()
