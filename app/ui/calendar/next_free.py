"""Next free…: the first time a type of visit fits, with the provider shown or anyone.

The front desk's most asked question on the phone ("when can Dr Ortiz see me for a
follow-up?"). Booking.next_free searches the policy's `scheduling.search_weeks` from now;
the Calendar then shows that provider's week with the cursor on the time, so Enter books
it there (the booking dialog, as for any free cell) and the clerk sees the week around it.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.visits.booking import FreeSlot
from app.clinical.visits.providers import Provider
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import calendar as calendar_ops
from fhir_common.messages import sentence

ANYONE = "Anyone free first"


class NextFreeDialog(QDialog):
    found = Signal(object)  # the FreeSlot

    def __init__(self, ws: Workstation, background: Background, shown: Provider | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.setWindowTitle("Next free time")
        self.setAccessibleName("Next free time")
        self.type = QComboBox()
        self.type.setAccessibleName("Type of visit")
        for kind in ws.booking.clinic.types.types:
            self.type.addItem(f"{kind.name} ({kind.minutes} min)", kind.name)
        self.who = QComboBox()
        self.who.setAccessibleName("With")
        if shown is not None:
            self.who.addItem(shown.name, shown.user)
        self.who.addItem(ANYONE, None)
        self.message = QLabel(f"Searches the next {ws.booking.clinic.rules.search_weeks} "
                              "weeks from now.")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Next free message")
        self.find = QPushButton("Find")
        self.find.setDefault(True)
        cancel = QPushButton("Cancel")
        form = QFormLayout()
        form.addRow("&Type", self.type)
        form.addRow("&With", self.who)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.find)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addLayout(buttons)
        self.find.clicked.connect(self.search)
        cancel.clicked.connect(self.reject)

    def search(self) -> None:
        self.find.setEnabled(False)
        self.message.setText("Searching…")
        kind, user = self.type.currentData(), self.who.currentData()
        calendar_ops.next_free(self, self._background, self._ws, kind, user).success(
            lambda slot: self._answered(slot, kind)).failure(self._failed).run()

    def _answered(self, slot: FreeSlot | None, kind: str) -> None:
        self.find.setEnabled(True)
        if slot is None:
            with_whom = self.who.currentText() if self.who.currentData() else "any clinician"
            self._alert(f"No free time for a {kind} with {with_whom} in the next "
                        f"{self._ws.booking.clinic.rules.search_weeks} weeks (policy "
                        "scheduling.search_weeks): add to the waiting list, or overbook.")
            return
        self.found.emit(slot)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.find.setEnabled(True)
        self._alert(sentence(exc))

    def _alert(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
