"""Booking from a free cell of the week: the patient found by search, the type, the start
(the cell's), the length (the type's unless changed) and, if wanted, a weekly repeat, which
books a series of real appointments (an RRULE FREQ=WEEKLY;COUNT=N, booked whole or not).

A refusal (the time is past, outside the provider's hours, taken) is shown in the dialog in
the service's own sentence and nothing is stored; the dialog stays open to change the time.
When the provider is already booked then, it also offers to overbook: with a reason, the
same time is booked as an overbooking (the reason kept on the appointment, the policy's
hourly limit still applies).
"""

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.patients.search import PatientHit
from app.clinical.visits.booking import BookingRequest
from app.clinical.visits.booking_errors import AlreadyBooked
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.ui.common.background import Background
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from app.ui.operations import patients as patient_ops
from fhir_common.messages import sentence

HITS = 8  # patients listed for what is typed


class BookingDialog(QDialog):
    booked = Signal(list)  # the Appointments made

    def __init__(self, ws: Workstation, background: Background, who: Provider, start: datetime,
                 parent=None):
        super().__init__(parent)
        self._ws, self._background, self._who = ws, background, who
        self.setWindowTitle(f"Book with {who.name}")
        self.setAccessibleName("Book an appointment")
        self.setMinimumWidth(520)
        self.search = QLineEdit(placeholderText="Name, MRN or birth date")
        self.search.setAccessibleName("Find the patient")
        self.hits = QListWidget()
        self.hits.setAccessibleName("Patients found")
        self.hits.setMaximumHeight(130)
        self.hits.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hits.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.type = QComboBox()
        self.type.setAccessibleName("Appointment type")
        for kind in ws.booking.clinic.types.types:
            self.type.addItem(f"{kind.name} ({kind.minutes} min)", kind.name)
        self.start = QDateTimeEdit(QDateTime(start.replace(tzinfo=None)))
        self.start.setDisplayFormat("ddd dd MMM yyyy HH:mm")
        self.start.setAccessibleName("Starts")
        self.minutes = QSpinBox(minimum=1, maximum=24 * 60, suffix=" min")
        self.minutes.setAccessibleName("Length")
        self.repeat = QCheckBox("Repeat weekly for")
        self.weeks = QSpinBox(minimum=2, maximum=ws.policy.scheduling.max_occurrences, value=6,
                              suffix=" weeks", enabled=False)
        self.weeks.setAccessibleName("Weeks")
        self.said = QLabel()
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Booking message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.book_button = buttons.addButton("Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setDefault(False)
        self.book_button.setAutoDefault(False)
        self.overbook_button = QPushButton("Overbook")
        self.overbook_button.setAccessibleName("Overbook")
        self.overbook_button.setAutoDefault(False)
        self.overbook_reason = QLineEdit(placeholderText="Why overbook, e.g. urgent")
        self.overbook_reason.setAccessibleName("Reason to overbook")
        self.overbook_row = QWidget()
        overbook = QHBoxLayout(self.overbook_row)
        overbook.setContentsMargins(0, 0, 0, 0)
        overbook.addWidget(QLabel("Reason to overbook:"))
        overbook.addWidget(self.overbook_reason)
        overbook.addWidget(self.overbook_button)
        self.overbook_row.hide()  # offered only when the time is refused as already booked
        form = QFormLayout()
        form.addRow("Patient", self.search)
        form.addRow("", self.hits)
        form.addRow("Type", self.type)
        form.addRow("Starts", self.start)
        form.addRow("Length", self.minutes)
        repeat = QHBoxLayout()
        repeat.addWidget(self.repeat)
        repeat.addWidget(self.weeks)
        repeat.addStretch()
        form.addRow("", repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"With {who.name}"))
        layout.addLayout(form)
        layout.addWidget(self.said)
        layout.addWidget(self.overbook_row)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._find)
        self.search.returnPressed.connect(lambda: self.hits.setFocus())
        self.type.currentIndexChanged.connect(self._type_chosen)
        self.repeat.toggled.connect(self.weeks.setEnabled)
        self.book_button.clicked.connect(self.submit)
        self.overbook_button.clicked.connect(self._overbook)
        buttons.rejected.connect(self.reject)
        self._type_chosen()
        self.search.setFocus()

    def choose_type(self, name: str) -> None:
        self.type.setCurrentIndex(self.type.findData(name))

    def submit(self) -> None:
        self._send(None)

    def _send(self, overbook_reason: str | None) -> None:
        item = self.hits.currentItem()
        if item is None:
            self._say("Choose the patient first: type a name and pick them from the list.")
            return
        request = BookingRequest(item.data(Qt.ItemDataRole.UserRole),
                                 self.start.dateTime().toPython().astimezone(),
                                 self.type.currentData(), self._who.user, self.minutes.value(),
                                 overbook_reason=overbook_reason)
        self.book_button.setEnabled(False)
        self.overbook_row.hide()
        self._say("Booking…", alert=False)
        calendar_ops.book(self, self._background, self._ws, request,
                          self.weeks.value() if self.repeat.isChecked() else 1).success(
            self._booked).failure(self._refused).run()

    def _booked(self, made: list[Appointment]) -> None:
        self.booked.emit(made)
        self.accept()

    def _overbook(self) -> None:
        reason = self.overbook_reason.text().strip()
        if not reason:
            self._say("Say why you overbook: the reason is kept on the appointment.")
            self.overbook_reason.setFocus()
            return
        self._send(reason)

    def _refused(self, exc: Exception) -> None:
        self.book_button.setEnabled(True)
        self._say(sentence(exc))
        if isinstance(exc, AlreadyBooked):
            self.overbook_row.show()
            self.overbook_reason.setFocus()

    def _find(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.hits.clear()
            return
        patient_ops.search(self, self._background, self._ws, text, HITS).success(
            self._found).run()

    def _found(self, hits: list[PatientHit]) -> None:
        self.hits.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.name}   born {hit.birth_date or 'unknown'}   "
                                   f"MRN {hit.mrn or '–'}")
            item.setData(Qt.ItemDataRole.UserRole, hit.patient_id)
            self.hits.addItem(item)
        if hits:
            self.hits.setCurrentRow(0)
        else:
            self._say(f"No patient matches {self.search.text().strip()!r}.")

    def _type_chosen(self) -> None:
        kind = self._ws.booking.clinic.types.get(self.type.currentData())
        self.minutes.setValue(kind.minutes)

    def _say(self, text: str, alert: bool = True) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}" if alert else "")
        self.said.setText(text)
