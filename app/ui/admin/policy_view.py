"""The Admin tab's policy: the settings in force on this workstation, read-only, each with
where it came from (the packaged default, IT's system file, or a stricter --policy file),
so an admin knows which file to ask IT to change. Find narrows the table by key or value.
"""

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.security.policy import system_policy_path
from app.security.policy_sources import Setting, value_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_table
from app.ui.operations import admin_system
from fhir_common.messages import sentence

COLUMNS = (Column("Setting", lambda s: s.key), Column("Value", lambda s: value_text(s.value)),
           Column("Comes from", lambda s: s.source))


class PolicySection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Policy")
        heading = QLabel("Policy")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel("The settings in force on this workstation and where each came from. "
                       "They are read-only here: IT changes them in the system policy file "
                       f"({system_policy_path()}); Hearth reads it when it starts.")
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.find = QLineEdit()
        self.find.setAccessibleName("Find a setting")
        self.find.setPlaceholderText("Find a setting or value")
        self.find.setClearButtonEnabled(True)
        self.model = RowsModel(COLUMNS)
        self.table = row_table(self.model, "Policy settings", stretch_column=2)
        proxy = self.table.model()
        proxy.setFilterKeyColumn(-1)
        self.find.textChanged.connect(proxy.setFilterFixedString)
        self.status = QLabel("Reading the policy…")
        self.status.setWordWrap(True)
        box = QVBoxLayout(self)
        for widget in (heading, about, self.find, self.table, self.status):
            box.addWidget(widget)
        self.setFocusProxy(self.find)
        admin_system.policy_settings(self, background, ws).success(self._shown).failure(
            lambda err: self.status.setText(f"The policy could not be read: {sentence(err)}")
        ).run()

    def _shown(self, settings: list[Setting]) -> None:
        self.model.set_rows(settings)
        self.status.setText(f"{len(settings)} settings.")

    def shown(self) -> dict[str, tuple[str, str]]:
        """Each setting on screen: its value and source as the table shows them."""
        proxy = self.table.model()
        return {proxy.index(r, 0).data(): (proxy.index(r, 1).data(), proxy.index(r, 2).data())
                for r in range(proxy.rowCount())}
