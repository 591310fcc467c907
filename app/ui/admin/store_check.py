"""The Admin tab's store check: read every page of the encrypted store and say whether it is
sound, in the sentences `hearth store check` prints, so IT and the screen agree.

The check reads the whole file (seconds on a large store), so it runs in the background with
a busy bar; the result stays on screen with the time it was run until the next run.
"""

from datetime import UTC, datetime

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.display_time import when_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import admin_system
from fhir_common.messages import sentence

SOUND = "Store intact: every page decrypts and its structure is sound."
RESTORE = "Restore the store directory from its latest backup, or ask IT to."


def result_text(problems: list[str]) -> str:
    """What `hearth store check` prints for these problems."""
    if not problems:
        return SOUND
    return "Store DAMAGED:\n" + "\n".join(f"  - {p}" for p in problems) + "\n" + RESTORE


class StoreCheckSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Store check")
        self._ws, self._background = ws, background
        heading = QLabel("Store check")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel(f"Reads every page of this workstation's encrypted store "
                       f"({ws.store.paths.root}) and checks that each one decrypts and that "
                       "its structure is sound. The check is recorded in the audit trail.")
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.run_button = QPushButton("Run check")
        self.run_button.setAccessibleName("Run the store check")
        self.run_button.clicked.connect(self.run)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # the check reports no progress of its own: a busy bar
        self.busy.setAccessibleName("Checking the store")
        self.busy.hide()
        self.result = QLabel("Not checked yet.")
        self.result.setAccessibleName("Store check result")
        self.result.setWordWrap(True)
        box = QVBoxLayout(self)
        for widget in (heading, about, self.run_button, self.busy, self.result):
            box.addWidget(widget)
        box.addStretch(1)
        self.setFocusProxy(self.run_button)

    def run(self) -> None:
        self.run_button.setEnabled(False)
        self.busy.show()
        self.result.setText("Checking every page of the store…")
        admin_system.check_store(self, self._background, self._ws).success(
            self._checked).failure(self._failed).run()

    def _checked(self, problems: list[str]) -> None:
        self._done()
        self.result.setStyleSheet("" if not problems else f"color: {theme.alert_color()};")
        checked = when_text(datetime.now(UTC))
        self.result.setText(result_text(problems) + f"\n\nChecked at {checked}.")

    def _failed(self, err: Exception) -> None:
        self._done()
        self.result.setStyleSheet(f"color: {theme.alert_color()};")
        self.result.setText(f"The check could not run: {sentence(err)}")

    def _done(self) -> None:
        self.busy.hide()
        self.run_button.setEnabled(True)
