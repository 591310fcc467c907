"""The Admin tab's sync: the server, organization, client and interval the policy sets,
whether this computer's keyring holds the client's credential (never the secret), how many
changes wait to be sent, when the server's changes last arrived, and for anything missing the
command that fixes it. The running sync's last outcome is on the Sync tab, which hears it.
"""

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.sync.local_only import waiting_text
from app.clinical.sync.sync_check import SyncCheck
from app.display_time import when_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import admin_system
from fhir_common.messages import sentence


def _value(text: str | None) -> str:
    return text or "not set"


class SyncSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Sync settings")
        self._ws, self._background = ws, background
        heading = QLabel("Sync")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for name in ("Server", "Organization", "Client id", "Interval", "Credential",
                     "Waiting to send", "Last received"):
            label = QLabel("…")
            label.setWordWrap(True)
            label.setAccessibleName(name)
            self.labels[name] = label
            form.addRow(name, label)
        self.todo = QLabel("")
        self.todo.setWordWrap(True)
        self.todo.setAccessibleName("What to do")
        self.todo.setStyleSheet(f"color: {theme.alert_color()};")
        self.check_again = QPushButton("Check again")
        self.check_again.clicked.connect(self.read)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addLayout(form)
        box.addWidget(self.todo)
        box.addWidget(self.check_again)
        box.addStretch(1)
        self.setFocusProxy(self.check_again)
        self.read()

    def read(self) -> None:
        admin_system.sync_check(self, self._background, self._ws).success(self._shown).failure(
            lambda err: self.todo.setText(f"The sync settings could not be read: "
                                          f"{sentence(err)}")).run()

    def _shown(self, check: SyncCheck) -> None:
        policy = check.policy
        for name, text in (("Server", _value(policy.server)),
                           ("Organization", _value(policy.organization)),
                           ("Client id", _value(policy.client_id)),
                           ("Interval", f"every {policy.interval_seconds} seconds"),
                           ("Credential", check.credential),
                           ("Waiting to send", waiting_text(check.waiting)),
                           ("Last received", when_text(check.last_received,
                                                       missing="Never from this server"))):
            self.labels[name].setText(text)
        self.todo.setText("\n".join(check.todo))
