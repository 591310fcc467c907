"""The waiting list from the Calendar: putting a patient on it, and offering a freed time.

- OffersDialog: after a cancel or no-show the view asks the waiting list who fits the freed
  time (Waitlist.offers: same provider or any, short enough, the day within their days,
  longest waiting first) and shows them: "Offer this time to: …". Fill books the chosen
  one there (Waitlist.fill: the waiting Appointment itself becomes booked); Not now leaves
  the time free and everyone waiting.
- AddToWaitlistDialog: a patient who wants an earlier time than the one free is put on the
  list with the type, the days they can come and, if they want one, the provider.
"""

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from app.bootstrap import Workstation
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.waitlist import Waiting, WaitlistRequest
from app.ui.calendar.patient_picker import PatientPicker
from app.ui.common.background import Background
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from fhir_common.messages import sentence

ANY = "Any clinician"


class OffersDialog(QDialog):
    filled = Signal(object)  # the Appointment booked from the waiting list

    def __init__(self, ws: Workstation, background: Background, freed: Appointment,
                 waiting: list[Waiting], parent=None):
        super().__init__(parent)
        self._ws, self._background, self.freed = ws, background, freed
        self.setWindowTitle("Waiting list")
        self.setAccessibleName("Waiting list offers")
        self.setMinimumWidth(520)
        end = f"–{freed.end:%H:%M}" if freed.end else ""
        heading = QLabel(f"<b>{freed.start:%a %d %b %H:%M}{end}</b> with {freed.practitioner} "
                         f"is free again. Offer this time to:")
        heading.setWordWrap(True)
        self.waiting = QListWidget()
        self.waiting.setAccessibleName("Patients waiting who fit this time")
        for entry in waiting:
            item = QListWidgetItem(f"{entry.patient_name}   {entry.type} ({entry.minutes} min)"
                                   f"   can come {entry.earliest:%d %b} – {entry.latest:%d %b}")
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.waiting.addItem(item)
        self.waiting.setCurrentRow(0)
        self.said = QLabel("Fill books the patient chosen here; the others keep waiting.")
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Waiting list message")
        buttons = QDialogButtonBox()
        self.fill = buttons.addButton("Fill", QDialogButtonBox.ButtonRole.AcceptRole)
        self.not_now = buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        self.fill.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.waiting)
        layout.addWidget(self.said)
        layout.addWidget(buttons)
        self.fill.clicked.connect(self.submit)
        self.not_now.clicked.connect(self.reject)
        self.waiting.setFocus()

    def submit(self) -> None:
        item = self.waiting.currentItem()
        if item is None:
            return
        self.fill.setEnabled(False)
        calendar_ops.fill(self, self._background, self._ws, item.data(Qt.ItemDataRole.UserRole),
                          self.freed.id).success(self._filled).failure(self._refused).run()

    def _filled(self, made: Appointment) -> None:
        self.filled.emit(made)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.fill.setEnabled(True)
        self.said.setStyleSheet(f"color: {alert_color()}")
        self.said.setText(sentence(exc))


class AddToWaitlistDialog(QDialog):
    added = Signal(object)  # the Waiting entry made

    def __init__(self, ws: Workstation, background: Background, who: Provider | None,
                 earliest: date, latest: date, parent=None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.setWindowTitle("Add to waiting list")
        self.setAccessibleName("Add to waiting list")
        self.setMinimumWidth(520)
        self.picker = PatientPicker(ws, background, self)
        self.type = QComboBox()
        self.type.setAccessibleName("Appointment type")
        for kind in ws.booking.clinic.types.types:
            self.type.addItem(f"{kind.name} ({kind.minutes} min)", kind.name)
        today = QDate(date.today())
        self.earliest = QDateEdit(QDate(earliest), calendarPopup=True, minimumDate=today)
        self.earliest.setAccessibleName("Can come from")
        self.latest = QDateEdit(QDate(latest), calendarPopup=True, minimumDate=today)
        self.latest.setAccessibleName("Can come until")
        for edit in (self.earliest, self.latest):  # as every other date here reads
            edit.setDisplayFormat("ddd dd MMM yyyy")
        self.provider = QComboBox()
        self.provider.setAccessibleName("With")
        if who is not None:
            self.provider.addItem(f"{who.name} ({who.user})", who.user)
        self.provider.addItem(ANY, None)
        self.said = QLabel("They are offered a time that fits when one is cancelled.")
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Waiting list message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add = buttons.addButton("Add to waiting list",
                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.add.setAutoDefault(False)
        form = QFormLayout()
        form.addRow("Patient", self.picker.search)
        form.addRow("", self.picker.hits)
        form.addRow("Type", self.type)
        form.addRow("Can come from", self.earliest)
        form.addRow("until", self.latest)
        form.addRow("With", self.provider)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.said)
        layout.addWidget(buttons)
        self.picker.said.connect(self._say)
        self.add.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.picker.search.setFocus()

    def submit(self) -> None:
        patient_id = self.picker.patient_id()
        if patient_id is None:
            self._say("Choose the patient first: type a name and pick them from the list.")
            return
        request = WaitlistRequest(patient_id, self.type.currentData(),
                                  self.earliest.date().toPython(), self.latest.date().toPython(),
                                  self.provider.currentData())
        self.add.setEnabled(False)
        calendar_ops.add_to_waitlist(self, self._background, self._ws, request).success(
            self._added).failure(self._refused).run()

    def _added(self, entry: Waiting) -> None:
        self.added.emit(entry)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.add.setEnabled(True)
        self._say(sentence(exc))

    def _say(self, text: str) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}")
        self.said.setText(text)
