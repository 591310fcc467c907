"""Booking from a free cell of the week: the patient found by search, the type, the start
(the cell's), the length (the type's unless changed) and, if wanted, a weekly repeat, which
books a series of real appointments (an RRULE FREQ=WEEKLY;COUNT=N, booked whole or not).

A refusal (the time is past, outside the provider's hours, taken) is shown in the dialog in
the service's own sentence and nothing is stored; the dialog stays open to change the time.
When the provider is already booked then, it also offers to overbook: with a reason, the
same time is booked as an overbooking (the reason kept on the appointment, the policy's
hourly limit still applies). A patient who wants an earlier time than is free is put on the
waiting list instead (Add to waiting list…), to be offered a time when one is cancelled.

From a room's column (the Rooms view) the dialog books into that room and asks with whom:
`providers` lists the clinicians, the one given first chosen.
"""

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDateTime, Signal
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
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.visits.booking import BookingRequest
from app.clinical.visits.booking_errors import AlreadyBooked
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.waitlist import Waiting
from app.ui.calendar.patient_picker import PatientPicker
from app.ui.calendar.waitlist_dialog import AddToWaitlistDialog
from app.ui.common.background import Background
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from fhir_common.messages import sentence


class BookingDialog(QDialog):
    booked = Signal(list)  # the Appointments made
    waitlisted = Signal(object)  # the Waiting entry, when put on the waiting list instead

    def __init__(self, ws: Workstation, background: Background, who: Provider, start: datetime,
                 parent=None, room: str | None = None, providers: list[Provider] = ()):
        super().__init__(parent)
        self._ws, self._background, self._who, self.room = ws, background, who, room
        self.setWindowTitle(f"Book in {room}" if room else f"Book with {who.name}")
        self.setAccessibleName("Book an appointment")
        self.setMinimumWidth(520)
        self.picker = PatientPicker(ws, background, self)
        self.search, self.hits = self.picker.search, self.picker.hits
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
        self.waitlist_button = buttons.addButton("Add to waiting list…",
                                                 QDialogButtonBox.ButtonRole.ActionRole)
        self.waitlist_button.setToolTip("The patient wants an earlier time than there is free: "
                                        "offer them one when it is cancelled.")
        self.waitlist_button.setAutoDefault(False)
        self.waitlist: AddToWaitlistDialog | None = None
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
        self.clinician = QComboBox()  # shown when booking into a room
        self.clinician.setAccessibleName("Clinician")
        for other in providers:
            self.clinician.addItem(f"{other.name} ({other.user})", other)
        self.clinician.setCurrentIndex(max(0, self.clinician.findText(
            f"{who.name} ({who.user})")) if who else 0)
        if room:
            form.insertRow(0, "With", self.clinician)
        else:
            self.clinician.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"In {room}" if room else f"With {who.name}"))
        layout.addLayout(form)
        layout.addWidget(self.said)
        layout.addWidget(self.overbook_row)
        layout.addWidget(buttons)
        self.picker.said.connect(self._say)
        self.type.currentIndexChanged.connect(self._type_chosen)
        self.repeat.toggled.connect(self.weeks.setEnabled)
        self.book_button.clicked.connect(self.submit)
        self.overbook_button.clicked.connect(self._overbook)
        self.waitlist_button.clicked.connect(self.open_waitlist)
        buttons.rejected.connect(self.reject)
        self._type_chosen()
        self.search.setFocus()

    def choose_type(self, name: str) -> None:
        self.type.setCurrentIndex(self.type.findData(name))

    def submit(self) -> None:
        self._send(None)

    def _send(self, overbook_reason: str | None) -> None:
        patient_id = self.picker.patient_id()
        if patient_id is None:
            self._say("Choose the patient first: type a name and pick them from the list.")
            return
        request = BookingRequest(patient_id,
                                 self.start.dateTime().toPython().astimezone(),
                                 self.type.currentData(), self.provider().user,
                                 self.minutes.value(), overbook_reason=overbook_reason,
                                 room=self.room)
        self.book_button.setEnabled(False)
        self.overbook_row.hide()
        self._say("Booking…", alert=False)
        calendar_ops.book(self, self._background, self._ws, request,
                          self.weeks.value() if self.repeat.isChecked() else 1).success(
            self._booked).failure(self._refused).run()

    def provider(self) -> Provider:
        """Whom the appointment is with: the one chosen (a room's booking), else the given."""
        return self.clinician.currentData() if self.room else self._who

    def open_waitlist(self) -> None:
        """The waiting list instead: from today until the day of this cell (at least two
        weeks), with this provider, the patient and type as chosen here."""
        start = self.start.dateTime().toPython().date()
        self.waitlist = AddToWaitlistDialog(self._ws, self._background, self.provider(),
                                            date.today(), max(start, date.today() + timedelta(
                                                weeks=2)), self)
        if patient_id := self.picker.patient_id():
            self.waitlist.picker.put(patient_id, self.picker.patient_name(),
                                     self.hits.currentItem().text())
        self.waitlist.type.setCurrentIndex(self.type.currentIndex())
        self.waitlist.added.connect(self._waitlisted)
        self.waitlist.open()

    def _waitlisted(self, entry: Waiting) -> None:
        self.waitlisted.emit(entry)
        self.accept()

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

    def _type_chosen(self) -> None:
        kind = self._ws.booking.clinic.types.get(self.type.currentData())
        self.minutes.setValue(kind.minutes)

    def _say(self, text: str, alert: bool = True) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}" if alert else "")
        self.said.setText(text)
